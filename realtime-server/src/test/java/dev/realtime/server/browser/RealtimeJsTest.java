package dev.realtime.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.redis.FreePorts;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.auth.TokenMinter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The browser client's behaviour, run in Node against real servers: back-off that stops, resume
 * without loss or duplicates after every kind of drop, gaps, channel changes, refusals. Each test
 * checks what the client's callbacks report, line by line.
 */
class RealtimeJsTest {
  static final String SECRET = "a-test-secret-of-at-least-thirty-two-bytes!";

  final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing.reversed()) c.close();
  }

  <T extends AutoCloseable> T closeLater(T c) {
    closing.add(c);
    return c;
  }

  RealtimeServer server(Realtime realtime, ServerConfig.Builder config) {
    closeLater(realtime);
    return closeLater(RealtimeServer.builder(realtime).config(config.port(0).build()).start());
  }

  NodeClient client() {
    return closeLater(NodeClient.start());
  }

  static List<String> ids(List<JsonNode> data) {
    return data.stream().map(d -> d.get("id").asString()).toList();
  }

  @Test
  void givesUpAfterMaxAttemptsWithAGrowingBackoffAndStopsForGood() throws Exception {
    List<Long> requests = new CopyOnWriteArrayList<>();
    String unavailable = answering503(requests);
    NodeClient client = client();

    client.connect(
        Map.of(
            "url",
            unavailable,
            "channels",
            List.of("room"),
            "maxAttempts",
            4,
            "backoff",
            Map.of("initialMs", 100, "maxMs", 1000)));

    JsonNode last = gaveUp(client);
    assertThat(last.get("message").asString())
        .contains("gave up after 4 failed attempts")
        .contains("the engine is unavailable");
    assertThat(last.get("status").asInt()).isEqualTo(503);
    assertThat(client.ofType("error")).hasSize(4); // three retried, then the last
    assertThat(client.statuses()).containsExactly("connecting", "reconnecting", "error");
    assertThat(requests).hasSize(4);
    // Each wait is drawn from [ceiling/2, ceiling], the ceiling doubling from initialMs (100 ms).
    List<Long> waits =
        IntStream.range(1, 4).mapToObj(i -> requests.get(i) - requests.get(i - 1)).toList();
    // The lower bounds are exact (each wait starts after its request was seen); the upper ones
    // leave room for a late Node timer and a slow request on a loaded machine.
    assertThat(waits.get(0)).isBetween(45L, 500L);
    assertThat(waits.get(1)).isBetween(95L, 700L);
    assertThat(waits.get(2)).isBetween(195L, 1100L);
    assertThat(waits.get(2)).isGreaterThan(waits.get(0));
    Thread.sleep(1500); // longer than any wait it could still be in: it really stopped
    assertThat(requests).hasSize(4);
    assertThat(client.statuses()).endsWith("error");
  }

  /** close() called from inside a callback is final: no status after closed, no request. */
  @Test
  void closeFromInsideACallbackStopsTheClientForGood() throws Exception {
    for (Map<String, Object> how :
        List.<Map<String, Object>>of(
            Map.of("closeOnError", true),
            Map.of("closeOnStatus", "reconnecting"),
            Map.of("closeOnStatus", "connecting"))) {
      List<Long> requests = new CopyOnWriteArrayList<>();
      String unavailable = answering503(requests);
      NodeClient client = client();
      Map<String, Object> options = new java.util.HashMap<>(how);
      options.put("url", unavailable);
      options.put("backoff", Map.of("initialMs", 20, "maxMs", 40));
      client.connect(options);
      client.awaitStatus("closed", Duration.ofSeconds(5));
      Thread.sleep(500); // several back-offs: a client still running would have asked again
      assertThat(client.statuses()).as("%s", how).endsWith("closed");
      assertThat(requests).as("requests after close, %s", how).hasSizeLessThanOrEqualTo(1);
    }
  }

  /**
   * A server that ends every stream at once (here: a maximum duration of 30 ms, before anything is
   * delivered) counts as failing: the client gives up after maxAttempts instead of looping.
   */
  @Test
  void connectionsThatTheServerEndsAtOnceCountAsFailedAttempts() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server =
        server(realtime, ServerConfig.builder().maxDuration(Duration.ofMillis(30)));
    NodeClient client = client();
    client.connect(
        Map.of(
            "url",
            server.url() + "/api/realtime",
            "channels",
            List.of("quiet"),
            "maxAttempts",
            3,
            "backoff",
            Map.of("initialMs", 20, "maxMs", 40)));
    JsonNode last = gaveUp(client);
    assertThat(last.get("message").asString()).contains("gave up after 3");
    // Three attempts, each connected and ended at once (or, now and then, failed outright when the
    // HTTP client reused the connection the server had just closed).
    assertThat(client.statuses().stream().filter("connected"::equals).count())
        .as("%s", client.all())
        .isBetween(1L, 3L);
  }

  /** history() pages through a channel with after and before; a bad id is the server's 400. */
  @Test
  void historyPagesWithAfterAndBefore() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server = server(realtime, ServerConfig.builder());
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 250; i++) ids.add(realtime.channel("h").emit("n", i));
    NodeClient client = client();
    String url = server.url() + "/api/realtime";
    List<String> read = new ArrayList<>();
    Map<String, Object> args = Map.of("url", url, "channel", "h", "limit", 100);
    for (; ; ) {
      client.command("history", "args", args);
      List<String> page = ids(list(client.next("history").get("messages")));
      if (page.isEmpty()) break;
      read.addAll(page);
      args = Map.of("url", url, "channel", "h", "limit", 100, "after", page.getLast());
    }
    assertThat(read).isEqualTo(ids);
    client.command(
        "history",
        "args",
        Map.of("url", url, "channel", "h", "limit", 2, "latest", true, "before", ids.get(10)));
    assertThat(ids(list(client.next("history").get("messages"))))
        .containsExactly(ids.get(8), ids.get(9));
    client.command("history", "args", Map.of("url", url, "channel", "h", "after", "soon"));
    JsonNode bad = client.next("historyError");
    assertThat(bad.get("status").asInt()).isEqualTo(400);
    assertThat(bad.get("message").asString()).contains("after 'soon' is not a message id");
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  /** removeChannel then addChannel in one task (switching rooms) keeps the client going. */
  @Test
  void switchingTheOnlyChannelDoesNotCloseTheClient() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server = server(realtime, ServerConfig.builder());
    NodeClient client = client();
    client.connect(Map.of("url", server.url() + "/api/realtime", "channels", List.of("a")));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    client.command("replaceChannel", "from", "a", "to", "b");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.metrics().openStreams() == 1 && client.statuses().size() >= 4);
    String id = realtime.channel("b").emit("n", 1);
    client.awaitData(1, Duration.ofSeconds(5));
    assertThat(ids(client.data())).containsExactly(id);
    assertThat(client.statuses()).doesNotContain("closed");
  }

  /** A token function that never settles is cut off by the watchdog and retried, then given up. */
  @Test
  void aTokenFunctionThatNeverSettlesDoesNotHangTheClient() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server = server(realtime, ServerConfig.builder());
    NodeClient client = client();
    client.connect(
        Map.of(
            "url",
            server.url() + "/api/realtime",
            "tokenNeverSettles",
            true,
            "heartbeatTimeoutMs",
            200,
            "maxAttempts",
            2,
            "backoff",
            Map.of("initialMs", 20, "maxMs", 40)));
    JsonNode last = gaveUp(client);
    assertThat(last.get("message").asString()).contains("gave up").contains("no data for 200 ms");
    assertThat(client.statuses()).endsWith("error");
  }

  /** The stream URL of a loopback server answering 503 to everything; records each request. */
  String answering503(List<Long> requests) throws IOException {
    ServerSocket listener = closeLater(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    Thread.ofVirtual().start(() -> answer503(listener, requests));
    return "http://127.0.0.1:" + listener.getLocalPort() + "/api/realtime";
  }

  /** The error with which the client gave up (willRetry false). */
  static JsonNode gaveUp(NodeClient client) {
    JsonNode error =
        client.next(
            l -> NodeClient.type(l, "error") && !l.get("willRetry").asBoolean(),
            Duration.ofSeconds(10));
    client.awaitStatus("error", Duration.ofSeconds(5)); // told right after onError
    return error;
  }

  /** Answers every request 503 with a JSON error, as the server does when its engine is down. */
  private static void answer503(ServerSocket listener, List<Long> requests) {
    while (!listener.isClosed()) {
      try (Socket s = listener.accept()) {
        InputStream in = s.getInputStream();
        byte[] head = new byte[4096];
        int n = 0;
        while (n < head.length) { // read the request head
          int r = in.read(head, n, head.length - n);
          if (r < 0) break;
          n += r;
          if (new String(head, 0, n, StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) break;
        }
        requests.add(System.currentTimeMillis());
        byte[] body =
            "{\"error\":\"the engine is unavailable: test\"}".getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(
            ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
      } catch (IOException e) {
        // next
      }
    }
  }

  @Test
  void aServerThatIsDownIsRetriedThenGivenUp() throws Exception {
    int port;
    port = FreePorts.outsideTheEphemeralRange(); // nothing listens there afterwards
    NodeClient client = client();
    client.connect(
        Map.of(
            "url",
            "http://127.0.0.1:" + port + "/api/realtime",
            "maxAttempts",
            3,
            "backoff",
            Map.of("initialMs", 20, "maxMs", 50)));
    JsonNode last = gaveUp(client);
    assertThat(last.get("message").asString())
        .contains("gave up after 3 failed attempts")
        .contains("connection failed");
    assertThat(client.statuses()).containsExactly("connecting", "reconnecting", "error");
  }

  @Test
  void resumesAfterNetworkDropsWithoutLossOrDuplicatesAndReplaysHistoryOnlyOnce() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server =
        server(realtime, ServerConfig.builder().heartbeat(Duration.ofMillis(200)));
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    List<String> emitted = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 10; i++) emitted.add(realtime.channel("r").emit("n", i));
    NodeClient client = client();

    client.connect(
        Map.of(
            "url", proxy.url() + "/api/realtime",
            "channels", List.of("r"),
            "history", Map.of("latest", 3),
            "backoff", Map.of("initialMs", 40, "maxMs", 200)));
    assertThat(ids(client.awaitData(3, Duration.ofSeconds(10)))).isEqualTo(emitted.subList(7, 10));

    client.awaitStatus("connected", Duration.ofSeconds(10));
    Thread emitter =
        Thread.ofVirtual()
            .start(
                () -> {
                  for (int i = 10; i < 310; i++) {
                    emitted.add(realtime.channel("r").emit("n", i));
                    sleep(3);
                  }
                });
    for (int cut = 1; cut <= 5; cut++) {
      // At counts the emitter always reaches (a count relative to what arrived so far could lie
      // past its end on a slow machine, where the cycles fall behind the emitter).
      client.awaitData(3 + 50 * cut, Duration.ofSeconds(10)); // mid-stream, mostly
      proxy.cut();
      client.awaitStatus("reconnecting", Duration.ofSeconds(10));
      client.awaitStatus("connected", Duration.ofSeconds(10));
    }
    emitter.join();
    List<JsonNode> data = client.awaitData(303, Duration.ofSeconds(10));
    Thread.sleep(300); // a duplicate would arrive now
    assertThat(ids(client.data())).isEqualTo(emitted.subList(7, 310));
    assertThat(data.get(0).get("data").asInt()).isEqualTo(7);
    assertThat(client.statuses().stream().filter("reconnecting"::equals))
        .hasSizeGreaterThanOrEqualTo(5);
    assertThat(client.ofType("error")).allMatch(e -> e.get("willRetry").asBoolean());
  }

  @Test
  void reconnectsAtOnceWhenTheServerSaysSo() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server =
        server(realtime, ServerConfig.builder().maxDuration(Duration.ofMillis(250)));
    NodeClient client = client();
    // A reconnect that waited for the back-off (10 s here) would make this test time out; the
    // client spreads reconnects asked for by the server over at most 250 ms.
    client.connect(
        Map.of(
            "url", server.url() + "/api/realtime",
            "channels", List.of("r"),
            "backoff", Map.of("initialMs", 10_000, "maxMs", 10_000)));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    List<String> emitted = new ArrayList<>();
    long end = System.currentTimeMillis() + 2000;
    for (int i = 0; System.currentTimeMillis() < end; i++) {
      emitted.add(realtime.channel("r").emit("n", i));
      sleep(4);
    }
    client.awaitData(emitted.size(), Duration.ofSeconds(5));
    Thread.sleep(200);
    assertThat(ids(client.data())).isEqualTo(emitted);
    assertThat(client.statuses().stream().filter("connected"::equals))
        .hasSizeGreaterThanOrEqualTo(4);
    assertThat(client.ofType("error")).isEmpty(); // a reconnect frame is not a failure
  }

  /**
   * A status callback that calls reconnect() (here on the reconnecting status of a reconnect frame)
   * makes one request, not two: one stream is open on the server, and none after close().
   */
  @Test
  void reconnectFromAStatusCallbackOpensOneStreamAndCloseEndsIt() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server =
        server(realtime, ServerConfig.builder().maxDuration(Duration.ofMillis(300)));
    NodeClient client = client();
    client.connect(
        Map.of(
            "url",
            server.url() + "/api/realtime",
            "channels",
            List.of("r"),
            "reconnectOnStatus",
            "reconnecting",
            "backoff",
            Map.of("initialMs", 10_000, "maxMs", 10_000)));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(5)).until(() -> client.statuses().contains("reconnecting"));
    for (int i = 0; i < 10; i++) {
      assertThat(server.metrics().openStreams()).as("streams open on the server").isLessThan(2);
      sleep(100);
    }
    client.command("close"); // rt.close()
    await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().openStreams() == 0);
  }

  /**
   * Channels whose resume URL (each name twice, with a position) would pass the server's request
   * line are refused at once, not after the first drop, when the refusal would stop the client.
   */
  @Test
  void channelsTooLongForAResumeUrlAreRefusedUpFront() throws Exception {
    NodeClient client = client();
    List<String> names =
        IntStream.range(0, 100).mapToObj(i -> "\u00fc".repeat(58) + "-" + i).toList();
    assertThatThrownBy(
            () ->
                client.connect(Map.of("url", "http://127.0.0.1:9/api/realtime", "channels", names)))
        .hasMessageContaining("RangeError: 100 channels need a resume URL of")
        .hasMessageContaining("use fewer or shorter channel names");
  }

  /**
   * A client that gave up (status error) starts again when a channel is added, with every channel
   * it had: what the jobs page does when a job starts after its stream gave up.
   */
  @Test
  void addingAChannelAfterGivingUpRestartsWithEveryChannel() throws Exception {
    int port = FreePorts.outsideTheEphemeralRange(); // nothing listens there yet
    NodeClient client = client();
    client.connect(
        Map.of(
            "url",
            "http://127.0.0.1:" + port + "/api/realtime",
            "channels",
            List.of("a"),
            "maxAttempts",
            2,
            "backoff",
            Map.of("initialMs", 20, "maxMs", 40)));
    gaveUp(client);
    Realtime realtime = closeLater(Realtime.create());
    closeLater(
        RealtimeServer.builder(realtime).config(ServerConfig.builder().port(port).build()).start());
    client.command("addChannel", "channel", "b");
    client.awaitStatus("connected", Duration.ofSeconds(10));
    String a = realtime.channel("a").emit("n", 1);
    String b = realtime.channel("b").emit("n", 2);
    assertThat(ids(client.awaitData(2, Duration.ofSeconds(10)))).containsExactlyInAnyOrder(a, b);
  }

  /** A URL that cannot work (relative, outside a browser) fails connect() at once, not retried. */
  @Test
  void aUrlThatCannotWorkFailsAtOnce() throws Exception {
    NodeClient client = client();
    assertThatThrownBy(
            () -> client.connect(Map.of("url", "/api/realtime", "channels", List.of("a"))))
        .hasMessageContaining("TypeError: url ")
        .hasMessageContaining("/api/realtime")
        .hasMessageContaining("is not a URL: outside a browser give it whole");
  }

  @Test
  void aSilentConnectionIsDeclaredDeadAfterTheHeartbeatTimeout() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server =
        server(realtime, ServerConfig.builder().heartbeat(Duration.ofMillis(100)));
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    NodeClient client = client();
    client.connect(
        Map.of(
            "url",
            proxy.url() + "/api/realtime",
            "channels",
            List.of("r"),
            "heartbeatTimeoutMs",
            600,
            "backoff",
            Map.of("initialMs", 40, "maxMs", 200)));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    String first = realtime.channel("r").emit("n", 1);
    client.awaitData(1, Duration.ofSeconds(5));

    proxy.freeze(); // the old link stays open but silent
    String second = realtime.channel("r").emit("n", 2);
    JsonNode dead = client.next("error");
    assertThat(dead.get("message").asString()).contains("no data for 600 ms");
    client.awaitData(2, Duration.ofSeconds(5));
    assertThat(ids(client.data())).containsExactly(first, second);
  }

  /**
   * Without heartbeatTimeoutMs, the client takes the server's heartbeat from its connected frames
   * (heartbeatMs) and declares a silent link dead after three of them: here 300 ms, not 45 s.
   */
  @Test
  void theWatchdogFollowsTheServersHeartbeat() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server =
        server(realtime, ServerConfig.builder().heartbeat(Duration.ofMillis(100)));
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    NodeClient client = client();
    client.connect(
        Map.of(
            "url", proxy.url() + "/api/realtime",
            "channels", List.of("r"),
            "backoff", Map.of("initialMs", 40, "maxMs", 200)));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    String first = realtime.channel("r").emit("n", 1);
    client.awaitData(1, Duration.ofSeconds(5));
    proxy.freeze();
    String second = realtime.channel("r").emit("n", 2);
    JsonNode dead = client.next(l -> NodeClient.type(l, "error"), Duration.ofSeconds(5));
    assertThat(dead.get("message").asString()).contains("no data for 300 ms");
    client.awaitData(2, Duration.ofSeconds(5));
    assertThat(ids(client.data())).containsExactly(first, second);
  }

  /**
   * A server that sends no heartbeat (heartbeatMs 0) turns the silence check off for its
   * connection, not for the next one: a reconnect whose request never gets an answer is cut off by
   * the default timeout and retried. The client runs with its default shortened to 500 ms (a copy
   * of realtime.js differing in that constant only), so the test need not wait 45 s.
   */
  @Test
  void aRequestThatNeverGetsAnAnswerIsCutOffEvenAfterAServerWithoutHeartbeats(@TempDir Path dir)
      throws Exception {
    String source = Files.readString(NodeClient.CLIENT);
    String shortened = source.replace("heartbeatTimeoutMs: 45000,", "heartbeatTimeoutMs: 500,");
    assertThat(shortened).isNotEqualTo(source);
    Path patched = Files.writeString(dir.resolve("realtime.js"), shortened);

    Realtime realtime = Realtime.create();
    RealtimeServer server = server(realtime, ServerConfig.builder().heartbeat(Duration.ZERO));
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    NodeClient client = closeLater(NodeClient.start(patched));
    client.connect(
        Map.of(
            "url", proxy.url() + "/api/realtime",
            "channels", List.of("r"),
            "backoff", Map.of("initialMs", 40, "maxMs", 200)));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    String first = realtime.channel("r").emit("n", 1);
    client.awaitData(1, Duration.ofSeconds(5));

    proxy.stallNew(true); // the next request reaches nothing and is never answered
    proxy.cut();
    JsonNode cutOff =
        client.next(
            l ->
                NodeClient.type(l, "error")
                    && l.get("message").asString().contains("no data for 500 ms"),
            Duration.ofSeconds(10));
    assertThat(cutOff.get("willRetry").asBoolean()).isTrue();
    proxy.stallNew(false);
    String second = realtime.channel("r").emit("n", 2);
    client.awaitData(2, Duration.ofSeconds(10));
    assertThat(ids(client.data())).containsExactly(first, second);
  }

  @Test
  void reportsAGapAndGoesOnFromTheOldestMessageKept() throws Exception {
    Realtime realtime = Realtime.builder().history(History.maxLength(5)).build();
    RealtimeServer server = server(realtime, ServerConfig.builder());
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    NodeClient client = client();
    client.connect(
        Map.of(
            "url", proxy.url() + "/api/realtime",
            "channels", List.of("g"),
            "backoff", Map.of("initialMs", 40, "maxMs", 100)));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    List<String> emitted = new ArrayList<>();
    for (int i = 0; i < 3; i++) emitted.add(realtime.channel("g").emit("n", i));
    client.awaitData(3, Duration.ofSeconds(5));

    proxy.refuse(true);
    proxy.cut();
    int before = proxy.accepted();
    for (int i = 3; i < 23; i++) emitted.add(realtime.channel("g").emit("n", i)); // 0..17 trimmed
    await().until(() -> proxy.accepted() > before + 1); // it keeps trying meanwhile
    proxy.refuse(false);

    JsonNode gap = client.next("gap");
    assertThat(gap.get("channel").asString()).isEqualTo("g");
    assertThat(gap.get("afterId").asString()).isEqualTo(emitted.get(2));
    assertThat(gap.get("resumedFrom").asString()).isEqualTo(emitted.get(18));
    client.awaitData(8, Duration.ofSeconds(5));
    Thread.sleep(200);
    List<String> expected = new ArrayList<>(emitted.subList(0, 3));
    expected.addAll(emitted.subList(18, 23));
    assertThat(ids(client.data())).isEqualTo(expected);
    // The gap moved the client's position: a drop now does not report it again.
    proxy.cut();
    String next = realtime.channel("g").emit("n", 23);
    client.awaitData(9, Duration.ofSeconds(5));
    assertThat(ids(client.data()).getLast()).isEqualTo(next);
    assertThat(client.ofType("gap")).hasSize(1);
  }

  @Test
  void addsAndRemovesChannelsWithoutLosingMessagesOnTheOthers() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server = server(realtime, ServerConfig.builder());
    NodeClient client = client();
    client.connect(Map.of("url", server.url() + "/api/realtime", "channels", List.of("a", "b")));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    int rounds = 400;
    // The emitter waits for the channel changes at fixed rounds, so on a slow machine it cannot
    // finish before c was added or b removed.
    CountDownLatch cAdded = new CountDownLatch(1);
    CountDownLatch bRemoved = new CountDownLatch(1);
    Thread emitter =
        Thread.ofVirtual()
            .start(
                () -> {
                  for (int i = 0; i < rounds; i++) {
                    if (i == 100) awaitLatch(cAdded);
                    if (i == 250) awaitLatch(bRemoved);
                    for (String c : List.of("a", "b", "c")) realtime.channel(c).emit("n", i);
                    if (i % 5 == 0) sleep(3);
                  }
                });
    await().until(() -> count(client, "a") > 50);
    client.command("addChannel", "channel", "c");
    cAdded.countDown();
    await().until(() -> count(client, "c") > 20);
    client.command("removeChannel", "channel", "b");
    bRemoved.countDown();
    int removedAt = client.all().size(); // the removal's ack is before here
    emitter.join();
    await().until(() -> count(client, "a") == rounds && count(client, "c") > 0);
    Thread.sleep(300);

    assertThat(values(client, "a")).isEqualTo(IntStream.range(0, rounds).boxed().toList());
    List<Integer> b = values(client, "b");
    assertThat(b).isEqualTo(IntStream.range(0, b.size()).boxed().toList()); // a prefix, whole
    assertThat(b.size()).isLessThan(rounds);
    List<Integer> c = values(client, "c");
    assertThat(c)
        .isEqualTo(IntStream.range(c.getFirst(), rounds).boxed().toList()); // live from add
    assertThat(client.all().subList(removedAt, client.all().size()))
        .noneMatch(l -> NodeClient.type(l, "data") && l.get("channel").asString().equals("b"));
    client.command("state");
    JsonNode state = client.next("state");
    assertThat(state.get("channels").toString()).isEqualTo("[\"a\",\"c\"]");
  }

  private static int count(NodeClient client, String channel) {
    return values(client, channel).size();
  }

  private static List<Integer> values(NodeClient client, String channel) {
    return client.data().stream()
        .filter(d -> d.get("channel").asString().equals(channel))
        .map(d -> d.get("data").asInt())
        .toList();
  }

  @Test
  void refusalsAreNotRetriedAndCarryTheServersMessage() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server = server(realtime, ServerConfig.builder().secret(SECRET));
    TokenMinter minter = new TokenMinter(SECRET);
    String url = server.url() + "/api/realtime";

    NodeClient anonymous = client();
    anonymous.connect(Map.of("url", url, "channels", List.of("room-1")));
    JsonNode refused = anonymous.next("error");
    assertThat(refused.get("status").asInt()).isEqualTo(401);
    assertThat(refused.get("willRetry").asBoolean()).isFalse();
    assertThat(refused.get("message").asString()).contains("no token");
    Thread.sleep(500);
    assertThat(anonymous.statuses()).containsExactly("connecting", "error");
    assertThat(server.metrics().rejectedRequests()).isEqualTo(1.0);

    NodeClient outsider = client();
    outsider.connect(
        Map.of(
            "url", url,
            "channels", List.of("room-1"),
            "token", minter.mint("eve", List.of("other-*"), List.of(), Duration.ofMinutes(5))));
    JsonNode forbidden = outsider.next("error");
    assertThat(forbidden.get("status").asInt()).isEqualTo(403);
    assertThat(forbidden.get("message").asString())
        .contains("may not subscribe to channel 'room-1'");

    String token = minter.mint("ada", List.of("room-*"), List.of("room-*"), Duration.ofMinutes(5));
    NodeClient member = client();
    member.connect(Map.of("url", url, "channels", List.of("room-1"), "token", token));
    member.awaitStatus("connected", Duration.ofSeconds(10));
    member.command(
        "emit",
        "args",
        Map.of(
            "url",
            url,
            "token",
            token,
            "channel",
            "room-1",
            "event",
            "chat.message",
            "data",
            Map.of("text", "hi")));
    String id = member.next("emitted").get("id").asString();
    assertThat(member.awaitData(1, Duration.ofSeconds(5)).getFirst().get("id").asString())
        .isEqualTo(id);
    member.command(
        "emit",
        "args",
        Map.of(
            "url",
            url,
            "token",
            token,
            "channel",
            "elsewhere",
            "event",
            "chat.message",
            "data",
            1));
    JsonNode notAllowed = member.next("emitError");
    assertThat(notAllowed.get("status").asInt()).isEqualTo(403);
    assertThat(notAllowed.get("message").asString())
        .contains("may not publish to channel 'elsewhere'");
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) throw new AssertionError("the test never got there");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- positions from every id line, odd names across drops, attempts after a drop, limits

  /**
   * A stream filtered to "keep" on busy channels: one keep, then skips, then a skip emitted with a
   * retention of two, which trims the keep away. Resumed from its last keep the client would be
   * told of a gap; resumed from the position the server's id lines moved to, it is not.
   */
  void resumesPastFilteredEntries(List<String> channels, ServerConfig.Builder config, boolean cut)
      throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server = server(realtime, config);
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    NodeClient client = client();
    client.connect(
        Map.of(
            "url",
            proxy.url() + "/api/realtime",
            "channels",
            channels,
            "events",
            List.of("keep"),
            "backoff",
            Map.of("initialMs", 40, "maxMs", 100)));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    String ch = channels.getFirst();
    realtime.channel(ch).emit("keep", 0);
    client.awaitData(1, Duration.ofSeconds(5));
    for (int i = 0; i < 5; i++) realtime.channel(ch).emit("skip", i);
    // The stream passes the skips live before the trim below (trimmed under a live stream's feed,
    // they would be a gap there and then, which is not what this test is about).
    Thread.sleep(300);
    realtime.channel(ch, History.maxLength(2)).emit("skip", 5); // the keep is gone from history
    Thread.sleep(400); // heartbeats (when on) carry the moved position
    if (cut) proxy.cut();
    client.awaitStatus("reconnecting", Duration.ofSeconds(10));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    String next = realtime.channel(ch).emit("keep", 6);
    assertThat(client.awaitData(2, Duration.ofSeconds(5)).get(1).get("id").asString())
        .isEqualTo(next);
    assertThat(client.ofType("gap")).as("gaps where nothing matching was lost").isEmpty();
  }

  @Test
  void aHeartbeatsIdMovesTheOnlyChannelOfAStream() throws Exception {
    resumesPastFilteredEntries(
        List.of("f"), ServerConfig.builder().heartbeat(Duration.ofMillis(100)), true);
  }

  @Test
  void aHeartbeatsIdMovesEveryChannelOfAStream() throws Exception {
    resumesPastFilteredEntries(
        List.of("f", "g"), ServerConfig.builder().heartbeat(Duration.ofMillis(100)), true);
  }

  @Test
  void aReconnectFramesIdMovesThePosition() throws Exception {
    resumesPastFilteredEntries(
        List.of("f"),
        ServerConfig.builder().heartbeat(Duration.ZERO).maxDuration(Duration.ofMillis(1200)),
        false);
  }

  @Test
  void oddChannelNamesResumeWithoutLossOrRepeat() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server =
        server(realtime, ServerConfig.builder().heartbeat(Duration.ofMillis(100)));
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    NodeClient client = client();
    List<String> names =
        List.of(
            "a&b",
            "x=y",
            "50%",
            "with space",
            "\u00fcn\u00ef \u65e5\u672c",
            ".",
            "..",
            "a+b",
            "%41",
            "last_ack_a&b",
            "q?r#s",
            "t/u\\v",
            "~*'()");
    client.connect(
        Map.of(
            "url",
            proxy.url() + "/api/realtime",
            "channels",
            names,
            "backoff",
            Map.of("initialMs", 40, "maxMs", 100)));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    List<String> expected = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (String n : names) expected.add(n + "|" + realtime.channel(n).emit("n", round));
      client.awaitData(expected.size(), Duration.ofSeconds(5));
      proxy.cut();
      client.awaitStatus("reconnecting", Duration.ofSeconds(10));
      client.awaitStatus("connected", Duration.ofSeconds(10));
    }
    Thread.sleep(300);
    List<String> got =
        client.data().stream()
            .map(d -> d.get("channel").asString() + "|" + d.get("id").asString())
            .toList();
    assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(client.ofType("gap")).isEmpty();
  }

  @Test
  void theDropOfAConnectionThatWorkedIsNotAFailedAttempt() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server = server(realtime, ServerConfig.builder());
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    NodeClient client = client();
    client.connect(
        Map.of(
            "url",
            proxy.url() + "/api/realtime",
            "channels",
            List.of("a"),
            "maxAttempts",
            1,
            "backoff",
            Map.of("initialMs", 40, "maxMs", 100)));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    realtime.channel("a").emit("n", 1);
    client.awaitData(1, Duration.ofSeconds(5)); // it delivered: a success
    proxy.cut();
    client.awaitStatus("reconnecting", Duration.ofSeconds(10));
    client.awaitStatus("connected", Duration.ofSeconds(10)); // maxAttempts 1: one retry after it
    String next = realtime.channel("a").emit("n", 2);
    assertThat(client.awaitData(2, Duration.ofSeconds(5)).get(1).get("id").asString())
        .isEqualTo(next);
  }

  @Test
  void timesBeyondWhatATimerCanWaitAndLoneSurrogatesAreRefusedUpFront() throws Exception {
    NodeClient client = client();
    String url = "http://127.0.0.1:9/api/realtime";
    assertThatThrownBy(() -> client.connect(Map.of("url", url, "heartbeatTimeoutMs", 3e9)))
        .hasMessageContaining("RangeError: heartbeatTimeoutMs 3000000000")
        .hasMessageContaining("to 2147483647");
    assertThatThrownBy(
            () ->
                client.connect(
                    Map.of("url", url, "backoff", Map.of("initialMs", 10, "maxMs", 3e9))))
        .hasMessageContaining("RangeError: backoff")
        .hasMessageContaining("<= 2147483647");
    assertThatThrownBy(() -> client.connect(Map.of("url", url, "channels", List.of("s\uD800x"))))
        .hasMessageContaining("RangeError: channel")
        .hasMessageContaining("lone surrogate");
  }

  @Test
  void aServerHeartbeatLongerThanATimerCanWaitLeavesTheWatchdogOff() throws Exception {
    // 10 days of heartbeat: three of them do not fit a timer, which would fire at once.
    Realtime realtime = Realtime.create();
    RealtimeServer server = server(realtime, ServerConfig.builder().heartbeat(Duration.ofDays(10)));
    NodeClient client = client();
    client.connect(Map.of("url", server.url() + "/api/realtime", "channels", List.of("a")));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    Thread.sleep(500);
    String id = realtime.channel("a").emit("n", 1);
    assertThat(client.awaitData(1, Duration.ofSeconds(5)).get(0).get("id").asString())
        .isEqualTo(id);
    assertThat(client.ofType("error")).as("the connection was not declared dead").isEmpty();
  }
}
