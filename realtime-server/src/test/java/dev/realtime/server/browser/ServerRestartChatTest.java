package dev.realtime.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.redis.FreePorts;
import dev.realtime.redis.RedisServer;
import dev.realtime.server.HttpCalls;
import dev.realtime.server.ServeProcess;
import dev.realtime.server.browser.ChatWindow.Shown;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.FutureTask;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Mid-chat, the server (a real {@code ./realtime serve} process on the Redis engine, with a
 * redis-server of the test's own) is killed with SIGKILL and started again on the same port. Both
 * windows end up showing every message exactly once, in the room's order.
 *
 * <p>The messages typed while the server is down are not re-sent by the test: the page keeps them
 * in its outbox and sends them once its stream is connected again. No request is in flight at the
 * kill (the test waits until what was said is shown), so none is ambiguous.
 */
class ServerRestartChatTest {
  final RedisServer redis = RedisServer.start();
  final Chromium chromium = new Chromium();
  final List<ServeProcess> servers = new ArrayList<>();

  @AfterEach
  void close() {
    try {
      chromium.close();
      servers.forEach(ServeProcess::close);
    } finally {
      redis.close();
    }
  }

  ServeProcess serve(int port) throws Exception {
    ServeProcess s =
        ServeProcess.start(
            "--port", String.valueOf(port), "--redis", redis.uri(), "--heartbeat", "2s");
    servers.add(s);
    return s;
  }

  @Test
  void bothWindowsShowEveryMessageOnceAfterAKillAndRestart() throws Exception {
    int port;
    port = FreePorts.outsideTheEphemeralRange();
    var browsers = new FutureTask<>(() -> ChatWindow.windows(chromium, 2));
    Thread.ofPlatform().start(browsers); // the browsers start while the server does
    ServeProcess first = serve(port);
    String url = first.url + "/chat?room=ops";
    ChatWindow ada = ChatWindow.open(browsers.get().get(0), url, "ada");
    ChatWindow bob = ChatWindow.open(browsers.get().get(1), url, "bob");

    List<String> said = new ArrayList<>();
    for (int i = 1; i <= 2; i++) {
      ada.say("before ada " + i);
      bob.awaitText("before ada " + i);
      bob.say("before bob " + i);
      ada.awaitText("before bob " + i);
      said.addAll(List.of("before ada " + i, "before bob " + i));
    }
    for (ChatWindow w : List.of(ada, bob)) w.awaitCount(4);

    first.kill();
    for (ChatWindow w : List.of(ada, bob)) {
      w.awaitStatus(s -> !s.equals("connected"), Duration.ofSeconds(10));
    }
    ada.say("while down ada 1");
    bob.say("while down bob 1");
    ada.say("while down ada 2");
    Awaitility.await() // kept by the pages, not shown as sent
        .atMost(Duration.ofSeconds(10))
        .until(() -> ada.pending().size() == 2 && bob.pending().size() == 1);
    assertThat(ada.texts()).hasSize(4);
    Screens.sideBySide("chat-while-server-down", ada.window, bob.window);

    ServeProcess second = serve(port);
    assertThat(second.url).isEqualTo(first.url);
    for (ChatWindow w : List.of(ada, bob)) w.awaitStatus("connected");
    for (ChatWindow w : List.of(ada, bob)) w.awaitCount(7);
    ada.say("after ada");
    bob.awaitText("after ada");
    bob.say("after bob");
    ada.awaitText("after bob");
    for (ChatWindow w : List.of(ada, bob)) w.awaitCount(9);

    List<Shown> seenByAda = ada.shown();
    assertThat(bob.shown()).isEqualTo(seenByAda);
    assertThat(new HashSet<>(seenByAda)).hasSameSizeAs(seenByAda).hasSize(9);
    assertThat(ada.pending()).isEmpty();
    assertThat(bob.pending()).isEmpty();
    // The room's order is the server's: ids ascending, exactly its history.
    JsonNode history = HttpCalls.get(second.url + "/api/realtime/channels/ops/history").json();
    List<String> ids = new ArrayList<>();
    history.forEach(m -> ids.add(m.get("id").asString()));
    assertThat(seenByAda).extracting(Shown::id).isEqualTo(ids);
    List<String> texts = ada.texts();
    assertThat(texts.subList(0, 4)).isEqualTo(said);
    assertThat(texts.subList(4, 7))
        .containsExactlyInAnyOrder("while down ada 1", "while down ada 2", "while down bob 1");
    assertThat(texts.subList(4, 7).stream().filter(t -> t.contains("ada")))
        .containsExactly("while down ada 1", "while down ada 2");
    assertThat(texts.subList(7, 9)).containsExactly("after ada", "after bob");
    Screens.sideBySide("chat-after-server-restart", ada.window, bob.window);
  }
}
