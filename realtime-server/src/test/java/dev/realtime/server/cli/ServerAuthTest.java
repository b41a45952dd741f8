package dev.realtime.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.auth.TokenMinter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code --token} and {@code REALTIME_TOKEN} against a server that checks tokens. */
class ServerAuthTest {
  static final String SECRET = "a".repeat(32);

  Realtime realtime;
  RealtimeServer server;
  String url;
  String token;

  @BeforeEach
  void start() {
    realtime = Realtime.create();
    server =
        RealtimeServer.builder(realtime)
            .config(ServerConfig.builder().port(0).secret(SECRET).build())
            .start();
    url = server.url();
    token =
        new TokenMinter(SECRET)
            .mint("me", List.of("room-*"), List.of("room-*"), Duration.ofHours(1));
  }

  @AfterEach
  void stop() {
    ServerOption.environment = System::getenv;
    server.close();
    realtime.close();
  }

  @Test
  void withoutATokenEachCommandIsRefusedWithTheServersMessageAndExitCode1() {
    ServerOption.environment = name -> null;
    for (String[] args :
        new String[][] {
          {"emit", "--url", url, "room-1", "ev", "1"},
          {"history", "--url", url, "room-1"},
          {"tail", "--url", url, "room-1"}
        }) {
      CliRun r = CliRun.of(args);
      assertThat(r.exitCode()).as("%s", (Object) args).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.errorLine())
          .startsWith("realtime: no token: send 'Authorization: Bearer <token>'")
          .endsWith("(HTTP 401)");
    }
  }

  @Test
  void aTokenFromTheOptionOrTheEnvironmentIsSentAndANarrowOneIsRefused() {
    ServerOption.environment = name -> null;
    String id = CliRun.of("emit", "--url", url, "--token", token, "room-1", "ev", "1").ok().strip();
    assertThat(realtime.channel("room-1").history().get(0).id()).isEqualTo(id);

    Map<String, String> env = Map.of(ServerOption.TOKEN_VARIABLE, token);
    ServerOption.environment = env::get;
    assertThat(CliRun.of("history", "--url", url, "room-1").ok()).contains(id);

    CliRun elsewhere = CliRun.of("emit", "--url", url, "other", "ev", "1");
    assertThat(elsewhere.exitCode()).isEqualTo(1);
    assertThat(elsewhere.errorLine())
        .contains("may not publish to channel 'other'")
        .contains("room-*")
        .endsWith("(HTTP 403)");
    CliRun wrong = CliRun.of("emit", "--url", url, "--token", token + "x", "room-1", "ev", "1");
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(wrong.errorLine()).endsWith("(HTTP 401)").doesNotContain(token);
    CliRun spaced = CliRun.of("emit", "--url", url, "--token", "abc def", "room-1", "ev", "1");
    assertThat(spaced.exitCode()).isEqualTo(2);
    assertThat(spaced.errorLine()).contains("--token").contains("position 4").doesNotContain("abc");
  }
}
