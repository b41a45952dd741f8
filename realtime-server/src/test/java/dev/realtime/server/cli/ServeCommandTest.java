package dev.realtime.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.redis.RedisServer;
import dev.realtime.server.HttpCalls;
import dev.realtime.server.ServeProcess;
import dev.realtime.server.SseRecorder;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code ./realtime serve} as a real process: it serves, and SIGTERM stops it cleanly. */
class ServeCommandTest {
  final List<Process> processes = new ArrayList<>();

  @AfterEach
  void kill() {
    processes.forEach(Process::destroyForcibly);
  }

  ServeProcess serve(String... args) throws Exception {
    ServeProcess p = ServeProcess.launch(args);
    processes.add(p.process);
    return p;
  }

  @Test
  void servesAndShutsDownGracefullyOnSigterm() throws Exception {
    ServeProcess s = serve("--port", "0", "--heartbeat", "1s");
    assertThat(s.url).startsWith("http://127.0.0.1:");
    assertThat(HttpCalls.get(s.url + "/healthz").status()).isEqualTo(200);
    try (SseRecorder sse = SseRecorder.open(s.url + "/api/realtime?channel=room")) {
      sse.expectType("connected");
      var emitted =
          HttpCalls.post(
              s.url + "/api/realtime/channels/room/events", "{\"event\":\"n\",\"data\":1}");
      assertThat(emitted.status()).isEqualTo(201);
      assertThat(sse.events(1).get(0).id()).isEqualTo(emitted.json().get("id").asString());
      s.process.toHandle().destroy(); // SIGTERM (Process.destroy would also close our pipes)
      sse.expectType("reconnect");
      assertThat(s.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(s.process.exitValue()).isZero();
    }
    org.awaitility.Awaitility.await()
        .alias("output: " + s.output)
        .until(() -> String.join("\n", s.output).contains("stopped"));
    assertThat(String.join("\n", s.output)).contains("shutting down: telling 1 streams");
  }

  @Test
  void refusesToServeEveryChannelToTheNetworkWithoutASecret() throws Exception {
    ServeProcess s = serve("--host", "0.0.0.0", "--port", "0");
    assertThat(s.url).isNull();
    assertThat(s.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(s.process.exitValue()).isEqualTo(2);
    assertThat(String.join("\n", s.output)).contains("--insecure").contains("secret");
  }

  /** Flags win over the environment, for --insecure too: --insecure=false undoes the variable. */
  @Test
  void insecureFalseAsAFlagOverridesTheEnvironment() throws Exception {
    ServeProcess s =
        ServeProcess.launch(
            java.util.Map.of("REALTIME_INSECURE", "true"),
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--insecure=false");
    processes.add(s.process);
    assertThat(s.url).isNull();
    assertThat(s.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(s.process.exitValue()).isEqualTo(2);
    assertThat(String.join("\n", s.output)).contains("--insecure").contains("secret");
  }

  @Test
  void requiresTokensWhenGivenASecret() throws Exception {
    ServeProcess s = serve("--port", "0", "--secret", "s".repeat(40));
    assertThat(s.url).isNotNull();
    var refused = HttpCalls.get(s.url + "/api/realtime/channels/room/history");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.error()).contains("Bearer");
  }

  @Test
  void servesOnATlsRedisWhoseCaIsGivenAndSaysWhatIsWrongWithoutIt() throws Exception {
    try (RedisServer redis = RedisServer.builder().tls().password("pw-of-the-test").start()) {
      String uri = "rediss://:pw-of-the-test@127.0.0.1:" + redis.port();
      ServeProcess s =
          serve("--port", "0", "--redis", uri, "--redis-ca-file", redis.caCertificate().toString());
      assertThat(s.url).as("output: %s", s.output).isNotNull();
      assertThat(String.join("\n", s.output))
          .contains("on the Redis engine at rediss://127.0.0.1:" + redis.port())
          .doesNotContain("pw-of-the-test");
      var emitted =
          HttpCalls.post(
              s.url + "/api/realtime/channels/room/events", "{\"event\":\"n\",\"data\":1}");
      assertThat(emitted.status()).isEqualTo(201);
      s.process.toHandle().destroy();
      assertThat(s.process.waitFor(20, TimeUnit.SECONDS)).isTrue();

      ServeProcess untrusted = serve("--port", "0", "--redis", uri);
      assertThat(untrusted.url).isNull();
      assertThat(untrusted.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(untrusted.process.exitValue()).isNotZero();
      assertThat(String.join("\n", untrusted.output))
          .contains("--redis-ca-file FILE")
          .doesNotContain("pw-of-the-test")
          .doesNotContain("is redis-server running there");

      ServeProcess plain =
          serve(
              "--port",
              "0",
              "--redis",
              "redis://127.0.0.1:" + redis.port(),
              "--redis-ca-file",
              redis.caCertificate().toString());
      assertThat(plain.url).isNull();
      assertThat(plain.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(plain.process.exitValue()).isEqualTo(2);
      assertThat(String.join("\n", plain.output)).contains("redis-ca-file applies only to TLS");
    }
  }

  /** A port another process holds: one line that names the address and what to change. */
  @Test
  void aPortInUseIsOneClearLineAndExitCodeOne() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      ServeProcess s = serve("--port", Integer.toString(port));
      assertThat(s.url).isNull();
      assertThat(s.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(s.process.exitValue()).isEqualTo(1);
      assertThat(String.join("\n", s.output))
          .contains("cannot listen on 127.0.0.1:" + port + ": the address is already in use")
          .contains("choose another port")
          .doesNotContain("Exception");
    }
  }
}
