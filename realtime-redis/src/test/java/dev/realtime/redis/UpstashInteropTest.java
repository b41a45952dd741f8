package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Channel;
import dev.realtime.HistoryMessage;
import dev.realtime.Message;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import dev.realtime.Subscription;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Interoperability with the original: {@code @upstash/realtime} 1.1.0 running in NodeRun ({@code
 * src/test/node/driver.mjs}, its {@code @upstash/redis} transport replaced by a request hook on
 * ioredis) against the same redis-server as this library's {@link RedisEngine}.
 *
 * <p>Needs {@code node} (18+) and {@code npm} on the PATH; runs {@code npm ci} in {@code
 * src/test/node} once when {@code node_modules} is missing. When an assertion fails, what the Node
 * side printed is added to the failure message.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstashInteropTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The values both sides emit, under the event names of the driver's zod schema. */
  private static final String BIG = "12345678901234567890123";

  private static final String NESTED_JSON =
      "{\"user\":{\"name\":\"Ada \u2713 </b>\",\"tags\":[\"a\",\"b\"]},"
          + "\"count\":2,\"ok\":true,\"ratio\":1.5,\"none\":null}";

  private static Path nodeDir;
  private static RedisServer server;
  private static RedisEngine engine;
  private static Realtime realtime;
  private static RedisClient rawClient;
  private static StatefulRedisConnection<String, String> rawConnection;
  private static RedisCommands<String, String> raw;

  /** Errors that reached the Realtime's hook (none expected). */
  private static final List<Throwable> hookErrors = new CopyOnWriteArrayList<>();

  /** NodeRun processes of the running test, whose output a failure shows. */
  private final List<NodeRun> started = new ArrayList<>();

  @BeforeAll
  static void setUp() throws Exception {
    nodeDir = NodeProject.interop().install().dir();
    server = RedisServer.start();
    engine = RedisEngine.connect(server.uri());
    realtime = Realtime.builder().engine(engine).onError(hookErrors::add).build();
    rawClient = RedisClient.create(server.uri());
    rawConnection = rawClient.connect();
    raw = rawConnection.sync();
  }

  @AfterAll
  static void tearDown() {
    try {
      if (realtime != null) realtime.close();
      if (engine != null) engine.close();
      if (rawConnection != null) rawConnection.close();
      if (rawClient != null) rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } finally {
      if (server != null) server.close();
    }
  }

  @AfterEach
  void stopNodes() {
    started.forEach(NodeRun::close);
  }

  // ------------------------------------------------------------------ (a) Java -> original

  @Test
  void javaEmitsAndTheOriginalReceivesLiveInHistoryAndInReplay() throws Exception {
    String channel = "interop/java-to-ts";
    withNodeOutput(
        () -> {
          NodeRun live = node("subscribe", channel, "5", "--timeout-ms", "20000");
          live.awaitLine("ready");

          Channel ch = realtime.channel(channel);
          List<String> ids =
              List.of(
                  ch.emit("value.text", "hello"),
                  ch.emit("value.numericText", "123"),
                  ch.emit("value.number", 123),
                  ch.emit("value.big", new BigInteger(BIG)),
                  ch.emit("value.nested", nested()));

          assertThat(live.awaitExit()).as("exit code of the original's subscriber").isZero();
          assertReceivedJavaValues(live.lines("message"), ids, channel);

          // What Java stored: every value as JSON text, big integer with every digit.
          List<StreamMessage<String, String>> stored =
              raw.xrange(channel, io.lettuce.core.Range.create("-", "+"));
          assertThat(stored)
              .extracting(m -> m.getBody().get("data"))
              .containsExactly("\"hello\"", "\"123\"", "123", BIG, compact(NESTED_JSON));

          NodeRun history = node("history", channel);
          assertThat(history.awaitExit()).isZero();
          assertReceivedJavaValues(history.lines("history"), ids, channel);

          NodeRun replay = node("subscribe", channel, "5", "--history", "--timeout-ms", "20000");
          assertThat(replay.awaitExit()).isZero();
          assertReceivedJavaValues(replay.lines("message"), ids, channel);
        });
    assertThat(hookErrors).isEmpty();
  }

  /**
   * What the original sees of Java's five values, live, in history and in replay alike: Java stores
   * every value as JSON text, so each keeps its type, the string "123" included. The big integer
   * arrives as a JavaScript number, a double: 1.2345678901234568e22, its last digits lost (the
   * stream holds all 23 digits; the loss is JSON.parse's, inside the original).
   */
  private static void assertReceivedJavaValues(
      List<JsonNode> messages, List<String> ids, String channel) {
    assertThat(messages).hasSize(5);
    assertThat(messages).extracting(m -> m.get("id").stringValue()).containsExactlyElementsOf(ids);
    assertThat(messages).extracting(m -> m.get("channel").stringValue()).containsOnly(channel);
    assertThat(messages)
        .extracting(m -> m.get("event").stringValue())
        .containsExactly(
            "value.text", "value.numericText", "value.number", "value.big", "value.nested");
    assertThat(messages)
        .extracting(m -> m.get("type").stringValue())
        .containsExactly("string", "string", "number", "number", "object");

    assertThat(messages.get(0).get("data").isString()).isTrue();
    assertThat(messages.get(0).get("data").stringValue()).isEqualTo("hello");

    assertThat(messages.get(1).get("data").isString())
        .as("the string \"123\" stays a string")
        .isTrue();
    assertThat(messages.get(1).get("data").stringValue()).isEqualTo("123");

    assertThat(messages.get(2).get("data").isInt()).isTrue();
    assertThat(messages.get(2).get("data").intValue()).isEqualTo(123);

    JsonNode big = messages.get(3).get("data");
    assertThat(big.isNumber()).isTrue();
    assertThat(big.doubleValue()).isEqualTo(new BigInteger(BIG).doubleValue());
    assertThat(big.toString()).isEqualTo("1.2345678901234568E22"); // not every digit: a JS double

    assertThat(messages.get(4).get("data")).isEqualTo(JSON.readTree(NESTED_JSON));
  }

  // ------------------------------------------------------------------ (b) original -> Java

  @Test
  void theOriginalEmitsAndJavaReceivesLiveInHistoryAndInReplay() throws Exception {
    String channel = "interop/ts-to-java";
    List<Message<Object>> live = new CopyOnWriteArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    Channel ch = realtime.channel(channel);
    withNodeOutput(
        () -> {
          // A live subscriber of the original's own, for comparison.
          NodeRun tsLive = node("subscribe", channel, "5", "--timeout-ms", "20000");
          tsLive.awaitLine("ready");
          try (Subscription sub =
              ch.subscribe(Subscribe.toAll().onData(live::add).onError(errors::add))) {
            NodeRun emit =
                node(
                    "emit",
                    channel,
                    "value.text",
                    "\"hello\"",
                    "value.numericText",
                    "\"123\"",
                    "value.number",
                    "123",
                    "value.big",
                    BIG,
                    "value.nested",
                    NESTED_JSON);
            assertThat(emit.awaitExit()).as("exit code of the original's emit").isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> live.size() >= 5);
          }

          // What the original stored: strings raw (hello, 123), numbers as JavaScript prints them.
          List<StreamMessage<String, String>> stored =
              raw.xrange(channel, io.lettuce.core.Range.create("-", "+"));
          assertThat(stored)
              .extracting(m -> m.getBody().get("data"))
              .containsExactly("hello", "123", "123", "1.2345678901234568e+22", NESTED_JSON);
          List<String> ids = stored.stream().map(StreamMessage::getId).toList();

          assertThat(live).extracting(Message::id).containsExactlyElementsOf(ids);
          assertThat(live).extracting(Message::channel).containsOnly(channel);
          assertReceivedOriginalValues(live.stream().map(m -> (Object) m.data()).toList());
          assertThat(live)
              .extracting(Message::event)
              .containsExactly(
                  "value.text", "value.numericText", "value.number", "value.big", "value.nested");

          List<HistoryMessage> history = ch.history();
          assertThat(history).extracting(HistoryMessage::id).containsExactlyElementsOf(ids);
          assertReceivedOriginalValues(history.stream().map(HistoryMessage::data).toList());

          List<Message<Object>> replay = new CopyOnWriteArrayList<>();
          try (Subscription sub =
              ch.subscribe(
                  Subscribe.toAll().history(true).onData(replay::add).onError(errors::add))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> replay.size() >= 5);
          }
          assertThat(replay).extracting(Message::id).containsExactlyElementsOf(ids);
          assertReceivedOriginalValues(replay.stream().map(m -> (Object) m.data()).toList());

          // The original's own live subscribers parse the PUBLISH payload, where "123" is quoted;
          // its history reads the stream, and gets back the number 123 as Java does.
          assertThat(tsLive.awaitExit()).isZero();
          assertThat(tsLive.lines("message"))
              .extracting(m -> m.get("type").stringValue())
              .containsExactly("string", "string", "number", "number", "object");
          NodeRun own = node("history", channel);
          assertThat(own.awaitExit()).isZero();
          assertThat(own.lines("history"))
              .extracting(m -> m.get("type").stringValue())
              .containsExactly("string", "number", "number", "number", "object");
        });
    assertThat(errors).isEmpty();
    assertThat(hookErrors).isEmpty();
  }

  /**
   * What Java sees of the original's five values, live, in history and in replay alike (Java reads
   * the stream for all three):
   *
   * <ul>
   *   <li>"hello": String "hello". The original stores strings raw; text that is not one JSON value
   *       is read as the string it is.
   *   <li>"123": Integer 123. The original's defect, not Java's: it stores the string "123" raw as
   *       {@code 123}, the very bytes it stores for the number 123, so no reader can tell them
   *       apart (the original's own history and replay also give the number 123; only its live
   *       subscribers, which parse the PUBLISH payload, see the string).
   *   <li>123: Integer 123.
   *   <li>12345678901234567890123: Double 1.2345678901234568E22. A JavaScript number is a double,
   *       so the digits are gone before the original sends anything; it stores {@code
   *       1.2345678901234568e+22}, which Java reads as the double it is.
   *   <li>the object: a Map in field order, with Integer, Double, Boolean, null, List and a
   *       non-ASCII String, as written.
   * </ul>
   */
  private static void assertReceivedOriginalValues(List<Object> data) {
    assertThat(data).hasSize(5);
    assertThat(data.get(0)).isInstanceOf(String.class).isEqualTo("hello");
    assertThat(data.get(1)).isInstanceOf(Integer.class).isEqualTo(123); // the original's defect
    assertThat(data.get(2)).isInstanceOf(Integer.class).isEqualTo(123);
    assertThat(data.get(3)).isInstanceOf(Double.class).isEqualTo(1.2345678901234568E22);
    assertThat(data.get(4)).isEqualTo(nested());
    assertThat(List.<Object>copyOf(((Map<?, ?>) data.get(4)).keySet()))
        .containsExactly("user", "count", "ok", "ratio", "none");
  }

  // ------------------------------------------------------------------ (c) control messages

  @Test
  void theOriginalsPingControlMessagesAreIgnored() throws Exception {
    String channel = "interop/pings";
    List<Message<Object>> live = new CopyOnWriteArrayList<>();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    Channel ch = realtime.channel(channel);
    withNodeOutput(
        () -> {
          try (Subscription sub =
              ch.subscribe(Subscribe.toAll().onData(live::add).onError(errors::add))) {
            // Exactly what the original publishes every 60 s while a subscription is open.
            String ping = "{\"type\":\"ping\",\"timestamp\":" + System.currentTimeMillis() + "}";
            assertThat(raw.publish(channel, ping)).as("Pub/Sub subscribers of the channel").isOne();
            raw.publish(channel, ping);
            raw.publish(channel, "not json at all");

            await()
                .during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(5)) // 500 ms of nothing, however late the polls run
                .until(() -> live.isEmpty() && errors.isEmpty() && hookErrors.isEmpty());
            assertThat(raw.exists(channel)).as("a ping stores nothing").isZero();

            // The subscription is still alive: the next real event arrives, alone.
            NodeRun emit = node("emit", channel, "value.text", "\"after the pings\"");
            assertThat(emit.awaitExit()).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> !live.isEmpty());
            assertThat(live).extracting(Message::data).containsExactly("after the pings");
            assertThat(sub.isActive()).isTrue();
          }
        });
    assertThat(errors).isEmpty();
    assertThat(hookErrors).isEmpty();
  }

  // ------------------------------------------------------------------ strings that look like JSON

  /** Strings that are, nearly are, or are not JSON text. */
  private static final List<String> TRICKY =
      List.of(
          "",
          " ",
          "true",
          "null",
          "01",
          "1.0",
          "-0",
          " 42 ",
          "{\"a\":1}",
          "[1,2]",
          "\"quoted\"",
          "NaN",
          "123abc",
          "\u00a042",
          "[1,]",
          "line\nbreak",
          BIG);

  /**
   * Java reads what the original stores exactly as the original's own reader does (as the same kind
   * of JSON value: both JSON-parse {@code data} and fall back to the raw string), so the two sides
   * agree on every entry; and the original reads every string Java stores as that very string.
   *
   * <p>They differ only where Java is exact and JavaScript is not: the string of 23 digits is a
   * number to both, a BigInteger with every digit in Java and a rounded double in JavaScript.
   */
  @Test
  void stringsThatLookLikeJsonReadTheSameOnBothSides() throws Exception {
    String fromTs = "interop/tricky-from-ts";
    String fromJava = "interop/tricky-from-java";
    withNodeOutput(
        () -> {
          List<String> emitArgs = new ArrayList<>(List.of("emit", fromTs));
          for (String s : TRICKY) {
            emitArgs.add("value.any");
            emitArgs.add(JSON.writeValueAsString(s));
          }
          assertThat(node(emitArgs.toArray(String[]::new)).awaitExit()).isZero();
          NodeRun tsReads = node("history", fromTs);
          assertThat(tsReads.awaitExit()).isZero();
          List<String> tsKinds =
              tsReads.lines("history").stream().map(m -> m.get("type").stringValue()).toList();
          List<HistoryMessage> javaReads = realtime.channel(fromTs).history();
          List<String> javaKinds = javaReads.stream().map(m -> kind(m.data())).toList();
          assertThat(javaKinds).hasSize(TRICKY.size()).isEqualTo(tsKinds);
          assertThat(javaKinds)
              .containsExactly(
                  "string", "string", "boolean", "null", "string", "number", "number", "number",
                  "object", "array", "string", "string", "string", "string", "string", "string",
                  "number");
          assertThat(javaReads.getLast().data()).isEqualTo(new BigInteger(BIG));

          Channel ch = realtime.channel(fromJava);
          for (String s : TRICKY) ch.emit("value.any", s);
          NodeRun readsJava = node("history", fromJava);
          assertThat(readsJava.awaitExit()).isZero();
          assertThat(readsJava.lines("history"))
              .extracting(m -> m.get("data").stringValue())
              .containsExactlyElementsOf(TRICKY);
          assertThat(readsJava.lines("history"))
              .extracting(m -> m.get("type").stringValue())
              .containsOnly("string");
        });
    assertThat(hookErrors).isEmpty();
  }

  /** The JavaScript typeof (with "null" and "array") of a plain Java value. */
  private static String kind(Object value) {
    return switch (value) {
      case null -> "null";
      case String s -> "string";
      case Boolean b -> "boolean";
      case Number n -> "number";
      case Map<?, ?> m -> "object";
      case List<?> l -> "array";
      default -> value.getClass().getName();
    };
  }

  // ------------------------------------------------------------------ values

  /** The nested object as Java emits it and expects it back: field order kept, a null value. */
  private static Map<String, Object> nested() {
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("name", "Ada \u2713 </b>");
    user.put("tags", List.of("a", "b"));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user", user);
    m.put("count", 2);
    m.put("ok", true);
    m.put("ratio", 1.5);
    m.put("none", null);
    return m;
  }

  /** JSON text with every non-ASCII character escaped (they only occur inside strings). */
  private static String asciiJson(String json) {
    StringBuilder out = new StringBuilder(json.length());
    for (char c : json.toCharArray()) {
      if (c < 0x80) out.append(c);
      else out.append(String.format("\\u%04x", (int) c));
    }
    return out.toString();
  }

  private static String compact(String json) {
    return JSON.writeValueAsString(JSON.readTree(json));
  }

  // ------------------------------------------------------------------ Node

  interface Body {
    void run() throws Exception;
  }

  /** Runs {@code body}; a failure gets what every NodeRun process of this test printed. */
  private void withNodeOutput(Body body) throws Exception {
    try {
      body.run();
    } catch (AssertionError | Exception e) {
      StringBuilder out = new StringBuilder(String.valueOf(e.getMessage()));
      for (NodeRun n : started) out.append("\n\n").append(n.transcript());
      AssertionError failure = new AssertionError(out.toString(), e);
      throw failure;
    }
  }

  /**
   * Starts the driver. Arguments must be ASCII, apart from JSON arguments, whose non-ASCII
   * characters are sent as JSON escapes (backslash u XXXX): the JVM encodes a command line in the
   * platform charset, which is ASCII on a machine without a UTF-8 locale (LANG unset, as in CI).
   */
  private NodeRun node(String... args) throws IOException {
    List<String> command =
        new ArrayList<>(List.of("node", "driver.mjs", Integer.toString(server.port())));
    for (String arg : args) command.add(asciiJson(arg));
    NodeRun n = new NodeRun(command, nodeDir);
    started.add(n);
    return n;
  }
}
