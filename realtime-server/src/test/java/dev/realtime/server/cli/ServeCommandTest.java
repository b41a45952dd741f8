package dev.realtime.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.redis.RedisServer;
import dev.realtime.server.HttpCalls;
import dev.realtime.server.SseRecorder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
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

  record Served(Process process, List<String> output, String url) {}

  Served serve(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Main.class.getName());
    command.add("serve");
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("REALTIME_"));
    Process p = pb.start();
    processes.add(p);
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread.ofVirtual()
        .start(
            () -> {
              try (var r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  output.add(line);
                  lines.add(line);
                }
              } catch (Exception e) {
                // process ended
              }
            });
    String url = null;
    long deadline = System.currentTimeMillis() + 20_000;
    while (url == null && System.currentTimeMillis() < deadline) {
      String line = lines.poll(500, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith("realtime: serving ")) {
        url = line.substring("realtime: serving ".length()).split(" ")[0];
      }
      if (line == null && !p.isAlive()) break;
    }
    return new Served(p, output, url);
  }

  @Test
  void servesAndShutsDownGracefullyOnSigterm() throws Exception {
    Served s = serve("--port", "0", "--heartbeat", "1s");
    assertThat(s.url()).startsWith("http://127.0.0.1:");
    assertThat(HttpCalls.get(s.url() + "/healthz").status()).isEqualTo(200);
    try (SseRecorder sse = SseRecorder.open(s.url() + "/api/realtime?channel=room")) {
      sse.expectType("connected");
      var emitted =
          HttpCalls.post(
              s.url() + "/api/realtime/channels/room/events", "{\"event\":\"n\",\"data\":1}");
      assertThat(emitted.status()).isEqualTo(201);
      assertThat(sse.events(1).get(0).id()).isEqualTo(emitted.json().get("id").asString());
      s.process().toHandle().destroy(); // SIGTERM (Process.destroy would also close our pipes)
      sse.expectType("reconnect");
      assertThat(s.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(s.process().exitValue()).isZero();
    }
    org.awaitility.Awaitility.await()
        .alias("output: " + s.output())
        .until(() -> String.join("\n", s.output()).contains("stopped"));
    assertThat(String.join("\n", s.output())).contains("shutting down: telling 1 streams");
  }

  @Test
  void refusesToServeEveryChannelToTheNetworkWithoutASecret() throws Exception {
    Served s = serve("--host", "0.0.0.0", "--port", "0");
    assertThat(s.url()).isNull();
    assertThat(s.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(s.process().exitValue()).isEqualTo(2);
    assertThat(String.join("\n", s.output())).contains("--insecure").contains("secret");
  }

  @Test
  void requiresTokensWhenGivenASecret() throws Exception {
    Served s = serve("--port", "0", "--secret", "s".repeat(40));
    assertThat(s.url()).isNotNull();
    var refused = HttpCalls.get(s.url() + "/api/realtime/channels/room/history");
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.error()).contains("Bearer");
  }

  @Test
  void servesOnATlsRedisWhoseCaIsGivenAndSaysWhatIsWrongWithoutIt() throws Exception {
    try (RedisServer redis = RedisServer.builder().tls().password("pw-of-the-test").start()) {
      String uri = "rediss://:pw-of-the-test@127.0.0.1:" + redis.port();
      Served s =
          serve("--port", "0", "--redis", uri, "--redis-ca-file", redis.caCertificate().toString());
      assertThat(s.url()).as("output: %s", s.output()).isNotNull();
      var emitted =
          HttpCalls.post(
              s.url() + "/api/realtime/channels/room/events", "{\"event\":\"n\",\"data\":1}");
      assertThat(emitted.status()).isEqualTo(201);
      s.process().toHandle().destroy();
      assertThat(s.process().waitFor(20, TimeUnit.SECONDS)).isTrue();

      Served untrusted = serve("--port", "0", "--redis", uri);
      assertThat(untrusted.url()).isNull();
      assertThat(untrusted.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(untrusted.process().exitValue()).isNotZero();
      assertThat(String.join("\n", untrusted.output()))
          .contains("trustedCertificates")
          .doesNotContain("pw-of-the-test")
          .doesNotContain("is redis-server running there");

      Served plain =
          serve(
              "--port",
              "0",
              "--redis",
              "redis://127.0.0.1:" + redis.port(),
              "--redis-ca-file",
              redis.caCertificate().toString());
      assertThat(plain.url()).isNull();
      assertThat(plain.process().waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(plain.process().exitValue()).isEqualTo(2);
      assertThat(String.join("\n", plain.output())).contains("redis-ca-file applies only to TLS");
    }
  }
}
