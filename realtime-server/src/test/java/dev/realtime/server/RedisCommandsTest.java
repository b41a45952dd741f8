package dev.realtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.redis.FreePorts;
import dev.realtime.redis.RedisServer;
import dev.realtime.server.cli.Main;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code realtime emit}, {@code history} and {@code bench emit} through the command line's entry
 * point, against a redis-server of this test's own.
 */
class RedisCommandsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  static RedisServer server;

  @BeforeAll
  static void startServer() {
    server = RedisServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  record Result(int exitCode, String out, String err) {
    /** The one error line, checked to be one line without a stack trace. */
    String errorLine() {
      assertThat(err.strip().lines()).as("stderr: %s", err).hasSize(1);
      assertThat(err).startsWith("realtime: ").doesNotContain("Exception").doesNotContain("\tat ");
      return err.strip();
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  static String emit(String channel, String event, String json) {
    Result r = run("emit", "--redis", server.uri(), channel, event, json);
    assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
    assertThat(r.err()).isEmpty();
    String id = r.out().strip();
    assertThat(id).matches("\\d+-\\d+");
    return id;
  }

  static JsonNode history(String channel, String... options) {
    List<String> args = new ArrayList<>(List.of("history", "--redis", server.uri(), channel));
    args.addAll(List.of(options));
    Result r = run(args.toArray(String[]::new));
    assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
    assertThat(r.err()).isEmpty();
    JsonNode array = JSON.readTree(r.out());
    assertThat(array.isArray()).isTrue();
    return array;
  }

  @Test
  void emitThenHistoryRoundTripsIdsEventsAndDataWithTheirTypes() {
    String channel = "cli-round-trip, 123/é"; // commas, slashes, spaces and non-ASCII are fine
    String object =
        "{\"user\":\"ada\",\"n\":42,\"s\":\"42\",\"f\":2.5,\"ok\":true,\"nested\":[1,null]}";
    String big = "123456789012345678901234567890";
    String jsonLookingString = "\"{\\\"a\\\":1}\"";
    String id1 = emit(channel, "chat.message", object);
    String id2 = emit(channel, "big.number", big);
    String id3 = emit(channel, "chat.message", jsonLookingString);
    assertThat(List.of(id1, id2, id3)).doesNotHaveDuplicates();

    JsonNode messages = history(channel);
    assertThat(messages).hasSize(3);
    assertThat(ids(messages)).containsExactly(id1, id2, id3);
    JsonNode first = messages.get(0);
    assertThat(first.propertyNames()).containsExactly("id", "event", "channel", "data");
    assertThat(first.get("event").stringValue()).isEqualTo("chat.message");
    assertThat(first.get("channel").stringValue()).isEqualTo(channel);
    assertThat(first.get("data")).isEqualTo(JSON.readTree(object));
    assertThat(first.get("data").get("n").isNumber()).isTrue();
    assertThat(first.get("data").get("s").isString()).isTrue();
    assertThat(messages.get(1).get("event").stringValue()).isEqualTo("big.number");
    assertThat(messages.get(1).get("data").bigIntegerValue()).hasToString(big);
    assertThat(messages.get(2).get("data").isString()).isTrue();
    assertThat(messages.get(2).get("data").stringValue()).isEqualTo("{\"a\":1}");
  }

  /** With the prefix a server uses, the command line reaches its channels (and only those). */
  @Test
  void aKeyPrefixReachesTheChannelsOfAServerThatUsesIt() {
    try (dev.realtime.redis.RedisEngine engine =
            dev.realtime.redis.RedisEngine.builder(server.uri()).keyPrefix("app:").build();
        dev.realtime.Realtime app = dev.realtime.Realtime.builder().engine(engine).build()) {
      String fromApp = app.channel("cli-prefixed").emit("n", 1);
      Result emitted =
          run(
              "emit",
              "--redis",
              server.uri(),
              "--redis-key-prefix",
              "app:",
              "cli-prefixed",
              "n",
              "2");
      assertThat(emitted.exitCode()).as("stderr: %s", emitted.err()).isZero();
      String fromCli = emitted.out().strip();
      assertThat(app.channel("cli-prefixed").history())
          .extracting(dev.realtime.HistoryMessage::id)
          .containsExactly(fromApp, fromCli);
      Result read =
          run("history", "--redis", server.uri(), "--redis-key-prefix", "app:", "cli-prefixed");
      assertThat(ids(JSON.readTree(read.out()))).containsExactly(fromApp, fromCli);
      assertThat(history("cli-prefixed")).isEmpty(); // without the prefix: another key
    }
  }

  /** A TLS Redis whose CA is private: trusted with --redis-ca-file, refused without it. */
  @Test
  void aPrivateCaIsTrustedWithItsFile() {
    try (RedisServer tls = RedisServer.builder().tls().start()) {
      String uri = "rediss://127.0.0.1:" + tls.port();
      String ca = tls.caCertificate().toString();
      Result emitted = run("emit", "--redis", uri, "--redis-ca-file", ca, "cli-tls", "n", "1");
      assertThat(emitted.exitCode()).as("stderr: %s", emitted.err()).isZero();
      Result read = run("history", "--redis", uri, "--redis-ca-file", ca, "cli-tls");
      assertThat(ids(JSON.readTree(read.out()))).containsExactly(emitted.out().strip());
      Result untrusted = run("history", "--redis", uri, "cli-tls");
      assertThat(untrusted.exitCode()).isEqualTo(1);
      assertThat(untrusted.err()).contains("trust its certificate with --redis-ca-file FILE");
      assertThat(run("history", "--redis", uri, "--redis-ca-file", "/no/such.pem", "c").exitCode())
          .isEqualTo(2);
    }
  }

  @Test
  void historyKeepsTheOldestByDefaultAndTheNewestWithLatest() {
    String channel = "cli-latest";
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 5; i++) ids.add(emit(channel, "n", Integer.toString(i)));

    assertThat(ids(history(channel))).containsExactlyElementsOf(ids);
    assertThat(ids(history(channel, "--limit", "2"))).containsExactly(ids.get(0), ids.get(1));
    JsonNode latest = history(channel, "--latest", "--limit", "2");
    assertThat(ids(latest)).containsExactly(ids.get(3), ids.get(4)); // still oldest first
    assertThat(latest.get(1).get("data").intValue()).isEqualTo(5);
    assertThat(ids(history(channel, "--latest"))).containsExactlyElementsOf(ids);

    long firstMs = Long.parseLong(ids.get(0).substring(0, ids.get(0).indexOf('-')));
    long lastMs = Long.parseLong(ids.get(4).substring(0, ids.get(4).indexOf('-')));
    assertThat(ids(history(channel, "--start", Long.toString(firstMs)))).hasSize(5);
    assertThat(ids(history(channel, "--start", Long.toString(lastMs + 1)))).isEmpty();
    assertThat(ids(history(channel, "--end", Long.toString(firstMs - 1)))).isEmpty();
    assertThat(history("cli-never-written")).isEmpty();
    assertThat(ids(history(channel, "--after", ids.get(1), "--limit", "2")))
        .containsExactly(ids.get(2), ids.get(3));
    assertThat(ids(history(channel, "--latest", "--before", ids.get(3), "--limit", "2")))
        .containsExactly(ids.get(1), ids.get(2));
  }

  @Test
  void badJsonIsOneLineSayingWhatIsWrongAndWhatIsAcceptedWithExitCode2() {
    for (String bad : new String[] {"hello", "{\"a\":1", "{\"a\":1} trailing", "", "'single'"}) {
      Result r = run("emit", "--redis", server.uri(), "cli-bad-json", "chat.message", bad);
      assertThat(r.exitCode()).as("for %s", bad).isEqualTo(2);
      assertThat(r.out()).isEmpty();
      assertThat(r.errorLine())
          .containsAnyOf("not valid JSON", "is empty")
          .contains("give one JSON value")
          .contains("string in double quotes");
    }
    assertThat(history("cli-bad-json")).isEmpty(); // nothing was emitted
  }

  @Test
  void argumentsThatAreNotAcceptedAreOneLineEachWithExitCode2() {
    assertThat(run("history", "--redis", server.uri(), "c", "--limit", "0").errorLine())
        .contains("--limit 0")
        .contains("1 to 1000");
    Result notANumber = run("history", "--redis", server.uri(), "c", "--limit", "ten");
    assertThat(notANumber.exitCode()).isEqualTo(2);
    assertThat(notANumber.errorLine()).contains("--limit").contains("'ten'");
    Result badChannel = run("emit", "--redis", server.uri(), "a\u0007b", "ev", "1");
    assertThat(badChannel.exitCode()).isEqualTo(2);
    assertThat(badChannel.errorLine()).contains("control character").contains("256 UTF-8 bytes");
    Result badEvent = run("emit", "--redis", server.uri(), "c", "no spaces", "1");
    assertThat(badEvent.exitCode()).isEqualTo(2);
    assertThat(badEvent.errorLine()).contains("letters, digits and ._:-");
    Result badUrl = run("emit", "--redis", "localhost:6379", "c", "ev", "1");
    assertThat(badUrl.exitCode()).isEqualTo(2);
    assertThat(badUrl.errorLine()).contains("localhost:6379").contains("redis://");
    Result noRedis = run("history", "c");
    assertThat(noRedis.exitCode()).isEqualTo(2);
    assertThat(noRedis.errorLine()).contains("--redis");
    Result badBench = run("bench", "emit", "--redis", server.uri(), "--concurrency", "0");
    assertThat(badBench.exitCode()).isEqualTo(2);
    assertThat(badBench.errorLine()).contains("--concurrency 0").contains("1 to");
  }

  @Test
  void anUnreachableRedisIsOneLineAndFailsQuickly() throws IOException {
    int port;
    port = FreePorts.outsideTheEphemeralRange(); // closed again: nothing listens there
    String url = "redis://127.0.0.1:" + port;
    for (String[] args :
        new String[][] {
          {"emit", "--redis", url, "c", "ev", "1"},
          {"history", "--redis", url, "c"},
          {"bench", "emit", "--redis", url, "--seconds", "1"}
        }) {
      long start = System.nanoTime();
      Result r = run(args);
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(r.out()).isEmpty();
      assertThat(r.errorLine())
          .contains("127.0.0.1:" + port)
          .contains("cannot connect")
          .contains("is redis-server running there?");
      assertThat(took).isLessThan(Duration.ofSeconds(5));
    }
  }

  /** A Redis that answered (a database it does not have) is not asked whether it is running. */
  @Test
  void aRedisThatAnsweredWithAnErrorGetsNoHintAboutRunningIt() {
    Result r = run("emit", "--redis", server.uri() + "/99", "c", "ev", "1");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.errorLine()).contains("DB index is out of range").doesNotContain("running");
  }

  @Test
  void aCaFileThatCannotBeReadIsNamedByItsOptionNotByAJavaMethod() {
    Result r =
        run(
            "emit",
            "--redis",
            "rediss://127.0.0.1:1",
            "--redis-ca-file",
            "/nonexistent/ca.pem",
            "c",
            "ev",
            "1");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errorLine())
        .startsWith("realtime: --redis-ca-file: ")
        .contains("/nonexistent/ca.pem")
        .doesNotContain("trustedCertificates");
  }

  @Test
  void benchEmitPrintsOneJsonLineWithItsFiguresAndDeletesWhatItWrote() {
    Result r =
        run(
            "bench",
            "emit",
            "--redis",
            server.uri(),
            "--seconds",
            "1",
            "--concurrency",
            "2",
            "--warmup",
            "1");
    assertThat(r.exitCode()).as("stderr: %s", r.err()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out().strip().lines()).hasSize(1);
    JsonNode line = JSON.readTree(r.out());
    for (String field :
        new String[] {
          "emits_per_sec", "emit_p50_ms", "emit_p99_ms", "delivery_p50_ms", "delivery_p99_ms"
        }) {
      assertThat(line.get(field)).as(field).isNotNull();
      assertThat(line.get(field).isNumber()).as(field).isTrue();
      assertThat(line.get(field).doubleValue()).as(field).isPositive();
    }
    for (String field : new String[] {"machine_wake_late_p50_ms", "machine_wake_late_p99_ms"}) {
      assertThat(line.get(field)).as(field).isNotNull();
      assertThat(line.get(field).doubleValue()).as(field).isNotNegative();
    }
    assertThat(line.get("machine_wake_late_p99_ms").doubleValue())
        .isGreaterThanOrEqualTo(line.get("machine_wake_late_p50_ms").doubleValue());
    assertThat(line.get("concurrency").intValue()).isEqualTo(2);
    assertThat(line.get("emits").longValue()).isPositive();
    assertThat(line.get("delivered").longValue()).isEqualTo(line.get("emits").longValue());
    assertThat(line.get("emit_p99_ms").doubleValue())
        .isGreaterThanOrEqualTo(line.get("emit_p50_ms").doubleValue());
    String channel = line.get("channel").stringValue();
    assertThat(channel).startsWith("realtime-bench-");
    assertThat(keys("realtime-bench-*")).isEmpty();

    Result paced =
        run(
            "bench",
            "emit",
            "--redis",
            server.uri(),
            "--seconds",
            "1",
            "--warmup",
            "0",
            "--concurrency",
            "2",
            "--rate",
            "200");
    assertThat(paced.exitCode()).as("stderr: %s", paced.err()).isZero();
    JsonNode p = JSON.readTree(paced.out());
    assertThat(p.get("rate").intValue()).isEqualTo(200);
    assertThat(p.get("emits").longValue()).isEqualTo(200);
    assertThat(p.get("delivered").longValue()).isEqualTo(200);
    assertThat(keys("realtime-bench-*")).isEmpty();

    // One pacing thread with emitAsync: the same schedule, the same counts.
    Result timer =
        run(
            "bench",
            "emit",
            "--redis",
            server.uri(),
            "--seconds",
            "1",
            "--warmup",
            "1",
            "--concurrency",
            "4",
            "--rate",
            "300",
            "--threads",
            "paced");
    assertThat(timer.exitCode()).as("stderr: %s", timer.err()).isZero();
    JsonNode t = JSON.readTree(timer.out());
    assertThat(t.get("threads").stringValue()).isEqualTo("paced");
    assertThat(t.get("emits").longValue()).isEqualTo(300);
    assertThat(t.get("delivered").longValue()).isEqualTo(300);
    assertThat(t.get("delivery_p99_ms").doubleValue()).isPositive();
    assertThat(t.get("emitter_lag_p99_ms").isNumber()).isTrue();
    assertThat(keys("realtime-bench-*")).isEmpty();
    // Under a key prefix, what it wrote is deleted too.
    Result prefixed =
        run(
            "bench",
            "emit",
            "--redis",
            server.uri(),
            "--redis-key-prefix",
            "p:",
            "--seconds",
            "1",
            "--warmup",
            "0");
    assertThat(prefixed.exitCode()).as("stderr: %s", prefixed.err()).isZero();
    assertThat(prefixed.err()).isEmpty();
    assertThat(keys("*realtime-bench-*")).isEmpty();
    Result unpaced = run("bench", "emit", "--redis", server.uri(), "--threads", "paced");
    assertThat(unpaced.exitCode()).isEqualTo(2);
    assertThat(unpaced.errorLine()).contains("--threads paced needs --rate R");
  }

  private static List<String> keys(String pattern) {
    RedisClient client = RedisClient.create(server.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      return c.sync().keys(pattern);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  private static List<String> ids(JsonNode messages) {
    List<String> ids = new ArrayList<>();
    for (JsonNode m : messages) ids.add(m.get("id").stringValue());
    return ids;
  }
}
