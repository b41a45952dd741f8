package dev.realtime.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.auth.Action;
import dev.realtime.server.auth.AuthDecision;
import dev.realtime.server.auth.AuthRequest;
import dev.realtime.server.auth.Authorizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The original's React client, {@code @upstash/realtime} 1.1.0's {@code RealtimeProvider} and
 * {@code useRealtime} used as its documentation shows ({@code src/test/react/app.jsx}, bundled with
 * esbuild, nothing of the client changed), in headless Chromium against this server: the page is
 * served from another loopback port, so the stream is a cross-origin EventSource as in a deployment
 * where the realtime server is its own service.
 *
 * <p>What it proves, on two or three channels in one stream (one name needs URL-encoding), with a
 * second hook that filters one event name:
 *
 * <ul>
 *   <li>the hook reports {@code connected}; what was emitted before the page opened is not shown
 *       (the client's first {@code last_ack_<channel>} is the browser's {@code Date.now()});
 *   <li>every event emitted from Java is shown once, in order per channel, its data as emitted: the
 *       string {@code "123"} and the number 123 stay apart, as do {@code "true"} and true; nested
 *       objects, arrays, null, unicode and line breaks come through;
 *   <li>when the server ends streams after {@code maxDuration} with {@code {"type":"reconnect"}},
 *       the client reconnects with the last id it received per channel in {@code last_ack_*};
 *       events emitted before, during (the reconnect is held in the authorizer while events are
 *       emitted) and after each reconnect are shown exactly once, in order. A channel that had
 *       delivered nothing resumes from the {@code cursor} of its {@code connected} frame, an id,
 *       not from the {@code reconnect} frame's time on the server's clock (the client reads that
 *       field; this server sends it for it, see {@code SseFrames.connected});
 *   <li>the client's own silence watchdog: it expects a {@code {"type":"ping"}} data frame at least
 *       every 75 s (this server's heartbeat carries one every 15 s by default) and reconnects after
 *       75 s without one. The page shortens that timer (a {@code setTimeout} shim in {@code
 *       index.html}, the client's code unchanged); that reconnect, too, loses and repeats nothing,
 *       including on a channel that had delivered nothing yet;
 *   <li>a browser whose clock runs ahead of the server's (its first {@code last_ack} is a time in
 *       the server's future) still sees every event emitted after it connected ({@code
 *       StreamStart.parse} takes a future time as now; OriginalClientProtocolTest has both at the
 *       protocol level).
 * </ul>
 *
 * <p>What it cannot prove, because of the original client: {@code useRealtime} hands {@code onData}
 * only {@code {event, data, channel}}, not the id, so the page identifies each event by its data
 * (every event emitted here is distinct). Integers beyond 2^53 are not tested: the browser's {@code
 * JSON.parse} rounds them, whatever the server sends.
 *
 * <p>Needs node 18+ and npm (it runs {@code npm ci} in {@code src/test/react} when {@code
 * node_modules} lacks a pinned version), and Debian's chromium and chromium-driver. The page's
 * console (where the original client logs its reconnects), the stream requests the server saw and
 * what the page shows are added to every failure message.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstashReactClientTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String LOBBY = "lobby";
  private static final String ROOM = "room 42/ü"; // a space, a slash, non-ASCII
  private static final String QUIET = "quiet";
  private static final Duration WAIT = Duration.ofSeconds(15);

  /** Data of the first events, as JSON text, each distinct. */
  private static final List<String> TYPED =
      List.of(
          "\"123\"",
          "123",
          "\"true\"",
          "true",
          "false",
          "null",
          "-7",
          "1.5",
          "9007199254740991",
          "\"\"",
          "\"null\"",
          "\"two\\nlines, \\\"quotes\\\" and </script>\"",
          "\"ünïcødé ✓ 😀\"",
          "[1,\"1\",true,null,[],{}]",
          "{}",
          "{\"user\":{\"name\":\"Ada\",\"tags\":[\"a\",\"b\"]},\"count\":2,\"ok\":true,"
              + "\"ratio\":1.5,\"none\":null,\"id\":\"1-0\"}");

  private static ReactClientApp app;

  private final Realtime realtime = Realtime.create();
  private final StreamRequests requests = new StreamRequests();
  private final Chromium chromium = new Chromium();
  private RealtimeServer server;
  private WebDriver window;

  @BeforeAll
  static void buildTheApp() throws Exception {
    Chromium.requireInstalled();
    app = ReactClientApp.start();
  }

  @AfterAll
  static void stopServingTheApp() {
    if (app != null) app.close();
  }

  @AfterEach
  void close() {
    chromium.close();
    if (server != null) server.close();
    realtime.close();
  }

  @Test
  void everyEventArrivesOnceInOrderWithItsTypesAcrossServerRequestedReconnects() throws Exception {
    start(ServerConfig.builder().port(0).maxDuration(Duration.ofMillis(1500)));
    realtime.channel(LOBBY).emit("chat.message", "emitted before the page opened");
    open(List.of(LOBBY, ROOM, QUIET), Map.of());
    awaitStatus("connected");

    Expected expected = new Expected();
    for (int i = 0; i < TYPED.size(); i++) {
      expected.emit(i % 2 == 0 ? LOBBY : ROOM, "chat.message", JSON.readTree(TYPED.get(i)));
    }
    expected.emit(ROOM, "notice.alert", JSON.readTree("{\"level\":\"info\",\"text\":\"hello\"}"));
    expected.emit(LOBBY, "notice.alert", JSON.readTree("\"not on the alerts channel\""));
    expected.emit(ROOM, "notice.alert", JSON.readTree("\"second\""));
    awaitShown("events", expected.all);
    awaitShown("alerts", expected.matching(ROOM, "notice.alert"));

    // Events keep coming while the server ends the stream twice; each time the client's new
    // stream is held until events were emitted with no stream open. QUIET gets its first events
    // only while the first reconnect is held.
    int streamsBefore = requests.queries.size();
    AtomicReference<List<String>> emittingTo = new AtomicReference<>(List.of(LOBBY, ROOM));
    Thread emitter =
        Thread.ofPlatform()
            .start(
                () -> {
                  for (int seq = 0; !emittingTo.get().isEmpty(); seq++) {
                    for (String channel : emittingTo.get()) {
                      expected.emit(channel, "n", JSON.createObjectNode().put("seq", seq));
                    }
                    sleep(15);
                  }
                });
    try {
      for (int round = 0; round < 2; round++) {
        Hold hold = requests.holdNext();
        Map<String, List<String>> query = hold.awaitArrival(WAIT, this::diagnostics);
        // Each channel resumes after the last id the client received, and QUIET, which delivered
        // nothing, from the cursor of its connected frame: ids, never the reconnect frame's time.
        for (String channel : List.of(LOBBY, ROOM, QUIET)) {
          assertThat(query.get("last_ack_" + channel))
              .as("last_ack_%s\n%s", channel, diagnostics())
              .singleElement()
              .asString()
              .matches("\\d+-\\d+");
        }
        if (round == 0) emittingTo.set(List.of(LOBBY, ROOM, QUIET));
        sleep(200);
        hold.release();
      }
      sleep(300);
    } finally {
      emittingTo.set(List.of());
      emitter.join();
    }
    assertThat(requests.queries.size() - streamsBefore).isGreaterThanOrEqualTo(2);
    awaitShown("events", expected.all);
    awaitShown("alerts", expected.matching(ROOM, "notice.alert"));
    awaitStatus("connected");
    Chromium.screenshot(window, "react-client");
  }

  @Test
  void itsSilenceWatchdogReconnectsWithoutLosingOrRepeatingEvents() throws Exception {
    start(ServerConfig.builder().port(0));
    open(List.of(LOBBY, ROOM), Map.of("watchdogMs", "1000"));
    awaitStatus("connected");

    Expected expected = new Expected();
    List<String> lobbyIds = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      lobbyIds.add(expected.emit(LOBBY, "chat.message", JSON.readTree("{\"text\":\"" + i + "\"}")));
    }
    awaitShown("events", expected.all);

    // After a second of silence the client gives up on its stream and opens another (again and
    // again while nothing comes): the authorizer holds the next one while both channels get events.
    Hold watchdog = requests.holdNext();
    Map<String, List<String>> query = watchdog.awaitArrival(WAIT, this::diagnostics);
    assertThat(query.get("last_ack_" + LOBBY)).containsExactly(lobbyIds.get(2));
    // ROOM delivered nothing: it resumes from the cursor of its connected frame, an id, not from
    // the time of the page's first request.
    assertThat(query.get("last_ack_" + ROOM)).singleElement().asString().matches("\\d+-\\d+");
    for (int i = 3; i < 5; i++) {
      expected.emit(LOBBY, "chat.message", JSON.readTree("{\"text\":\"" + i + "\"}"));
      expected.emit(ROOM, "chat.message", JSON.readTree("{\"text\":\"" + i + "\"}"));
    }
    watchdog.release();
    awaitStatus("connected");
    for (int i = 5; i < 7; i++) {
      expected.emit(ROOM, "chat.message", JSON.readTree("{\"text\":\"" + i + "\"}"));
      expected.emit(LOBBY, "chat.message", JSON.readTree("{\"text\":\"" + i + "\"}"));
    }
    awaitShown("events", expected.all);
    assertThat(consoleLines()).contains("warn: Connection timed out, reconnecting...");
    Chromium.screenshot(window, "react-client-watchdog");
  }

  @Test
  void aBrowserWhoseClockRunsAMinuteAheadStillSeesEveryEvent() throws Exception {
    start(ServerConfig.builder().port(0));
    open(List.of(LOBBY, ROOM), Map.of("clockAheadMs", "60000"));
    awaitStatus("connected");
    long pageClock = Long.parseLong(requests.queries.get(0).get("last_ack_" + LOBBY).get(0));
    assertThat(pageClock).isGreaterThan(System.currentTimeMillis() + 30_000);
    Expected expected = new Expected();
    for (int i = 0; i < 3; i++) {
      expected.emit(LOBBY, "chat.message", JSON.readTree("{\"text\":\"" + i + "\"}"));
      expected.emit(ROOM, "notice.alert", JSON.readTree("{\"text\":\"" + i + "\"}"));
    }
    awaitShown("events", expected.all);
    awaitShown("alerts", expected.matching(ROOM, "notice.alert"));
  }

  private void start(ServerConfig.Builder config) {
    server = RealtimeServer.builder(realtime).config(config.build()).authorizer(requests).start();
  }

  private void open(List<String> channels, Map<String, String> extra) {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("api", server.url() + server.config().basePath());
    query.put("channels", String.join(",", channels));
    query.put("alerts", ROOM);
    query.putAll(extra);
    window = chromium.open();
    window.get(app.url(query));
  }

  private void awaitStatus(String status) {
    awaitUntil(
        () -> status.equals(script("return document.getElementById('status')?.textContent")),
        "the hook's status to be " + status);
  }

  /**
   * Waits until the list shows as many events as expected, gives a duplicate time to show up, then
   * compares per channel (the server orders events within a channel, not across channels).
   */
  private void awaitShown(String list, List<JsonNode> expected) {
    awaitUntil(
        () -> shown(list).size() >= expected.size(), expected.size() + " events in #" + list);
    sleep(300);
    List<JsonNode> shown = shown(list);
    assertThat(byChannel(shown))
        .as("#%s per channel\n%s", list, diagnostics())
        .isEqualTo(byChannel(expected));
    assertThat(shown).as("#%s", list).hasSameSizeAs(expected);
  }

  private List<JsonNode> shown(String list) {
    Object items =
        script(
            "return Array.from(document.querySelectorAll('#"
                + list
                + " li.event')).map(li => li.dataset.json)");
    List<JsonNode> parsed = new ArrayList<>();
    for (Object item : (List<?>) items) parsed.add(JSON.readTree((String) item));
    return parsed;
  }

  private static Map<String, List<JsonNode>> byChannel(List<JsonNode> events) {
    Map<String, List<JsonNode>> by = new LinkedHashMap<>();
    for (JsonNode e : events) {
      by.computeIfAbsent(e.path("channel").asString(), c -> new ArrayList<>()).add(e);
    }
    return by;
  }

  private List<String> consoleLines() {
    List<String> lines = new ArrayList<>();
    Object got = script("return window.consoleLines || []");
    for (Object line : (List<?>) got) lines.add(String.valueOf(line));
    return lines;
  }

  private Object script(String js) {
    return ((JavascriptExecutor) window).executeScript(js);
  }

  private void awaitUntil(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited " + WAIT + " for " + what + "\n" + diagnostics());
      }
      sleep(50);
    }
  }

  private String diagnostics() {
    StringBuilder b = new StringBuilder();
    try {
      b.append("status: ")
          .append(script("return document.getElementById('status')?.textContent"))
          .append("\npage console:\n");
      consoleLines().forEach(l -> b.append("  ").append(l).append('\n'));
      b.append("shown: ").append(shown("events")).append('\n');
    } catch (RuntimeException e) {
      b.append("(the page could not be read: ").append(e.getMessage()).append(")\n");
    }
    b.append("stream requests (query parameters):\n");
    requests.queries.forEach(q -> b.append("  ").append(q).append('\n'));
    return b.toString();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** What was emitted, in emission order, as the page renders it. */
  private final class Expected {
    final List<JsonNode> all = new CopyOnWriteArrayList<>();

    String emit(String channel, String event, JsonNode data) {
      String id = realtime.channel(channel).emit(event, data);
      ObjectNode shown = JSON.createObjectNode();
      shown.put("channel", channel).put("event", event).set("data", data);
      all.add(shown);
      return id;
    }

    List<JsonNode> matching(String channel, String event) {
      return all.stream()
          .filter(e -> e.path("channel").asString().equals(channel))
          .filter(e -> e.path("event").asString().equals(event))
          .toList();
    }
  }

  /**
   * The server's authorizer, used here to watch the stream requests: it records each one's query
   * parameters and can hold the next one until the test releases it.
   */
  private static final class StreamRequests implements Authorizer {
    final List<Map<String, List<String>>> queries = new CopyOnWriteArrayList<>();
    private final AtomicReference<Hold> next = new AtomicReference<>();

    Hold holdNext() {
      Hold hold = new Hold();
      next.set(hold);
      return hold;
    }

    @Override
    public AuthDecision authorize(AuthRequest request) throws InterruptedException {
      if (request.action() != Action.SUBSCRIBE) return AuthDecision.allow();
      queries.add(request.query());
      Hold hold = next.getAndSet(null);
      if (hold != null) hold.arrive(request.query());
      return AuthDecision.allow();
    }
  }

  /** One stream request held in the authorizer. */
  private static final class Hold {
    private final CountDownLatch arrived = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile Map<String, List<String>> query;

    void arrive(Map<String, List<String>> query) throws InterruptedException {
      this.query = query;
      arrived.countDown();
      released.await(20, TimeUnit.SECONDS);
    }

    Map<String, List<String>> awaitArrival(
        Duration timeout, java.util.function.Supplier<String> diagnostics)
        throws InterruptedException {
      if (!arrived.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("no reconnect within " + timeout + "\n" + diagnostics.get());
      }
      return query;
    }

    void release() {
      released.countDown();
    }
  }
}
