package dev.realtime.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.HistoryMessage;
import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import dev.realtime.memory.MemoryEngine;
import dev.realtime.server.HttpCalls;
import dev.realtime.server.HttpCalls.Answer;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.spi.ChannelWatch;
import dev.realtime.spi.Engine;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import dev.realtime.spi.WatchListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The history endpoint sends a long answer page by page ({@link HistoryAnswer}): what it sends is
 * exactly what one read of the same query returns, whatever the sizes of the entries, for the
 * oldest and the newest entries and every bound; a short answer has a Content-Length, a long one is
 * chunked (read to the close by an HTTP/1.0 client); a client that stops reading is let go; an
 * engine that fails halfway cuts the answer short.
 */
class HistoryAnswerTest {
  static final JsonMapper JSON = JsonMapper.builder().build();

  final FailingEngine engine = new FailingEngine(MemoryEngine.create());
  final Realtime realtime = Realtime.builder().engine(engine).build();
  RealtimeServer server = start(Duration.ofSeconds(30));
  String api = server.url() + "/api/realtime";

  RealtimeServer start(Duration idle) {
    return RealtimeServer.builder(realtime)
        .config(ServerConfig.builder().port(0).ioThreads(1).idleTimeout(idle).build())
        .start();
  }

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  /** Emits {@code n} entries of random sizes, some large enough for pages of a few entries. */
  List<String> fill(String channel, int n, Random random) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int size =
          switch (random.nextInt(10)) {
            case 0 -> 100_000 + random.nextInt(200_000);
            case 1, 2 -> 8_000 + random.nextInt(20_000);
            default -> random.nextInt(300);
          };
      ids.add(realtime.channel(channel).emit("e" + i % 3, "x".repeat(size) + i));
    }
    return ids;
  }

  @Test
  void everyQueryAnswersWhatOneReadReturnsWhateverItsSize() throws Exception {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("everyQueryAnswersWhatOneReadReturnsWhateverItsSize seed=" + seed);
    Random random = new Random(seed);
    List<String> ids = fill("big", 1200, random);
    for (int round = 0; round < 40; round++) {
      int limit = 1 + random.nextInt(random.nextBoolean() ? 1000 : 100);
      boolean latest = random.nextBoolean();
      HistoryQuery q = latest ? HistoryQuery.latest(limit) : HistoryQuery.limit(limit);
      StringBuilder params = new StringBuilder("?limit=" + limit + "&latest=" + latest);
      int a = random.nextInt(ids.size() - 1);
      int b = a + 1 + random.nextInt(ids.size() - 1 - a);
      switch (random.nextInt(4)) {
        case 0 -> {}
        case 1 -> {
          q = q.after(ids.get(a));
          params.append("&after=").append(ids.get(a));
        }
        case 2 -> {
          q = q.before(ids.get(b));
          params.append("&before=").append(ids.get(b));
        }
        default -> {
          q = q.after(ids.get(a)).before(ids.get(b));
          params.append("&after=").append(ids.get(a)).append("&before=").append(ids.get(b));
        }
      }
      if (random.nextInt(4) == 0) {
        long start = EntryId.parse(ids.get(random.nextInt(ids.size()))).ms();
        q = q.start(start);
        params.append("&start=").append(start);
      }
      List<HistoryMessage> expected = realtime.channel("big").history(q);
      Answer answer = HttpCalls.get(api + "/channels/big/history" + params);
      assertThat(answer.status()).as("seed %d, %s", seed, params).isEqualTo(200);
      JsonNode got = JSON.readTree(answer.body());
      assertThat(got.size()).as("seed %d, %s", seed, params).isEqualTo(expected.size());
      for (int i = 0; i < expected.size(); i++) {
        HistoryMessage m = expected.get(i);
        JsonNode e = got.get(i);
        assertThat(e.get("id").asString())
            .as("seed %d, %s, #%d", seed, params, i)
            .isEqualTo(m.id());
        assertThat(e.get("event").asString()).isEqualTo(m.event());
        assertThat(e.get("channel").asString()).isEqualTo("big");
        assertThat(e.get("data").asString()).isEqualTo(m.data());
      }
    }
  }

  @Test
  void clientsPageThroughAWholeChannelWithAfterAndBefore() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 2500; i++) ids.add(realtime.channel("many").emit("n", i));
    List<String> forward = new ArrayList<>();
    String url = api + "/channels/many/history?limit=1000";
    for (JsonNode page; (page = JSON.readTree(HttpCalls.get(url).body())).size() > 0; ) {
      page.forEach(m -> forward.add(m.get("id").asString()));
      url =
          api
              + "/channels/many/history?limit=1000&after="
              + page.get(page.size() - 1).get("id").asString();
    }
    assertThat(forward).containsExactlyElementsOf(ids);
    List<String> backward = new ArrayList<>();
    url = api + "/channels/many/history?limit=700&latest=true";
    for (JsonNode page; (page = JSON.readTree(HttpCalls.get(url).body())).size() > 0; ) {
      List<String> these = new ArrayList<>();
      page.forEach(m -> these.add(m.get("id").asString()));
      backward.addAll(0, these);
      url = api + "/channels/many/history?limit=700&latest=true&before=" + these.getFirst();
    }
    assertThat(backward).containsExactlyElementsOf(ids);
  }

  @Test
  void badIdsAreA400ThatSaysWhatAnIdIs() {
    Answer bad = HttpCalls.get(api + "/channels/c/history?after=yesterday");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body()).contains("after 'yesterday' is not a message id: <ms>-<seq>");
    Answer worse = HttpCalls.get(api + "/channels/c/history?before=12");
    assertThat(worse.status()).isEqualTo(400);
    assertThat(worse.body()).contains("before '12' is not a message id");
    Answer order = HttpCalls.get(api + "/channels/c/history?after=9-0&before=5-0");
    assertThat(order.status()).isEqualTo(400);
    assertThat(order.body()).contains("after 9-0 is not before before 5-0");
  }

  @Test
  void aShortAnswerHasALengthALongOneIsChunkedAndHeadSendsNoBody() throws Exception {
    List<String> ids = fill("sizes", 300, new Random(7));
    Raw few = Raw.get(server, "/api/realtime/channels/sizes/history?limit=10", "1.1", "GET");
    assertThat(few.head).contains("HTTP/1.1 200").containsIgnoringCase("content-length:");
    assertThat(few.head).doesNotContainIgnoringCase("transfer-encoding");
    assertThat(JSON.readTree(few.body).size()).isEqualTo(10);

    Raw many = Raw.get(server, "/api/realtime/channels/sizes/history", "1.1", "GET");
    assertThat(many.head).containsIgnoringCase("transfer-encoding: chunked");
    assertThat(many.head).containsIgnoringCase("access-control-allow-origin");
    JsonNode all = JSON.readTree(dechunk(many.body));
    assertThat(all.size()).isEqualTo(300);
    assertThat(all.get(299).get("id").asString()).isEqualTo(ids.getLast());

    // HTTP/1.0 knows no chunks: the body ends with the connection.
    Raw old = Raw.get(server, "/api/realtime/channels/sizes/history?latest=true", "1.0", "GET");
    assertThat(old.head).contains(" 200 ").doesNotContainIgnoringCase("transfer-encoding");
    assertThat(old.head).doesNotContainIgnoringCase("content-length");
    assertThat(JSON.readTree(old.body).size()).isEqualTo(300);

    Raw head = Raw.get(server, "/api/realtime/channels/sizes/history", "1.1", "HEAD");
    assertThat(head.head).contains("HTTP/1.1 200").containsIgnoringCase("transfer-encoding");
    assertThat(head.body).isEmpty();
    Raw shortHead = Raw.get(server, "/api/realtime/channels/sizes/history?limit=3", "1.1", "HEAD");
    assertThat(shortHead.head).containsIgnoringCase("content-length:");
    assertThat(shortHead.body).isEmpty();
  }

  /** On one keep-alive connection: a chunked answer, a HEAD of one, then a short answer. */
  @Test
  void chunkedAnswersAndTheirHeadsLeaveAKeepAliveConnectionInStep() throws Exception {
    for (int i = 0; i < 100; i++) realtime.channel("k").emit("e", i);
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      String path = "/api/realtime/channels/k/history";
      socket
          .getOutputStream()
          .write(
              ("GET "
                      + path
                      + " HTTP/1.1\r\nHost: x\r\n\r\n"
                      + "HEAD "
                      + path
                      + " HTTP/1.1\r\nHost: x\r\n\r\n"
                      + "GET "
                      + path
                      + "?limit=2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      String[] answers = all.split("(?=HTTP/1\\.1 )");
      assertThat(answers).hasSize(3);
      assertThat(answers[0])
          .containsIgnoringCase("transfer-encoding: chunked")
          .endsWith("\r\n0\r\n\r\n");
      assertThat(answers[1])
          .containsIgnoringCase("transfer-encoding: chunked")
          .endsWith("\r\n\r\n");
      assertThat(answers[1].substring(answers[1].indexOf("\r\n\r\n") + 4)).isEmpty();
      assertThat(answers[2]).containsIgnoringCase("content-length:");
      assertThat(JSON.readTree(answers[2].substring(answers[2].indexOf("\r\n\r\n") + 4)).size())
          .isEqualTo(2);
    }
  }

  /** A client that stops reading holds neither the connection nor the rest of the answer. */
  @Test
  void aClientThatStopsReadingALongAnswerIsLetGo() throws Exception {
    server.close();
    server = start(Duration.ofSeconds(1));
    api = server.url() + "/api/realtime";
    for (int i = 0; i < 300; i++) realtime.channel("huge").emit("e", "y".repeat(300_000));
    int readsBefore = engine.reads.get();
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setReceiveBufferSize(64 * 1024);
      socket
          .getOutputStream()
          .write(
              "GET /api/realtime/channels/huge/history HTTP/1.1\r\nHost: x\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      Thread.sleep(4_000); // reads nothing meanwhile
      // The server read only the pages that filled the socket's buffers, then let the client go.
      assertThat(engine.reads.get() - readsBefore).isLessThan(30);
      InputStream in = socket.getInputStream();
      long got = 0;
      byte[] buf = new byte[1 << 16];
      socket.setSoTimeout(10_000);
      try {
        for (int n; (n = in.read(buf)) >= 0; ) got += n;
      } catch (IOException reset) {
        // closed with unread data: a reset is as good as an end
      }
      assertThat(got).isLessThan(90_000_000L); // far from the whole answer
    }
    // The server goes on serving.
    assertThat(HttpCalls.get(api + "/channels/huge/history?limit=1").status()).isEqualTo(200);
  }

  /** The engine fails after the answer started: the client sees it cut short, never whole. */
  @Test
  void anEngineThatFailsHalfwayCutsTheAnswerShort() throws Exception {
    fill("cut", 400, new Random(3));
    engine.failFrom.set(engine.reads.get() + 3);
    Raw cut = Raw.get(server, "/api/realtime/channels/cut/history", "1.1", "GET");
    assertThat(cut.head)
        .contains("HTTP/1.1 200")
        .containsIgnoringCase("transfer-encoding: chunked");
    assertThat(new String(cut.body, StandardCharsets.ISO_8859_1)).doesNotEndWith("0\r\n\r\n");
    // Failing before it started: the status says why.
    engine.failFrom.set(engine.reads.get());
    Answer before = HttpCalls.get(api + "/channels/cut/history");
    assertThat(before.status()).isEqualTo(503);
    assertThat(before.body()).contains("the engine is unavailable");
    engine.failFrom.set(Integer.MAX_VALUE);
    assertThat(HttpCalls.get(api + "/channels/cut/history").status()).isEqualTo(200);
  }

  /** 64 entries are a whole answer, 65 of a limit of 65 too; more are chunked. */
  @Test
  void upTo64EntriesAreSentWholeWhateverTheLimit() throws Exception {
    for (int i = 0; i < 64; i++) realtime.channel("c64").emit("e", i);
    for (String query : List.of("", "?latest=true", "?limit=64")) {
      Raw whole = Raw.get(server, "/api/realtime/channels/c64/history" + query, "1.1", "GET");
      assertThat(whole.head).as(query).containsIgnoringCase("content-length:");
      assertThat(JSON.readTree(whole.body).size()).isEqualTo(64);
    }
    realtime.channel("c64").emit("e", 64);
    Raw limit65 = Raw.get(server, "/api/realtime/channels/c64/history?limit=65", "1.1", "GET");
    assertThat(limit65.head).containsIgnoringCase("content-length:");
    realtime.channel("c64").emit("e", 65);
    Raw chunked = Raw.get(server, "/api/realtime/channels/c64/history", "1.1", "GET");
    assertThat(chunked.head).containsIgnoringCase("transfer-encoding: chunked");
    assertThat(JSON.readTree(dechunk(chunked.body)).size()).isEqualTo(66);
  }

  /** A Realtime closed under the server: a 503, before an answer started or cut after. */
  @Test
  void aClosedRealtimeIsA503OrACutNeverAnAnswerLeftHanging() throws Exception {
    server.close();
    server = start(Duration.ofSeconds(2));
    for (int i = 0; i < 300; i++) realtime.channel("huge").emit("e", "y".repeat(300_000));
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setReceiveBufferSize(64 * 1024);
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              "GET /api/realtime/channels/huge/history HTTP/1.1\r\nHost: x\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      assertThat(in.readNBytes(100_000)).hasSize(100_000); // the answer is under way
      realtime.close(); // the next page's read throws
      long got = 0;
      try {
        for (int n; (n = in.read(new byte[1 << 16])) >= 0; ) got += n; // to the close, in time
      } catch (java.net.SocketTimeoutException e) {
        throw new AssertionError("the answer was left hanging after " + got + " bytes", e);
      } catch (IOException reset) {
        // cut: as good as a close
      }
      assertThat(got).isLessThan(89_000_000L);
    }
    Raw after = Raw.get(server, "/api/realtime/channels/huge/history", "1.1", "GET");
    assertThat(after.head).startsWith("HTTP/1.1 503");
    assertThat(new String(after.body, StandardCharsets.UTF_8)).contains("shutting down");
  }

  /**
   * The newest entries: an engine failing after the first read but before anything was sent is
   * still answered with its status, not a head and a cut.
   */
  @Test
  void aFailureBeforeTheFirstEntriesWentOutIsAnsweredWithItsStatus() {
    for (int i = 0; i < 200; i++) realtime.channel("late").emit("e", i);
    engine.failFrom.set(engine.reads.get() + 1); // the first read works, the read back fails
    Answer failed = HttpCalls.get(api + "/channels/late/history?latest=true");
    assertThat(failed.status()).isEqualTo(503);
    assertThat(failed.body()).contains("down for a test");
  }

  /**
   * Entries that do not fit the schema (stored by another writer) are left out and do not count: an
   * answer holds {@code limit} entries when its bounds hold them, so paging stops only at the end,
   * and a page of nothing but bad entries is not an empty answer.
   */
  @Test
  void entriesLeftOutByTheSchemaDoNotCountAgainstTheLimit() throws Exception {
    server.close();
    realtime.close();
    MemoryEngine memory = MemoryEngine.create();
    try (Realtime typed =
        Realtime.builder()
            .engine(memory)
            .schema(dev.realtime.Schema.builder().event("n", Integer.class).build())
            .onError(e -> {})
            .build()) {
      server = RealtimeServer.builder(typed).config(ServerConfig.builder().port(0).build()).start();
      List<String> good = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 150; i++) {
          memory
              .append(
                  new dev.realtime.spi.Append(
                      "mixed",
                      "n",
                      dev.realtime.spi.Payload.ofJson("\"not a number\""),
                      dev.realtime.History.DEFAULT))
              .join();
        }
        for (int i = 0; i < 10; i++) good.add(typed.channel("mixed").emit("n", i));
      }
      String url = server.url() + "/api/realtime/channels/mixed/history?limit=10";
      List<String> read = new ArrayList<>();
      for (JsonNode page; (page = JSON.readTree(HttpCalls.get(url).body())).size() > 0; ) {
        assertThat(page.size()).isEqualTo(10);
        page.forEach(m -> read.add(m.get("id").asString()));
        url =
            server.url()
                + "/api/realtime/channels/mixed/history?limit=10&after="
                + page.get(page.size() - 1).get("id").asString();
      }
      assertThat(read).containsExactlyElementsOf(good);
      JsonNode newest =
          JSON.readTree(
              HttpCalls.get(
                      server.url() + "/api/realtime/channels/mixed/history?latest=true&limit=25")
                  .body());
      List<String> newestIds = new ArrayList<>();
      newest.forEach(m -> newestIds.add(m.get("id").asString()));
      assertThat(newestIds).containsExactlyElementsOf(good.subList(5, 30));
    }
  }

  /** A response read over a raw socket, to the connection's close. */
  record Raw(String head, byte[] body) {
    static Raw get(RealtimeServer server, String path, String version, String method)
        throws IOException {
      try (Socket socket = new Socket("127.0.0.1", URI.create(server.url()).getPort())) {
        socket.setSoTimeout(20_000);
        socket
            .getOutputStream()
            .write(
                (method
                        + " "
                        + path
                        + " HTTP/"
                        + version
                        + "\r\nHost: x\r\nOrigin: http://page.example\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
          socket.getInputStream().transferTo(all);
        } catch (IOException reset) {
          // cut short: what came is the answer
        }
        byte[] bytes = all.toByteArray();
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        byte[] body = new byte[bytes.length - end - 4];
        System.arraycopy(bytes, end + 4, body, 0, body.length);
        return new Raw(text.substring(0, end), body);
      }
    }
  }

  /** The body of a chunked answer, which must end with its last chunk. */
  static byte[] dechunk(byte[] chunked) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    for (; ; ) {
      int eol = indexOf(chunked, i);
      int size = Integer.parseInt(new String(chunked, i, eol - i, StandardCharsets.US_ASCII), 16);
      i = eol + 2;
      if (size == 0) break;
      out.write(chunked, i, size);
      i += size + 2;
    }
    assertThat(new String(chunked, i, chunked.length - i, StandardCharsets.US_ASCII))
        .isEqualTo("\r\n");
    return out.toByteArray();
  }

  private static int indexOf(byte[] b, int from) {
    for (int i = from; i + 1 < b.length; i++) if (b[i] == '\r' && b[i + 1] == '\n') return i;
    throw new AssertionError("no line end after " + from);
  }

  /** The in-memory engine, counting reads, failing them from the {@code failFrom}-th on. */
  static final class FailingEngine implements Engine {
    final Engine inner;
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger failFrom = new AtomicInteger(Integer.MAX_VALUE);

    FailingEngine(Engine inner) {
      this.inner = inner;
    }

    @Override
    public CompletableFuture<EntryId> append(dev.realtime.spi.Append append) {
      return inner.append(append);
    }

    @Override
    public CompletableFuture<ReadResult> read(String channel, Range range) {
      if (reads.getAndIncrement() >= failFrom.get()) {
        return CompletableFuture.failedFuture(new dev.realtime.EngineException("down for a test"));
      }
      return inner.read(channel, range);
    }

    @Override
    public ChannelWatch watch(String channel, WatchListener listener) {
      return inner.watch(channel, listener);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
