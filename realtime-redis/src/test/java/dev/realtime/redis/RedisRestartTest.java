package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Channel;
import dev.realtime.ConnectionStatus;
import dev.realtime.Gap;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Redis really restarts under live subscribers (SIGKILL, then a new process on the same port). One
 * that comes back without its data has lost the channel's history, and with it whatever was stored
 * just before the crash and not yet read: subscribers are told of a gap instead of going on as if
 * the stream had merely expired. One that kept its data (append-only file) is no gap.
 */
class RedisRestartTest {
  /** What a subscriber was told, in order: "data:<n>", "gap:<afterId>", statuses. */
  private final ConcurrentLinkedQueue<String> heard = new ConcurrentLinkedQueue<>();

  private Subscribe<Object> recording(CountDownLatch release) {
    return Subscribe.toAll()
        .onData(
            m -> {
              heard.add("data:" + m.data());
              if (m.data().equals(1)) hold(release); // a subscriber that falls behind
            })
        .onGap((Gap g) -> heard.add("gap:" + g.afterId()))
        .onStatus((ConnectionStatus s) -> heard.add(s.name()));
  }

  private static void hold(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<String> data() {
    return heard.stream()
        .filter(h -> !h.endsWith("CONNECTED") && !h.equals("RECONNECTING"))
        .toList();
  }

  @Test
  void aRedisThatComesBackWithoutItsDataIsAGapRightAfterWhatTheSubscriberTook() {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("restart-empty");
      CountDownLatch release = new CountDownLatch(1);
      var sub = ch.subscribe(recording(release));
      List<String> ids = List.of(ch.emit("n", 1), ch.emit("n", 2), ch.emit("n", 3));
      // 2 and 3 were read from Redis, and wait in memory behind the subscriber's handler.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> engine.feedOf("restart-empty").tailSize()[0] == 3);
      // The held subscriber hears statuses in order, after its data: another one tells when.
      ConcurrentLinkedQueue<ConnectionStatus> observed = new ConcurrentLinkedQueue<>();
      ch.subscribe(Subscribe.toAll().onData(m -> {}).onGap(g -> {}).onStatus(observed::add));
      server.kill();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> observed.contains(ConnectionStatus.RECONNECTING));
      server.restart(); // empty
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> observed.contains(ConnectionStatus.RECONNECTED));
      release.countDown();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> heard.stream().anyMatch(h -> h.startsWith("gap:")));
      ch.emit("n", 4);
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("data:4"));
      // What the subscription had taken before the crash is delivered; then the gap right after
      // the last of it (the stream lost the rest, and whatever followed 3 unseen), then live.
      List<String> told = data();
      int gapAt = told.size() - 2;
      assertThat(gapAt).isBetween(1, 3);
      assertThat(told.subList(0, gapAt))
          .isEqualTo(List.of("data:1", "data:2", "data:3").subList(0, gapAt));
      assertThat(told.get(gapAt)).isEqualTo("gap:" + ids.get(gapAt - 1));
      assertThat(told.get(gapAt + 1)).isEqualTo("data:4");
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
      server.kill();
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("RECONNECTING"));
      server.restart(); // replays its append-only file
      await().atMost(Duration.ofSeconds(30)).until(() -> heard.contains("RECONNECTED"));
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> ch.emit("n", 3) != null);
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("data:3"));
      assertThat(data()).containsExactly("data:1", "data:2", "data:3");
    }
  }

  /**
   * A restart with nobody reading meanwhile, on a channel that expired while its subscriber was
   * caught up, looks the same: both are reported, since Redis cannot say which it was. Without a
   * restart an expired channel is no gap (the conformance suite's expiry tests).
   */
  @Test
  void aCaughtUpSubscriberOfAChannelLostInARestartIsToldToo() {
    try (RedisServer server = RedisServer.start();
        Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      Channel ch = realtime.channel("restart-caught-up");
      ch.subscribe(recording(new CountDownLatch(0)));
      String one = ch.emit("n", 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains("data:1"));
      server.kill();
      server.restart();
      await().atMost(Duration.ofSeconds(30)).until(() -> heard.contains("RECONNECTED"));
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("gap:" + one));
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> ch.emit("n", 2) != null);
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("data:2"));
      assertThat(data()).containsExactly("data:1", "gap:" + one, "data:2");
    }
  }

  /**
   * A replica promoted without the last writes, and written to since, spans the newest entry seen
   * without holding it: the feed's check reads from that entry itself, so this is a gap too. (The
   * failover is stood in for: the stream is rewritten so, and the feed told of a new process.)
   */
  @Test
  void aStreamThatSpansTheNewestEntrySeenWithoutHoldingItIsALossToo() {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build();
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(server.uri());
        var redis = client.connect()) {
      Channel ch = realtime.channel("restart-spans");
      ch.subscribe(recording(new CountDownLatch(0)));
      String one = ch.emit("n", 1);
      String two = ch.emit("n", 2);
      await().atMost(Duration.ofSeconds(5)).until(() -> heard.contains("data:2"));
      long ms = Long.parseLong(two.split("-")[0]);
      redis.sync().del("restart-spans");
      for (String id : List.of(one, ms + 5 + "-0")) {
        redis
            .sync()
            .xadd(
                "restart-spans",
                new io.lettuce.core.XAddArgs().id(id),
                java.util.Map.of("data", id.equals(one) ? "1" : "3", "event", "n"));
      }
      engine.feedOf("restart-spans").redisRestarted();
      engine.feedOf("restart-spans").wake();
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("gap:" + two));
      await().atMost(Duration.ofSeconds(10)).until(() -> heard.contains("data:3"));
      assertThat(data()).containsExactly("data:1", "data:2", "gap:" + two, "data:3");
    }
  }
}
