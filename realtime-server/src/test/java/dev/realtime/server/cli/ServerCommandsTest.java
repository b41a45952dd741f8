package dev.realtime.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.redis.FreePorts;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code realtime emit} and {@code history} with {@code --url}, against a server in this JVM. */
class ServerCommandsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  Realtime realtime;
  RealtimeServer server;
  String url;

  @BeforeEach
  void start() {
    realtime = Realtime.create();
    server =
        RealtimeServer.builder(realtime).config(ServerConfig.builder().port(0).build()).start();
    url = server.url();
  }

  @AfterEach
  void stop() {
    server.close();
    realtime.close();
  }

  String emit(String channel, String event, String json) {
    String id = CliRun.of("emit", "--url", url, channel, event, json).ok().strip();
    assertThat(id).matches("\\d+-\\d+");
    return id;
  }

  List<String> ids(String channel, String... options) {
    List<String> args = new ArrayList<>(List.of("history", "--url", url, channel));
    args.addAll(List.of(options));
    List<String> ids = new ArrayList<>();
    for (JsonNode m : JSON.readTree(CliRun.of(args.toArray(String[]::new)).ok())) {
      ids.add(m.get("id").stringValue());
    }
    return ids;
  }

  @Test
  void emitPrintsTheIdThatHistoryThenHoldsWithItsDataExactly() {
    String channel = "cli-server, 123/é+x"; // escaped in the path, read back as given
    String object = "{\"user\":\"ada\",\"n\":42,\"f\":2.5,\"big\":123456789012345678901234567890}";
    String id1 = emit(channel, "chat.message", object);
    String id2 = emit(channel, "note", "\"{\\\"a\\\":1}\"");

    String printed = CliRun.of("history", "--url", url, channel).ok();
    String quoted = JSON.writeValueAsString(channel);
    assertThat(printed)
        .isEqualTo(
            "[\n  {\"id\":\""
                + id1
                + "\",\"event\":\"chat.message\",\"channel\":"
                + quoted
                + ",\"data\":"
                + object
                + "},\n  {\"id\":\""
                + id2
                + "\",\"event\":\"note\",\"channel\":"
                + quoted
                + ",\"data\":\"{\\\"a\\\":1}\"}\n]\n");
    assertThat(realtime.channel(channel).history()).hasSize(2);
    assertThat(CliRun.of("history", "--url", url, "cli-never-written").ok()).isEqualTo("[]\n");
  }

  @Test
  void aChannelNameStartingWithAtIsAChannelNotAnArgumentFile(@TempDir Path dir) throws Exception {
    // picocli reads "@<path>" as a file of arguments when one by that name exists.
    Path team = dir.resolve("team");
    Files.writeString(team, "--help\n");
    String channel = "@" + team.toAbsolutePath();
    String id = emit(channel, "note", "1");
    assertThat(realtime.channel(channel).history()).extracting(m -> m.id()).containsExactly(id);
  }

  @Test
  void historyTakesLimitLatestStartAndEnd() {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 5; i++) ids.add(emit("cli-latest", "n", Integer.toString(i)));
    assertThat(ids("cli-latest")).containsExactlyElementsOf(ids);
    assertThat(ids("cli-latest", "--limit", "2")).containsExactly(ids.get(0), ids.get(1));
    assertThat(ids("cli-latest", "--latest", "--limit", "2"))
        .containsExactly(ids.get(3), ids.get(4));
    long lastMs = Long.parseLong(ids.get(4).substring(0, ids.get(4).indexOf('-')));
    assertThat(ids("cli-latest", "--start", Long.toString(lastMs + 1))).isEmpty();
    assertThat(ids("cli-latest", "--end", Long.toString(lastMs))).hasSize(5);
    assertThat(ids("cli-latest", "--after", ids.get(1), "--limit", "2"))
        .containsExactly(ids.get(2), ids.get(3));
    assertThat(ids("cli-latest", "--latest", "--before", ids.get(3), "--limit", "2"))
        .containsExactly(ids.get(1), ids.get(2));
    CliRun badId = CliRun.of("history", "--url", url, "cli-latest", "--after", "yesterday");
    assertThat(badId.exitCode()).isEqualTo(2);
    assertThat(badId.errorLine()).contains("--after 'yesterday' is not a message id");
    CliRun order =
        CliRun.of("history", "--url", url, "cli-latest", "--after", "9-0", "--before", "5-0");
    assertThat(order.exitCode()).isEqualTo(2);
    assertThat(order.errorLine()).contains("--after 9-0 is not before --before 5-0");
  }

  @Test
  void theUrlMayBeTheServerOrTheApiItself() {
    for (String form :
        new String[] {url, url + "/", url + "/api/realtime", url + "/api/realtime/"}) {
      assertThat(CliRun.of("emit", "--url", form, "forms", "ev", "1").ok()).matches("\\d+-\\d+\n");
    }
    assertThat(realtime.channel("forms").history()).hasSize(4);
    CliRun wrongPath = CliRun.of("emit", "--url", url + "/nope", "forms", "ev", "1");
    assertThat(wrongPath.exitCode()).isEqualTo(2);
    assertThat(wrongPath.errorLine())
        .contains("no such path: /nope/channels")
        .endsWith("(HTTP 404)");
    CliRun notHttp = CliRun.of("history", "--url", "localhost:8080", "c");
    assertThat(notHttp.exitCode()).isEqualTo(2);
    assertThat(notHttp.errorLine()).contains("'localhost:8080'").contains("http://host:port");
  }

  @Test
  void badDataIsRefusedBeforeSendingAndAServerRefusalIsItsMessageWithTheStatus() {
    CliRun badJson = CliRun.of("emit", "--url", url, "cli-bad", "chat.message", "{\"a\":1");
    assertThat(badJson.exitCode()).isEqualTo(2);
    assertThat(badJson.errorLine()).contains("not valid JSON").contains("give one JSON value");
    assertThat(realtime.channel("cli-bad").history()).isEmpty();

    CliRun badEvent = CliRun.of("emit", "--url", url, "cli-bad", "no spaces", "1");
    assertThat(badEvent.exitCode()).isEqualTo(2);
    assertThat(badEvent.out()).isEmpty();
    assertThat(badEvent.errorLine())
        .startsWith("realtime: ")
        .contains("'no spaces'")
        .contains("letters, digits and ._:-")
        .endsWith("(HTTP 400)");
    CliRun badChannel = CliRun.of("history", "--url", url, "a\u0007b");
    assertThat(badChannel.exitCode()).isEqualTo(2);
    assertThat(badChannel.errorLine()).contains("control character").endsWith("(HTTP 400)");
  }

  @Test
  void anUnreachableServerIsOneLineWithExitCode1() throws IOException {
    int port;
    port = FreePorts.outsideTheEphemeralRange(); // closed again: nothing listens there
    String nowhere = "http://127.0.0.1:" + port;
    for (String[] args :
        new String[][] {
          {"emit", "--url", nowhere, "c", "ev", "1"},
          {"history", "--url", nowhere, "c"},
          {"tail", "--url", nowhere, "c"}
        }) {
      CliRun r = CliRun.of(args);
      assertThat(r.exitCode()).as("%s", (Object) args).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.errorLine())
          .isEqualTo("realtime: cannot reach " + nowhere + ": is ./realtime serve running there?");
    }
  }

  @Test
  void exactlyOneOfRedisAndUrlIsAccepted() {
    CliRun both = CliRun.of("emit", "--redis", "redis://127.0.0.1:1", "--url", url, "c", "ev", "1");
    assertThat(both.exitCode()).isEqualTo(2);
    assertThat(both.errorLine())
        .contains("--redis")
        .contains("--url")
        .contains("mutually exclusive");
    CliRun neither = CliRun.of("history", "c");
    assertThat(neither.exitCode()).isEqualTo(2);
    assertThat(neither.errorLine()).contains("--redis").contains("--url");
    assertThat(realtime.channel("c").history()).isEmpty();
  }
}
