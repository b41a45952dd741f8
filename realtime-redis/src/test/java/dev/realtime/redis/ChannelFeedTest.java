package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.History;
import dev.realtime.HistoryMessage;
import dev.realtime.Message;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The shared reader's bounded tail: cursors inside it read from memory, the others from Redis. */
class ChannelFeedTest {

  @Test
  void aSubscriberFarBehindTheTailCatchesUpFromTheStreamInOrder() throws Exception {
    int total = ChannelFeed.TAIL_CAPACITY + 2_000; // more than the tail holds
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime =
            Realtime.builder().engine(engine).history(History.maxLength(100_000)).build()) {
      var ch = realtime.channel("long-tail");
      CountDownLatch release = new CountDownLatch(1);
      ConcurrentLinkedQueue<Integer> slow = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Integer> fast = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      ch.subscribe(
          Subscribe.toAll()
              .onError(errors::add)
              .onData(
                  m -> {
                    try {
                      release.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    slow.add((Integer) m.data());
                  }));
      ch.subscribe(
          Subscribe.toAll().onError(errors::add).onData(m -> fast.add((Integer) m.data())));
      List<CompletableFuture<String>> ids = new ArrayList<>();
      for (int i = 0; i < total; i++) ids.add(ch.emitAsync("n", i));
      for (var id : ids) id.join();
      await().atMost(Duration.ofSeconds(30)).until(() -> fast.size() == total);
      release.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> slow.size() == total);
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < total; i++) expected.add(i);
      assertThat(new ArrayList<>(fast)).containsExactlyElementsOf(expected);
      assertThat(new ArrayList<>(slow)).containsExactlyElementsOf(expected);
      assertThat(errors).isEmpty();
    }
  }

  /**
   * The append script's envelope names the entry before it, so a reader that keeps up takes every
   * entry from Pub/Sub and reads the stream not once, even with two engines (two processes, as far
   * as Redis can tell) emitting concurrently in batches.
   */
  @Test
  void aReaderThatKeepsUpTakesEntriesFromTheirEnvelopesWithoutReadingTheStream() throws Exception {
    int perEngine = 300;
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        RedisEngine other = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build();
        Realtime otherRealtime = Realtime.builder().engine(other).build();
        RedisClient client = RedisClient.create(server.uri());
        var connection = client.connect()) {
      var ch = realtime.channel("from-envelopes");
      ConcurrentLinkedQueue<Message> got = new ConcurrentLinkedQueue<>();
      ch.subscribe(Subscribe.toAll().onData(got::add));
      ch.emit("n", -1); // the reader has set up its tail once this arrives
      await().until(() -> got.size() == 1);
      connection.sync().configResetstat();

      List<CompletableFuture<String>> ids = new ArrayList<>();
      for (int i = 0; i < perEngine; i++) {
        ids.add(ch.emitAsync("n", i));
        ids.add(otherRealtime.channel("from-envelopes").emitAsync("n", perEngine + i));
      }
      for (var id : ids) id.join();
      await().until(() -> got.size() == 1 + 2 * perEngine);
      String stats = connection.sync().info("commandstats");
      assertThat(stats).as("stream reads after the first delivery").doesNotContain("xinfo");
      assertThat(stats).doesNotContain("cmdstat_xrange:");

      List<String> streamOrder =
          connection.sync().xrange("from-envelopes", Range.create("-", "+")).stream()
              .map(StreamMessage::getId)
              .toList();
      assertThat(got).extracting(Message::id).containsExactlyElementsOf(streamOrder);
    }
  }

  /**
   * An entry that came without this engine's envelope (written by someone else, whose PUBLISH may
   * come later or never) breaks the chain: the next envelope names it as its predecessor, so the
   * reader reads the stream and delivers both, in stream order, once.
   */
  @Test
  void anEntryWrittenWithoutAnEnvelopeIsReadFromTheStream() {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build();
        RedisClient client = RedisClient.create(server.uri());
        var connection = client.connect()) {
      var ch = realtime.channel("mixed");
      ConcurrentLinkedQueue<Message> got = new ConcurrentLinkedQueue<>();
      ch.subscribe(Subscribe.toAll().onData(got::add));
      ch.emit("n", 1);
      await().until(() -> got.size() == 1);
      String foreign =
          connection.sync().xadd("mixed", "data", "2", "event", "n", "channel", "mixed");
      // A stray message whose predecessor is not where the reader is: only a wake-up.
      connection
          .sync()
          .publish(
              "mixed",
              "{\"data\":99,\"event\":\"n\",\"channel\":\"mixed\",\"id\":\"1-1\",\"prev\":\"1-0\"}");
      String third = ch.emit("n", 3);
      await().until(() -> got.size() == 3);
      assertThat(got).extracting(Message::data).containsExactly(1, 2, 3);
      assertThat(got).extracting(Message::id).endsWith(foreign, third);
    }
  }

  /**
   * Pub/Sub channels span Redis's databases while streams do not: the envelopes of a channel's
   * events in database 0 reach a subscriber of the same channel name in database 1, and must
   * neither be delivered there nor move its reader past its own events.
   */
  @Test
  void envelopesFromAnotherDatabaseAreNeverTakenAsEntries() {
    try (RedisServer server = RedisServer.start();
        Realtime zero =
            Realtime.builder().engine(RedisEngine.connect(server.uri() + "/0")).build();
        Realtime one =
            Realtime.builder().engine(RedisEngine.connect(server.uri() + "/1")).build()) {
      ConcurrentLinkedQueue<Object> got = new ConcurrentLinkedQueue<>();
      one.channel("chat").subscribe(Subscribe.toAll().onData(m -> got.add(m.data())));
      // Database 1 has no stream "chat": its reader stands at 0-0, as does the "prev" of the
      // first event of database 0's new stream.
      for (int i = 0; i < 20; i++) zero.channel("chat").emit("n", "zero-" + i);
      one.channel("chat").emit("n", "one");
      await().until(() -> got.contains("one"));
      assertThat(got).containsExactly("one");
      assertThat(one.channel("chat").history())
          .extracting(HistoryMessage::data)
          .containsExactly("one");
    }
  }

  /**
   * One thread ends a channel's last watch on an engine while another starts one (two Realtime
   * instances sharing the engine): Redis must end up subscribed. When the UNSUBSCRIBE of the old
   * feed was sent after the engine's map changed, it could reach Redis after the new feed's
   * SUBSCRIBE and leave the new subscriber deaf. Seeded.
   */
  @Test
  void aSubscriptionStartedWhileTheLastOneEndsStillHearsTheChannel() throws Exception {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("ChannelFeedTest seed=" + seed + " (replay with -Dseed=" + seed + ")");
    java.util.Random random = new java.util.Random(seed);
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime first = Realtime.builder().engine(engine).build();
        Realtime second = Realtime.builder().engine(engine).build()) {
      var ch = second.channel("churn");
      for (int round = 0; round < 300; round++) {
        var old = first.channel("churn").subscribe(Subscribe.toAll().onData(m -> {}));
        CountDownLatch go = new CountDownLatch(1);
        int spin = random.nextInt(2000);
        Thread ender =
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        go.await();
                      } catch (InterruptedException e) {
                        return;
                      }
                      for (int i = 0; i < spin; i++) Thread.onSpinWait();
                      old.unsubscribe();
                    });
        ConcurrentLinkedQueue<Object> got = new ConcurrentLinkedQueue<>();
        go.countDown();
        var fresh = ch.subscribe(Subscribe.toAll().onData(m -> got.add(m.data())));
        ender.join();
        ch.emit("n", round);
        int expected = round;
        await()
            .atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(1))
            .alias("round " + round + ", seed " + seed)
            .until(() -> got.contains(expected));
        fresh.unsubscribe();
      }
    }
  }

  @Test
  void subscriptionsAreToldTheyAreConnectedFirst() {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      ConcurrentLinkedQueue<Object> seen = new ConcurrentLinkedQueue<>();
      realtime
          .channel("status")
          .subscribe(Subscribe.toAll().onStatus(seen::add).onData(m -> seen.add(m.data())));
      realtime.channel("status").emit("n", "first");
      await().until(() -> seen.size() == 2);
      assertThat(seen).containsExactly(dev.realtime.ConnectionStatus.CONNECTED, "first");
    }
  }

  /**
   * All tails together keep at most maxTailBytes: a channel that takes in an entry past it lets go
   * of its oldest, down to none, and subscribers behind read Redis, missing nothing.
   */
  @Test
  void theTailsOfAllChannelsKeepNoMoreThanTheProcessWideBound() throws Exception {
    String big = "x".repeat(300_000);
    long bound = 2_000_000;
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.builder(server.uri()).maxTailBytes(bound).build();
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      List<String> names = List.of("bound-a", "bound-b", "bound-c");
      Map<String, ConcurrentLinkedQueue<Integer>> fast = new java.util.HashMap<>();
      Map<String, ConcurrentLinkedQueue<Integer>> slow = new java.util.HashMap<>();
      CountDownLatch release = new CountDownLatch(1);
      for (String name : names) {
        ConcurrentLinkedQueue<Integer> f = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> sl = new ConcurrentLinkedQueue<>();
        fast.put(name, f);
        slow.put(name, sl);
        realtime.channel(name).subscribe(Subscribe.toAll().onData(m -> f.add(n(m.data()))));
        realtime
            .channel(name)
            .subscribe(
                Subscribe.toAll()
                    .onData(
                        m -> {
                          try {
                            release.await();
                          } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                          }
                          sl.add(n(m.data()));
                        }));
      }
      int each = 6; // 3 channels x 6 x 300 KB = 5.4 MB, against a bound of 2 MB
      for (int i = 0; i < each; i++) {
        for (String name : names) realtime.channel(name).emit("n", Map.of("n", i, "pad", big));
      }
      for (String name : names) {
        await().atMost(Duration.ofSeconds(20)).until(() -> fast.get(name).size() == each);
      }
      assertThat(engine.tailBytes()).isPositive().isLessThanOrEqualTo(bound);
      long sum = 0;
      for (String name : names) sum += engine.feedOf(name).tailSize()[1];
      assertThat(sum).isEqualTo(engine.tailBytes());
      release.countDown();
      List<Integer> all = java.util.stream.IntStream.range(0, each).boxed().toList();
      for (String name : names) {
        await().atMost(Duration.ofSeconds(20)).until(() -> slow.get(name).size() == each);
        assertThat(new ArrayList<>(fast.get(name))).isEqualTo(all);
        assertThat(new ArrayList<>(slow.get(name))).isEqualTo(all);
      }
    }
  }

  private static int n(Object data) {
    return ((Number) ((Map<?, ?>) data).get("n")).intValue();
  }
}
