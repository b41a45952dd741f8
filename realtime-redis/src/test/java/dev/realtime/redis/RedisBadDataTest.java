package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.EngineException;
import dev.realtime.HistoryMessage;
import dev.realtime.IncompatibleDataException;
import dev.realtime.Message;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Data someone else left in Redis never kills a subscription or the process. */
class RedisBadDataTest {
  static RedisServer server;
  static RedisClient client;
  static StatefulRedisConnection<String, String> connection;
  static RedisCommands<String, String> redis;

  @BeforeAll
  static void start() {
    server = RedisServer.start();
    client = RedisClient.create(server.uri());
    connection = client.connect();
    redis = connection.sync();
  }

  @AfterAll
  static void stop() {
    try {
      if (connection != null) connection.close();
      if (client != null) client.shutdown();
    } finally {
      if (server != null) server.close(); // also when start() failed after the server started
    }
  }

  @Test
  void aKeyThatIsNotAStreamGivesAClearErrorEverywhere() {
    redis.set("not-a-stream", "hello");
    try (Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      var ch = realtime.channel("not-a-stream");
      // A lasting condition, told apart from Redis being away (the server answers 409, not 503).
      assertThatThrownBy(() -> ch.emit("e", 1))
          .isInstanceOf(IncompatibleDataException.class)
          .hasMessageContaining("not-a-stream")
          .hasMessageContaining("string");
      assertThatThrownBy(ch::history)
          .isInstanceOf(IncompatibleDataException.class)
          .hasMessageContaining("holds a string, not a stream");
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      assertThatThrownBy(() -> ch.subscribe(Subscribe.toAll().onData(m -> {}).onError(errors::add)))
          .isInstanceOf(IncompatibleDataException.class)
          .hasMessageContaining("not a stream");
      // The engine and other channels carry on.
      assertThat(realtime.channel("fine").emit("e", 1)).matches("\\d+-\\d+");
      assertThat(redis.get("not-a-stream")).isEqualTo("hello"); // untouched
    }
  }

  @Test
  void aBadKeyFailsOnlyItsOwnEmitWhenEmitsAreBatchedTogether() throws Exception {
    redis.set("bad-in-batch", "x");
    try (Realtime realtime =
        Realtime.builder()
            .engine(RedisEngine.builder(server.uri()).maxInFlight(1).maxBatch(64).build())
            .build()) {
      List<java.util.concurrent.CompletableFuture<String>> good = new java.util.ArrayList<>();
      List<java.util.concurrent.CompletableFuture<String>> bad = new java.util.ArrayList<>();
      for (int i = 0; i < 200; i++) {
        good.add(realtime.channel("good-" + (i % 7)).emitAsync("e", i));
        if (i % 10 == 0) bad.add(realtime.channel("bad-in-batch").emitAsync("e", i));
      }
      for (var f : good) assertThat(f.get()).matches("\\d+-\\d+");
      for (var f : bad) {
        assertThatThrownBy(f::join)
            .hasCauseInstanceOf(IncompatibleDataException.class)
            .hasMessageContaining("not a stream");
      }
      long stored = 0;
      for (int c = 0; c < 7; c++) stored += redis.xlen("good-" + c);
      assertThat(stored).isEqualTo(200);
    }
  }

  /**
   * Entries another writer deleted one by one (XDEL): one ahead of a subscription is one gap, told
   * once, and delivery goes on after its position with what is still held (it used to tell the gap
   * again and again, moving back to the oldest entry, and deliver nothing); one behind it is no gap
   * at all.
   */
  @Test
  void anEntryDeletedAheadOfASubscriptionIsOneGapAndOneBehindItNone() throws Exception {
    try (Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      var ch = realtime.channel("holes");
      String a = ch.emit("n", 1);
      String b = ch.emit("n", 2);
      String c = ch.emit("n", 3);
      redis.xdel("holes", b);
      ConcurrentLinkedQueue<dev.realtime.Gap> gaps = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
      ch.subscribe(Subscribe.toAll().after(a).onGap(gaps::add).onData(m -> got.add(m.id())));
      await().until(() -> got.size() == 1);
      String d = ch.emit("n", 4);
      await().until(() -> got.size() == 2);
      redis.xdel("holes", c); // behind the subscription now
      String e = ch.emit("n", 5);
      await().until(() -> got.size() == 3);
      Thread.sleep(200); // nothing more comes
      assertThat(got).containsExactly(c, d, e);
      assertThat(gaps)
          .containsExactly(
              new dev.realtime.Gap(
                  "holes", a, dev.realtime.spi.EntryId.parse(a).successor().toString()));
    }
  }

  /**
   * After a gap told for an entry deleted ahead of the cursor, trimming that passes the cursor is a
   * new loss, told too (Redis still reports the deleted id as the newest removed, so it was missed
   * once), and delivery goes on with what is held.
   */
  @Test
  void trimmingPastTheCursorAfterADeletedEntryIsToldToo() throws Exception {
    try (Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      var ch = realtime.channel("trimgap");
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 6; i++) ids.add(ch.emit("n", i)); // a..f
      redis.xdel("trimgap", ids.get(5)); // f
      java.util.concurrent.CountDownLatch trimmed = new java.util.concurrent.CountDownLatch(1);
      ConcurrentLinkedQueue<dev.realtime.Gap> gaps = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
      ch.subscribe(holdingTheFirstGap(ids.get(0), trimmed, gaps, got));
      await().until(() -> gaps.size() == 1);
      String g = realtime.channel("trimgap", dev.realtime.History.maxLength(2)).emit("n", 6);
      trimmed.countDown(); // the stream holds e and g
      await().until(() -> got.size() == 2);
      assertThat(got).containsExactly(ids.get(4), g);
      assertThat(gaps)
          .extracting(dev.realtime.Gap::firstAvailableId)
          .containsExactly(
              dev.realtime.spi.EntryId.parse(ids.get(0)).successor().toString(), ids.get(4));
    }
  }

  /**
   * After a gap told for an entry deleted ahead of the cursor, the stream lost whole (a DEL, as a
   * restart without data would): a new gap, and what is emitted next is delivered (the cursor used
   * to stay in the loss for good, with nothing told).
   */
  @Test
  void aLossAfterADeletedEntryIsToldAndDeliveryGoesOn() throws Exception {
    try (Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      var ch = realtime.channel("lostgap");
      String a = ch.emit("n", 1);
      ch.emit("n", 2);
      ch.emit("n", 3);
      String x = redis.xadd("lostgap", java.util.Map.of("event", "n", "data", "9")); // unpublished
      redis.xdel("lostgap", x);
      java.util.concurrent.CountDownLatch lost = new java.util.concurrent.CountDownLatch(1);
      ConcurrentLinkedQueue<dev.realtime.Gap> gaps = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
      ch.subscribe(holdingTheFirstGap(a, lost, gaps, got));
      await().until(() -> gaps.size() == 1);
      redis.del("lostgap");
      String n = ch.emit("n", 4);
      lost.countDown();
      await().until(() -> got.contains(n));
      String n2 = ch.emit("n", 5);
      await().until(() -> got.contains(n2));
      assertThat(gaps).hasSizeGreaterThanOrEqualTo(2);
      assertThat(gaps.stream().skip(1).map(dev.realtime.Gap::firstAvailableId)).contains(n);
    }
  }

  /**
   * A subscription after {@code after} recording gaps and ids, whose first gap's handler waits for
   * {@code release}: what the test does meanwhile happens while the subscription is in that gap.
   */
  private static Subscribe<Object> holdingTheFirstGap(
      String after,
      java.util.concurrent.CountDownLatch release,
      ConcurrentLinkedQueue<dev.realtime.Gap> gaps,
      ConcurrentLinkedQueue<String> got) {
    return Subscribe.toAll()
        .after(after)
        .onGap(
            g -> {
              gaps.add(g);
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            })
        .onData(m -> got.add(m.id()));
  }

  @Test
  void entriesWithMissingFieldsOrBrokenJsonAreSkippedOrReadAsTextAndReported() {
    try (Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      var ch = realtime.channel("messy");
      ConcurrentLinkedQueue<Message<Object>> got = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      ch.subscribe(Subscribe.toAll().onData(got::add).onError(errors::add));
      redis.xadd("messy", "foo", "bar"); // no data, no event
      redis.xadd("messy", "event", "e", "channel", "messy"); // no data
      redis.xadd("messy", "data", "{broken", "event", "e", "channel", "messy"); // not JSON
      redis.xadd("messy", "data", "plain words", "event", "e", "channel", "messy"); // raw string
      ch.emit("e", List.of(1, 2));
      await().until(() -> got.size() == 3);
      assertThat(got)
          .extracting(Message::data)
          .containsExactly("{broken", "plain words", List.of(1, 2));
      assertThat(errors).hasSize(2).allSatisfy(e -> assertThat(e).hasMessageContaining("skipped"));
      assertThat(errors).anySatisfy(e -> assertThat(e).hasMessageContaining("no 'event' field"));
      assertThat(errors).anySatisfy(e -> assertThat(e).hasMessageContaining("no 'data' field"));
      // History skips the malformed entries too, and says so through the error hook.
      assertThat(ch.history())
          .extracting(HistoryMessage::data)
          .containsExactly("{broken", "plain words", List.of(1, 2));
    }
  }

  @Test
  void dataThatIsNotUtf8IsSkippedAndReportedByEverySubscriptionIncludingATransports()
      throws Exception {
    try (Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build();
        var raw = client.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE)) {
      var ch = realtime.channel("not-utf8");
      ConcurrentLinkedQueue<Object> typed = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> forwarded = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      ch.subscribe(Subscribe.toAll().onData(m -> typed.add(m.data())).onError(errors::add));
      // A transport (the SSE server) forwards stored JSON as it is: it must never get bytes that
      // are not text.
      ch.subscribe(
          Subscribe.toAll().onEntry(e -> forwarded.add(e.data().jsonText())).onError(errors::add));
      byte[][] notText = {
        {'"', (byte) 0xC3, '"'}, // shaped like a JSON string
        {'h', 'i', ' ', (byte) 0xFF}, // a raw string
      };
      for (byte[] data : notText) {
        raw.sync()
            .xadd(
                "not-utf8".getBytes(),
                java.util.Map.of(
                    "data".getBytes(), data,
                    "event".getBytes(), "e".getBytes(),
                    "channel".getBytes(), "not-utf8".getBytes()));
      }
      ch.emit("e", "fine");
      await().until(() -> typed.size() == 1 && forwarded.size() == 1);
      assertThat(typed).containsExactly("fine");
      assertThat(forwarded).containsExactly("\"fine\"");
      await().until(() -> errors.size() == 4);
      assertThat(errors)
          .allSatisfy(
              e ->
                  assertThat(e)
                      .isInstanceOf(EngineException.class)
                      .hasMessageContaining("skipped")
                      .hasMessageContaining("not UTF-8 text"));
    }
  }

  @Test
  void theOriginalsPingMessagesAndForeignPublishesAreIgnored() {
    try (Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      var ch = realtime.channel("pings");
      ConcurrentLinkedQueue<Object> got = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      ch.subscribe(Subscribe.toAll().onData(m -> got.add(m.data())).onError(errors::add));
      redis.publish("pings", "{\"type\":\"ping\",\"timestamp\":1}");
      redis.publish("pings", "not even json");
      ch.emit("e", "real");
      await().until(() -> got.size() == 1);
      assertThat(got).containsExactly("real");
      assertThat(errors).isEmpty();
    }
  }
}
