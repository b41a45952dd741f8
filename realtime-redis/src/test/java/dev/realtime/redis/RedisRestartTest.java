package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Channel;
import dev.realtime.ConnectionStatus;
import dev.realtime.Gap;
import dev.realtime.History;
import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Redis really restarts under live subscribers (SIGKILL, then a new process on the same port). One
 * that comes back without its data has lost the channel's history, and with it whatever was stored
 * just before the crash and not yet read: subscribers are told of a gap instead of going on as if
 * nothing were missing. One that kept its data (append-only file) is no gap, nor is a channel that
 * expired, and a loss is told once, only to cursors that were past it.
 */
class RedisRestartTest {
  /** What the first subscriber was told, in order: "data:<n>", "gap:<afterId>", statuses. */
  private final ConcurrentLinkedQueue<String> heard = new ConcurrentLinkedQueue<>();

  private Subscribe<Object> recording(ConcurrentLinkedQueue<String> into, CountDownLatch release) {
    return Subscribe.toAll()
        .onData(
            m -> {
              into.add("data:" + m.data());
              if (m.data().equals(1)) hold(release); // a subscriber that falls behind
            })
        .onGap((Gap g) -> into.add("gap:" + g.afterId()))
        .onStatus((ConnectionStatus s) -> into.add(s.name()));
  }

  private Subscribe<Object> recording(CountDownLatch release) {
    return recording(heard, release);
  }

  private static void hold(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Data and gaps, statuses left out. */
  private static List<String> told(ConcurrentLinkedQueue<String> heard) {
    return heard.stream().filter(h -> h.startsWith("data:") || h.startsWith("gap:")).toList();
  }

  private static int feedHoles(RedisEngine engine, String channel) {
    return engine.feedOf(channel).holes().size();
  }

  private static void emitOnceBack(Channel ch, Object data) {
    await()
        .atMost(Duration.ofSeconds(15))
        .ignoreExceptions()
        .until(() -> ch.emit("n", data) != null);
  }

  private void restartedAndHeard(RedisServer server) {
    server.kill();
    await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("RECONNECTING"));
    server.restart();
    await().atMost(Duration.ofSeconds(30)).until(() -> heard.contains("RECONNECTED"));
  }

  @Test
  void aRedisThatComesBackWithoutItsDataIsAGapRightAfterWhatTheSubscriberTook() {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("restart-empty");
      CountDownLatch release = new CountDownLatch(1);
      var sub = ch.subscribe(recording(release));
      ConcurrentLinkedQueue<String> other = new ConcurrentLinkedQueue<>();
      ch.subscribe(recording(other, new CountDownLatch(0))); // keeps up
      String three = List.of(ch.emit("n", 1), ch.emit("n", 2), ch.emit("n", 3)).get(2);
      // 2 and 3 wait in memory behind the first subscriber's handler (1 too, unless the feed's
      // first read came after it).
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> engine.feedOf("restart-empty").tailSize()[0] >= 2);
      await().atMost(Duration.ofSeconds(5)).until(() -> other.contains("data:3"));
      server.kill();
      await().atMost(Duration.ofSeconds(10)).until(() -> other.contains("RECONNECTING"));
      server.restart(); // empty
      await().atMost(Duration.ofSeconds(30)).until(() -> other.contains("RECONNECTED"));
      await().atMost(Duration.ofSeconds(10)).until(() -> feedHoles(engine, "restart-empty") == 1);
      release.countDown();
      emitOnceBack(ch, 4);
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("data:4"));
      await().atMost(Duration.ofSeconds(10)).until(() -> other.contains("data:4"));
      // What the slow subscriber had not taken yet is still delivered from memory (it was emitted;
      // only Redis lost it), then the gap where whatever followed 3 unseen may have been, told
      // with the first entry after it, then live.
      assertThat(told(heard))
          .containsExactly("data:1", "data:2", "data:3", "gap:" + three, "data:4");
      assertThat(told(other))
          .containsExactly("data:1", "data:2", "data:3", "gap:" + three, "data:4");
      assertThat(sub.isActive()).isTrue();
    }
  }

  @Test
  void aRedisThatKeptItsDataIsNoGap() {
    try (RedisServer server = RedisServer.startPersistent();
        Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      Channel ch = realtime.channel("restart-kept");
      ch.subscribe(recording(new CountDownLatch(0)));
      ch.emit("n", 1);
      ch.emit("n", 2);
      await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains("data:2"));
      restartedAndHeard(server); // replays its append-only file
      emitOnceBack(ch, 3);
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("data:3"));
      assertThat(told(heard)).containsExactly("data:1", "data:2", "data:3");
    }
  }

  /**
   * A loss is told once: after it the feed has no entry of the stream to check until the next one
   * arrives, so a restart right after it is no second gap (nor is a stand-in id taken for an
   * entry), and a later restart that keeps its data is none either.
   */
  @Test
  void aLossIsToldOnceAndLaterRestartsThatKeptTheirDataAreNoGap() {
    try (RedisServer server = RedisServer.startPersistent();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("restart-once");
      ch.subscribe(recording(new CountDownLatch(0)));
      String one = ch.emit("n", 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains("data:1"));
      redis.sync().del("restart-once"); // lost, as a restart without its data would
      engine.feedOf("restart-once").wake();
      await().atMost(Duration.ofSeconds(10)).until(() -> feedHoles(engine, "restart-once") == 1);
      restartedAndHeard(server); // nothing new since the loss
      heard.removeIf(h -> h.endsWith("CONNECTED") || h.equals("RECONNECTING"));
      emitOnceBack(ch, 2);
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("data:2"));
      restartedAndHeard(server); // keeps 2
      emitOnceBack(ch, 3);
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("data:3"));
      assertThat(told(heard)).containsExactly("data:1", "gap:" + one, "data:2", "data:3");
      assertThat(engine.feedOf("restart-once").holes()).hasSize(1);
    }
  }

  @Test
  void aCaughtUpSubscriberOfAChannelLostInARestartIsToldToo() {
    try (RedisServer server = RedisServer.start();
        Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      // An expiry an hour away cannot explain a stream gone a moment later.
      Channel ch =
          realtime.channel("restart-caught-up", History.DEFAULT.expireAfter(Duration.ofHours(1)));
      ch.subscribe(recording(new CountDownLatch(0)));
      String one = ch.emit("n", 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains("data:1"));
      restartedAndHeard(server);
      emitOnceBack(ch, 2);
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("data:2"));
      assertThat(told(heard)).containsExactly("data:1", "gap:" + one, "data:2");
    }
  }

  /** A channel that expired before a restart lost nothing its subscriber had not taken. */
  @Test
  void aChannelThatExpiredBeforeTheRestartIsNoGap() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      Channel ch =
          realtime.channel("restart-expired", History.DEFAULT.expireAfter(Duration.ofMillis(300)));
      ch.subscribe(recording(new CountDownLatch(0)));
      ch.emit("n", 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains("data:1"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> redis.sync().exists("restart-expired") == 0);
      await().pollDelay(Duration.ofMillis(1200)).until(() -> true); // past the clocks' slack
      restartedAndHeard(server);
      emitOnceBack(ch, 2);
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("data:2"));
      assertThat(told(heard)).containsExactly("data:1", "data:2");
    }
  }

  /**
   * A replica promoted without the last writes, and written to since, holds entries before the
   * newest one seen but not that one: a loss whatever the expiry. (The failover is stood in for:
   * the stream is rewritten so, and the feed reads.) A subscriber that comes later replays what
   * Redis holds (and 2, which this process still has in memory), and is told of the hole; one that
   * starts live hears no gap.
   */
  @Test
  void aStreamThatKeptOlderEntriesButNotTheNewestSeenIsALossAndLaterSubscribersSeeTheHole() {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect()) {
      // An expiry this short would explain a stream gone without a trace, but not one that kept
      // older entries.
      Channel ch =
          realtime.channel("restart-spans", History.DEFAULT.expireAfter(Duration.ofMillis(300)));
      ch.subscribe(recording(new CountDownLatch(0)));
      String one = ch.emit("n", 1);
      String two = ch.emit("n", 2);
      await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains("data:2"));
      long ms = Long.parseLong(two.split("-")[0]);
      String three = ms + 5 + "-0";
      redis.sync().del("restart-spans");
      for (String id : List.of(one, three)) {
        redis
            .sync()
            .xadd(
                "restart-spans",
                new XAddArgs().id(id),
                Map.of("data", id.equals(one) ? "1" : "3", "event", "n"));
      }
      engine.feedOf("restart-spans").wake();
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("data:3"));
      assertThat(told(heard)).containsExactly("data:1", "data:2", "gap:" + two, "data:3");

      ConcurrentLinkedQueue<String> replay = new ConcurrentLinkedQueue<>();
      ch.subscribe(recording(replay, new CountDownLatch(0)).history(HistoryQuery.latest(10)));
      ConcurrentLinkedQueue<String> live = new ConcurrentLinkedQueue<>();
      ch.subscribe(recording(live, new CountDownLatch(0)));
      redis.sync().xadd("restart-spans", Map.of("data", "4", "event", "n"));
      engine.feedOf("restart-spans").wake();
      await().atMost(Duration.ofSeconds(10)).until(() -> replay.contains("data:4"));
      await().atMost(Duration.ofSeconds(10)).until(() -> live.contains("data:4"));
      assertThat(told(replay))
          .containsExactly("data:1", "data:2", "gap:" + two, "data:3", "data:4");
      assertThat(told(live)).containsExactly("data:4");
    }
  }

  /** After a loss and before anything new, a subscription that starts live does not start in it. */
  @Test
  void aSubscriptionStartedLiveAfterALossHearsNoGap() {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("restart-join");
      ch.subscribe(recording(new CountDownLatch(0)));
      String one = ch.emit("n", 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains("data:1"));
      restartedAndHeard(server);
      await().atMost(Duration.ofSeconds(10)).until(() -> feedHoles(engine, "restart-join") == 1);
      ConcurrentLinkedQueue<String> late = new ConcurrentLinkedQueue<>();
      ch.subscribe(recording(late, new CountDownLatch(0)));
      emitOnceBack(ch, 2);
      await().atMost(Duration.ofSeconds(10)).until(() -> late.contains("data:2"));
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("data:2"));
      assertThat(told(late)).containsExactly("data:2");
      assertThat(told(heard)).containsExactly("data:1", "gap:" + one, "data:2");
    }
  }

  /**
   * A subscriber so far behind that it reads Redis, not the shared tail, asks too whether the
   * stream still holds the newest entry the feed took: otherwise, in the moment between a restart
   * and the feed's own read, it would read on from what Redis kept into what was stored since, past
   * the loss, unaware. Here the feed never reads (nothing wakes it): the cursor finds the loss.
   */
  @Test
  void aSubscriberBehindTheTailFindsALossTheFeedHasNotReadYet() {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect()) {
      Channel ch = realtime.channel("restart-behind");
      CountDownLatch release = new CountDownLatch(1);
      ConcurrentLinkedQueue<String> slow = new ConcurrentLinkedQueue<>();
      ch.subscribe(
          Subscribe.toAll()
              .onData(
                  m -> {
                    slow.add(m.data() instanceof String ? "data:big" : "data:" + m.data());
                    hold(release);
                  })
              .onGap((Gap g) -> slow.add("gap:" + g.afterId())));
      String one = ch.emit("n", 1);
      String big = "x".repeat(700_000);
      int bigOnes = (int) (ChannelFeed.TAIL_MAX_BYTES / big.length()) + 3;
      String last = null;
      for (int i = 0; i < bigOnes; i++) last = ch.emit("n", big);
      String newestSeen = last;
      ChannelFeed feed = engine.feedOf("restart-behind");
      await().atMost(Duration.ofSeconds(10)).until(() -> feed.tailSize()[0] < bigOnes);
      assertThat(
              feed.tryServe(dev.realtime.spi.Range.after(dev.realtime.spi.EntryId.parse(one), 10)))
          .isNull();
      // The stream as a Redis that kept only entry 1 has it once it was written to again; the
      // feed has not read it yet.
      long ms = Long.parseLong(newestSeen.split("-")[0]);
      redis.sync().del("restart-behind");
      redis
          .sync()
          .xadd("restart-behind", new XAddArgs().id(one), Map.of("data", "1", "event", "n"));
      redis
          .sync()
          .xadd(
              "restart-behind",
              new XAddArgs().id(ms + 5 + "-0"),
              Map.of("data", "3", "event", "n"));
      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> slow.contains("data:3"));
      assertThat(slow).containsExactly("data:1", "gap:" + one, "data:3");
      assertThat(feed.holes())
          .containsExactly(
              new ChannelFeed.Hole(
                  dev.realtime.spi.EntryId.parse(one),
                  dev.realtime.spi.EntryId.parse(newestSeen).successor()));
    }
  }
}
