package dev.realtime.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.HistoryMessage;
import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.browser.ChatWindow.Shown;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebDriver;

/**
 * Two browser windows chat on {@code /chat}: each sees the other's messages, once, in the room's
 * order; a window that joins late sees the latest 50.
 */
class ChatPageTest {
  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime).config(ServerConfig.builder().port(0).build()).start();
  final Chromium chromium = new Chromium();

  @AfterEach
  void close() {
    chromium.close();
    server.close();
    realtime.close();
  }

  @Test
  void twoWindowsChatAndALateJoinerSeesTheLatest50() {
    for (int i = 1; i <= 60; i++) {
      realtime.channel("lobby").emit("chat.message", Map.of("user", "bot", "text", "earlier " + i));
    }
    String url = server.url() + "/chat?room=lobby";
    List<WebDriver> windows = ChatWindow.windows(chromium, 3);
    ChatWindow ada = ChatWindow.open(windows.get(0), url, "ada");
    ChatWindow bob = ChatWindow.open(windows.get(1), url, "bob");
    for (ChatWindow w : List.of(ada, bob)) {
      w.awaitCount(50);
      assertThat(w.shown()).extracting(Shown::id).isEqualTo(historyIds(50));
      assertThat(w.texts().getFirst()).isEqualTo("earlier 11");
    }

    List<String> said = new ArrayList<>();
    for (int i = 1; i <= 3; i++) { // a conversation: each waits for the other's answer
      ada.say("hello from ada " + i);
      bob.awaitText("hello from ada " + i);
      bob.say("hi from bob " + i);
      ada.awaitText("hi from bob " + i);
      said.addAll(List.of("hello from ada " + i, "hi from bob " + i));
    }
    for (int i = 1; i <= 4; i++) { // and both typing at once
      ada.say("burst ada " + i);
      bob.say("burst bob " + i);
    }
    ada.awaitCount(64);
    bob.awaitCount(64);

    List<Shown> seenByAda = ada.shown();
    assertThat(bob.shown()).isEqualTo(seenByAda); // one order for everyone
    assertThat(new HashSet<>(seenByAda)).hasSameSizeAs(seenByAda); // each message once
    assertThat(seenByAda).extracting(Shown::id).isEqualTo(historyIds(64));
    List<String> texts = ada.texts();
    assertThat(texts.subList(50, 56)).isEqualTo(said);
    assertThat(texts.subList(56, 64).stream().filter(t -> t.startsWith("burst ada")))
        .containsExactly("burst ada 1", "burst ada 2", "burst ada 3", "burst ada 4");
    assertThat(texts.subList(56, 64).stream().filter(t -> t.startsWith("burst bob")))
        .containsExactly("burst bob 1", "burst bob 2", "burst bob 3", "burst bob 4");
    assertThat(seenByAda.get(50).user()).isEqualTo("ada");
    assertThat(seenByAda.get(51).user()).isEqualTo("bob");
    Screens.sideBySide("chat-two-windows", ada.window, bob.window);

    ChatWindow late = ChatWindow.open(windows.get(2), url, "cy");
    late.awaitCount(50);
    assertThat(late.shown()).extracting(Shown::id).isEqualTo(historyIds(50));
    assertThat(late.texts().getLast()).isEqualTo(texts.getLast());
    late.say("cy joined late");
    for (ChatWindow w : List.of(ada, bob, late)) w.awaitText("cy joined late");
    assertThat(ada.shown()).hasSize(65);
  }

  private List<String> historyIds(int latest) {
    return realtime.channel("lobby").history(HistoryQuery.latest(latest)).stream()
        .map(HistoryMessage::id)
        .toList();
  }
}
