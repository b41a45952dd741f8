package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Channel;
import dev.realtime.Gap;
import dev.realtime.History;
import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import dev.realtime.Subscription;
import dev.realtime.SubscriptionEnd;
import dev.realtime.spi.ChannelWatch;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.WatchListener;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The edges of telling entries Redis lost (RedisRestartTest): a gap is told where something may
 * have been lost and nowhere else. A false gap is as bad as a missed one (a subscription without
 * onGap ends on it), so subscriptions that start after a loss, channels that merely expired, and
 * emitters of an earlier release are no gap; and what the process still holds is delivered.
 */
class LossEdgesTest {

  /** A subscriber without onGap: a gap ends it (FAILED), which these tests would see. */
  private static final class Plain {
    final ConcurrentLinkedQueue<Object> got = new ConcurrentLinkedQueue<>();
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<SubscriptionEnd> ends = new ConcurrentLinkedQueue<>();

    Subscribe<Object> subscribe() {
      return Subscribe.toAll().onData(m -> got.add(m.data())).onError(errors::add).onEnd(ends::add);
    }
  }

  private static void pause(long ms) {
    await().pollDelay(Duration.ofMillis(ms)).until(() -> true);
  }

  /**
   * Redis lost the stream (DEL stands in for a restart without its data) and a subscription starts
   * live before this process's feed reads again: its state read asks about the feed's newest entry,
   * finds the loss, and starts after it, so it lost nothing and hears no gap.
   */
  @Test
  void aSubscriptionStartedLiveAfterALossButBeforeTheFeedReadHearsNoGap() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("join-in-window");
      ch.emit("n", 0); // history before the feed exists: its tail starts after it
      Plain first = new Plain();
      ch.subscribe(first.subscribe().onGap((Gap g) -> first.got.add("gap")));
      ch.emit("n", 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> first.got.contains(1));

      redis.sync().del("join-in-window"); // lost; the feed has not read since
      Plain late = new Plain();
      Subscription sub = ch.subscribe(late.subscribe());
      ch.emit("n", 2); // wakes the feed, which finds the loss
      await().atMost(Duration.ofSeconds(10)).until(() -> first.got.contains(2));
      pause(500);

      assertThat(late.errors).isEmpty();
      assertThat(late.ends).isEmpty();
      assertThat(sub.isActive()).isTrue();
      assertThat(late.got).containsExactly(2);
    }
  }

  /**
   * The same with a real restart: a subscription that starts right after Redis came back empty,
   * whether before or after the feed's read, hears no gap, while the one that was live hears one.
   */
  @Test
  void aSubscriptionStartedRightAfterARestartHearsNoGap() {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("join-after-restart");
      ch.emit("n", 0);
      ConcurrentLinkedQueue<Object> first = new ConcurrentLinkedQueue<>();
      ch.subscribe(
          Subscribe.toAll()
              .onData(m -> first.add(m.data()))
              .onGap((Gap g) -> first.add("gap"))
              .onStatus(s -> first.add(s.name())));
      ch.emit("n", 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> first.contains(1));
      server.kill();
      await().atMost(Duration.ofSeconds(10)).until(() -> first.contains("RECONNECTING"));
      server.restart(); // empty
      Plain late = new Plain();
      Subscription[] sub = new Subscription[1];
      await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(20))
          .ignoreExceptions()
          .until(() -> (sub[0] = ch.subscribe(late.subscribe())) != null);
      await()
          .atMost(Duration.ofSeconds(15))
          .ignoreExceptions()
          .until(() -> ch.emit("n", 2) != null);
      await().atMost(Duration.ofSeconds(10)).until(() -> first.contains(2));
      pause(500);
      assertThat(first).containsSubsequence(1, "gap", 2);
      assertThat(late.errors).isEmpty();
      assertThat(sub[0].isActive()).isTrue();
      assertThat(late.got).containsExactly(2);
    }
  }

  /**
   * As above, with a promoted replica that kept older entries (the stream rewritten, as
   * RedisRestartTest stands in for a failover): the newest entry Redis kept is the hole's start,
   * and a subscription started live does not start there.
   */
  @Test
  void aSubscriptionStartedLiveOnAPromotedReplicaBeforeTheFeedReadHearsNoGap() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("join-replica");
      ch.emit("n", 0);
      Plain first = new Plain();
      ch.subscribe(first.subscribe().onGap((Gap g) -> first.got.add("gap")));
      String one = ch.emit("n", 1);
      ch.emit("n", 2);
      await().atMost(Duration.ofSeconds(5)).until(() -> first.got.contains(2));
      redis.sync().del("join-replica");
      redis.sync().xadd("join-replica", new XAddArgs().id(one), Map.of("data", "1", "event", "n"));

      Plain late = new Plain();
      Subscription sub = ch.subscribe(late.subscribe());
      ch.emit("n", 3);
      await().atMost(Duration.ofSeconds(10)).until(() -> first.got.contains(3));
      pause(500);
      assertThat(late.errors).isEmpty();
      assertThat(sub.isActive()).isTrue();
      assertThat(late.got).containsExactly(3);
    }
  }

  /**
   * Each envelope says the key's time to live after its emit: once a channel's expireAfter is
   * shortened (a redeploy of its emitters), the channel expiring as now configured is no gap.
   */
  @Test
  void aChannelThatExpiresAfterItsExpiryWasShortenedIsNoGap() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel before =
          realtime.channel("shortened", History.DEFAULT.expireAfter(Duration.ofHours(1)));
      Channel after =
          realtime.channel("shortened", History.DEFAULT.expireAfter(Duration.ofMillis(300)));
      Plain sub = new Plain();
      Subscription s = before.subscribe(sub.subscribe());
      before.emit("n", 1);
      after.emit("n", 2); // the new setting: the stream now lives 300 ms
      await().atMost(Duration.ofSeconds(5)).until(() -> sub.got.contains(2));
      await().atMost(Duration.ofSeconds(10)).until(() -> redis.sync().exists("shortened") == 0);
      pause(1500); // past the clocks' slack too
      after.emit("n", 3);
      await().atMost(Duration.ofSeconds(5)).until(() -> sub.got.contains(3) || !s.isActive());
      assertThat(sub.errors).isEmpty();
      assertThat(s.isActive()).isTrue();
      assertThat(sub.got).containsExactly(1, 2, 3);
    }
  }

  /**
   * Two writers, one that sets an expiry and one that does not refresh it (another service, or the
   * original with no expireAfterSecs): the key expires after the last expiring emit, not after the
   * newest entry, and the envelope of the newest says so (its PTTL). Expired, it is no gap.
   */
  @Test
  void aChannelWhoseNewestEntryDidNotRefreshTheExpiryIsNoGapWhenItExpires() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel expiring =
          realtime.channel("mixed-writers", History.DEFAULT.expireAfter(Duration.ofSeconds(3)));
      Channel plain = realtime.channel("mixed-writers");
      Plain sub = new Plain();
      Subscription s = plain.subscribe(sub.subscribe());
      expiring.emit("n", 1);
      pause(2000);
      plain.emit("n", 2); // no PEXPIRE: the key still expires 3 s after 1
      await().atMost(Duration.ofSeconds(5)).until(() -> sub.got.contains(2));
      await().atMost(Duration.ofSeconds(10)).until(() -> redis.sync().exists("mixed-writers") == 0);
      plain.emit("n", 3);
      await().atMost(Duration.ofSeconds(5)).until(() -> sub.got.contains(3) || !s.isActive());
      assertThat(sub.errors).isEmpty();
      assertThat(s.isActive()).isTrue();
      assertThat(sub.got).containsExactly(1, 2, 3);
    }
  }

  /**
   * A subscription started live after a loss, before anything new was stored, is handed a real
   * position (the empty stream's 0-0), not a made-up one: resumed from it in another process (a
   * server hands it out in its connected frame) once the channel goes on, it is no gap.
   */
  @Test
  void aPositionHandedOutAfterALossResumesElsewhereWithoutAGap() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build();
        RedisEngine otherEngine = RedisEngine.connect(server.uri());
        Realtime other = Realtime.builder().engine(otherEngine).build()) {
      Channel ch = realtime.channel("stand-in");
      ConcurrentLinkedQueue<Object> first = new ConcurrentLinkedQueue<>();
      ch.subscribe(
          Subscribe.toAll().onData(m -> first.add(m.data())).onGap((Gap g) -> first.add("gap")));
      ch.emit("n", 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> first.contains(1));
      redis.sync().del("stand-in");
      engine.feedOf("stand-in").wake();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> engine.feedOf("stand-in").holes().size() == 1);

      Plain joined = new Plain();
      Subscription j = ch.subscribe(joined.subscribe());
      String position = j.position(); // what a server writes as the place to resume from
      j.unsubscribe();
      ch.emit("n", 2);
      ch.emit("n", 3);

      Plain resumed = new Plain();
      Subscription r = other.channel("stand-in").subscribe(resumed.subscribe().after(position));
      await().atMost(Duration.ofSeconds(5)).until(() -> resumed.got.size() == 2 || !r.isActive());
      assertThat(resumed.errors).as("position " + position).isEmpty();
      assertThat(resumed.got).containsExactly(2, 3);
    }
  }

  /**
   * A channel whose SUBSCRIBE the ACL refuses: its feed reads only after a reconnect or a failed
   * read (no wake-ups come), and a cursor's Redis reads are not cut at that stale end: a history
   * replay gets all of it.
   */
  @Test
  void aHistoryReplayOfAChannelWhoseSubscribeIsRefusedIsNotCutAtAStaleFeedEnd() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> admin = client.connect()) {
      admin
          .sync()
          .aclSetuser(
              "limited",
              AclSetuserArgs.Builder.on()
                  .addPassword("pw")
                  .allKeys()
                  .channelPattern("other")
                  .allCommands());
      String uri = "redis://limited:pw@127.0.0.1:" + server.port();
      try (RedisEngine engine = RedisEngine.connect(uri);
          Realtime realtime = Realtime.builder().engine(engine).build()) {
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        ConcurrentLinkedQueue<String> statuses = new ConcurrentLinkedQueue<>();
        realtime
            .channel("room")
            .subscribe(
                Subscribe.toAll()
                    .onData(m -> {})
                    .onError(errors::add)
                    .onStatus(st -> statuses.add(st.name())));
        await().until(() -> !errors.isEmpty()); // refused
        String two = null;
        for (int i = 1; i <= 2; i++) {
          two =
              admin
                  .sync()
                  .xadd("room", "data", Integer.toString(i), "event", "n", "channel", "room");
        }
        dev.realtime.spi.EntryId twoId = dev.realtime.spi.EntryId.parse(two);
        // A network blip (its Pub/Sub connection subscribed to nothing, so it is not of TYPE
        // pubsub):
        // every feed reads once after RECONNECTED, this one too.
        admin.sync().clientKill(io.lettuce.core.KillArgs.Builder.user("limited"));
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.contains("RECONNECTED"));
        // The feed has read (its tail now starts at 2).
        await()
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    engine.feedOf("room").tryServe(dev.realtime.spi.Range.after(twoId, 1)) != null);
        pause(500);
        for (int i = 3; i <= 5; i++) {
          admin.sync().xadd("room", "data", Integer.toString(i), "event", "n", "channel", "room");
        }
        ConcurrentLinkedQueue<Object> replay = new ConcurrentLinkedQueue<>();
        realtime
            .channel("room")
            .subscribe(
                Subscribe.toAll()
                    .onData(m -> replay.add(m.data()))
                    .history(HistoryQuery.latest(10)));
        pause(2000);
        assertThat(replay).containsExactly(1, 2, 3, 4, 5);
      }
    }
  }

  /**
   * In the process that knows of a loss, a subscription started since a time before it is told of
   * it, as one resumed after an id inside the hole is.
   */
  @Test
  void aSubscriptionSinceATimeBeforeAKnownLossIsToldOfIt() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("since-loss");
      ConcurrentLinkedQueue<Object> first = new ConcurrentLinkedQueue<>();
      ch.subscribe(
          Subscribe.toAll().onData(m -> first.add(m.data())).onGap((Gap g) -> first.add("gap")));
      long t0 = System.currentTimeMillis() - 5_000;
      ch.emit("n", 1);
      ch.emit("n", 2);
      await().atMost(Duration.ofSeconds(5)).until(() -> first.contains(2));
      redis.sync().del("since-loss");
      ch.emit("n", 3); // the feed reads and finds the loss
      await().atMost(Duration.ofSeconds(10)).until(() -> first.contains(3));
      assertThat(first).containsExactly(1, 2, "gap", 3);

      ConcurrentLinkedQueue<Object> since = new ConcurrentLinkedQueue<>();
      ch.subscribe(
          Subscribe.toAll()
              .onData(m -> since.add(m.data()))
              .onGap((Gap g) -> since.add("gap"))
              .since(t0));
      await().atMost(Duration.ofSeconds(5)).until(() -> since.contains(3));
      pause(300);
      // 1 and 2 are gone: told as a gap (or delivered from memory, then told), not silence.
      assertThat(List.copyOf(since)).contains("gap").endsWith(3);
    }
  }

  /**
   * Two losses while a subscriber lags inside the tail: what the tail holds before each hole is
   * delivered (it was emitted; only Redis lost it), and each hole is a gap.
   */
  @Test
  void aSecondLossKeepsWhatTheTailHeldForALaggingSubscriber() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("two-holes");
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      ConcurrentLinkedQueue<Object> slow = new ConcurrentLinkedQueue<>();
      ch.subscribe(
          Subscribe.toAll()
              .onData(
                  m -> {
                    slow.add(m.data());
                    if (m.data().equals(1)) {
                      try {
                        release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }
                  })
              .onGap((Gap g) -> slow.add("gap")));
      ConcurrentLinkedQueue<Object> fast = new ConcurrentLinkedQueue<>();
      ch.subscribe(
          Subscribe.toAll().onData(m -> fast.add(m.data())).onGap((Gap g) -> fast.add("gap")));
      for (int i = 1; i <= 3; i++) ch.emit("n", i);
      await().atMost(Duration.ofSeconds(5)).until(() -> fast.contains(3));
      redis.sync().del("two-holes"); // first loss
      ch.emit("n", 4);
      ch.emit("n", 5);
      await().atMost(Duration.ofSeconds(5)).until(() -> fast.contains(5));
      redis.sync().del("two-holes"); // second loss
      ch.emit("n", 6);
      await().atMost(Duration.ofSeconds(5)).until(() -> fast.contains(6));
      assertThat(fast).containsExactly(1, 2, 3, "gap", 4, 5, "gap", 6);
      release.countDown();
      await().atMost(Duration.ofSeconds(5)).until(() -> slow.contains(6));
      assertThat(slow).containsExactly(1, 2, 3, "gap", 4, 5, "gap", 6);
    }
  }

  /**
   * Emitters of an earlier release (a rolling upgrade) send this engine's envelope without "ttl":
   * then nothing is known of the channel's expiry, and a stream gone without a trace is not called
   * a loss (a wake() stands in for the read after a restart that lost nothing).
   */
  @Test
  void aChannelOfAnOlderEmitterThatExpiredIsNoGap() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("old-emitter");
      Plain sub = new Plain();
      Subscription s = ch.subscribe(sub.subscribe());
      pause(300); // the feed's first read: no key yet
      // What the previous release's append.lua does for an emit with expireAfter 2 s.
      String id =
          redis.sync().xadd("old-emitter", "data", "1", "event", "n", "channel", "old-emitter");
      redis.sync().pexpire("old-emitter", 2000);
      redis
          .sync()
          .publish(
              "old-emitter",
              "{\"data\":1,\"event\":\"n\",\"channel\":\"old-emitter\",\"id\":\""
                  + id
                  + "\",\"prev\":\"0-0\"}");
      await().atMost(Duration.ofSeconds(5)).until(() -> sub.got.contains(1));
      await().atMost(Duration.ofSeconds(10)).until(() -> redis.sync().exists("old-emitter") == 0);
      pause(1200);
      engine.feedOf("old-emitter").wake(); // the reconnect's read after a restart
      pause(500);
      assertThat(sub.errors).isEmpty();
      assertThat(s.isActive()).isTrue();
    }
  }

  /**
   * A promoted replica lost the newest writes (hole from entry 1), later Redis lost the whole
   * stream (hole from 0-0, which makes the older one meaningless). A subscription started live on
   * the now empty stream starts at 0-0 and gets what comes next: no read of it stops at the older
   * hole's start.
   */
  @Test
  void aSubscriptionStartedAtZeroAfterTwoLossesIsNotStuck() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("stuck");
      ConcurrentLinkedQueue<Object> first = new ConcurrentLinkedQueue<>();
      ch.subscribe(
          Subscribe.toAll().onData(m -> first.add(m.data())).onGap((Gap g) -> first.add("gap")));
      pause(300);
      String one = ch.emit("n", 1);
      ch.emit("n", 2);
      await().atMost(Duration.ofSeconds(5)).until(() -> first.contains(2));
      // promoted replica: kept 1, lost 2
      redis.sync().del("stuck");
      redis.sync().xadd("stuck", new XAddArgs().id(one), Map.of("data", "1", "event", "n"));
      ch.emit("n", 3);
      await().atMost(Duration.ofSeconds(5)).until(() -> first.contains(3));
      // then the whole stream is lost
      redis.sync().del("stuck");
      engine.feedOf("stuck").wake();
      // The stream lost whole: the older hole tells nothing any more.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  engine.feedOf("stuck").holes().size() == 1
                      && engine.feedOf("stuck").holes().get(0).from().equals(EntryId.ZERO));

      Plain late = new Plain();
      Subscription s = ch.subscribe(late.subscribe());
      String startedAt = s.position();
      ch.emit("n", 4);
      ch.emit("n", 5);
      await().atMost(Duration.ofSeconds(5)).until(() -> first.contains(5));
      pause(1000);
      assertThat(late.errors).isEmpty();
      assertThat(late.got).as("started at " + startedAt).containsExactly(4, 5);
    }
  }

  /**
   * A feed that started on an empty channel holds its entries from 0-0; the channel expires (no
   * loss) and a subscription started live on the empty stream, at 0-0, gets what comes next, not
   * the expired life's entries from the tail.
   */
  @Test
  void aSubscriptionStartedOnAnExpiredChannelGetsNothingFromItsEarlierLife() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("ghost", History.DEFAULT.expireAfter(Duration.ofMillis(300)));
      Plain first = new Plain();
      ch.subscribe(first.subscribe());
      pause(300);
      ch.emit("n", 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> first.got.contains(1));
      await().atMost(Duration.ofSeconds(10)).until(() -> redis.sync().exists("ghost") == 0);
      pause(1200);
      Plain late = new Plain();
      Subscription s = ch.subscribe(late.subscribe());
      String at = s.position();
      ch.emit("n", 2);
      await().atMost(Duration.ofSeconds(5)).until(() -> late.got.contains(2));
      pause(300);
      assertThat(late.got).as("started at " + at).containsExactly(2);
    }
  }

  /**
   * One loss on a promoted replica (hole from entry 1, not 0-0), then the channel merely expires. A
   * subscription started live on the empty stream, at 0-0, gets 4 and nothing else: not the earlier
   * life from the tail, no gap it never had, and no read stopped at the hole's start.
   */
  @Test
  void aSubscriptionStartedOnAChannelThatExpiredAfterALossGetsWhatComesNext() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch =
          realtime.channel(
              "lost-then-expired", History.DEFAULT.expireAfter(Duration.ofMillis(800)));
      ConcurrentLinkedQueue<Object> first = new ConcurrentLinkedQueue<>();
      ch.subscribe(
          Subscribe.toAll().onData(m -> first.add(m.data())).onGap((Gap g) -> first.add("gap")));
      pause(300);
      String one = ch.emit("n", 1);
      ch.emit("n", 2);
      await().atMost(Duration.ofSeconds(5)).until(() -> first.contains(2));
      redis.sync().del("lost-then-expired");
      redis
          .sync()
          .xadd("lost-then-expired", new XAddArgs().id(one), Map.of("data", "1", "event", "n"));
      ch.emit("n", 3);
      await().atMost(Duration.ofSeconds(5)).until(() -> first.contains(3));
      assertThat(engine.feedOf("lost-then-expired").holes()).hasSize(1);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> redis.sync().exists("lost-then-expired") == 0);
      pause(1200);
      Plain late = new Plain();
      Subscription s = ch.subscribe(late.subscribe());
      ch.emit("n", 4);
      await().atMost(Duration.ofSeconds(5)).until(() -> first.contains(4));
      pause(1000);
      assertThat(late.errors).isEmpty();
      assertThat(s.isActive()).isTrue();
      assertThat(late.got).containsExactly(4);
    }
  }

  private static void keep(
      StatefulRedisConnection<String, String> redis, String key, List<String> ids, int through) {
    redis.sync().del(key);
    for (int i = 0; i <= through; i++) {
      redis
          .sync()
          .xadd(
              key,
              new XAddArgs().id(ids.get(i)),
              Map.of("data", Integer.toString(i), "event", "n", "channel", key));
    }
  }

  /**
   * A promoted replica kept entry 0 of 0..2, then the stream is lost whole before any new entry:
   * after the first loss the feed checks entry 0, the newest Redis kept, and finds the stream gone
   * whole; a subscription started live then gets 3, not the old life's entries, and no gap.
   */
  @Test
  void aLiveSubscriptionAfterAPartialThenAWholeLossGetsNoOldEntries() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      String key = "partial-then-whole";
      Channel ch = realtime.channel(key);
      Plain first = new Plain();
      ch.subscribe(first.subscribe().onGap((Gap g) -> first.got.add("gap")));
      pause(500); // the feed is set up on the empty channel (as one that exists well before)
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 3; i++) ids.add(ch.emit("n", i));
      await().atMost(Duration.ofSeconds(5)).until(() -> first.got.contains(2));

      keep(redis, key, ids, 0); // a promoted replica that kept 0
      engine.feedOf(key).wake();
      await().atMost(Duration.ofSeconds(5)).until(() -> engine.feedOf(key).holes().size() == 1);
      redis.sync().del(key); // then lost whole (or expired) before any new entry
      engine.feedOf(key).wake();
      pause(300);
      Plain late = new Plain();
      Subscription sub = ch.subscribe(late.subscribe());
      pause(500);
      ch.emit("n", 3);
      await().atMost(Duration.ofSeconds(5)).until(() -> first.got.contains(3));
      pause(500);
      assertThat(late.got).containsExactly(3);
      assertThat(late.errors).isEmpty();
      assertThat(sub.isActive()).isTrue();
    }
  }

  /**
   * A slow subscriber behind the tail, inside what a promoted replica lost; the stream is then lost
   * whole before a new entry: it is told of the gap before the new entry.
   */
  @Test
  void aSlowCursorInAPrunedHoleIsToldOfTheGap() throws Exception {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      String key = "pruned-hole";
      Channel ch = realtime.channel(key);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 600; i++) ids.add(ch.emit("n", i));
      Plain live = new Plain();
      ch.subscribe(live.subscribe().onGap((Gap g) -> live.got.add("gap")));
      await().atMost(Duration.ofSeconds(5)).until(() -> engine.feedOf(key) != null);
      pause(300);

      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      ConcurrentLinkedQueue<Object> slow = new ConcurrentLinkedQueue<>();
      AtomicBoolean blocked = new AtomicBoolean();
      ch.subscribe(
          Subscribe.toAll()
              .after(ids.get(100))
              .onData(
                  m -> {
                    if (blocked.compareAndSet(false, true)) {
                      entered.countDown();
                      try {
                        release.await(20, TimeUnit.SECONDS);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    }
                    slow.add(m.data());
                  })
              .onGap((Gap g) -> slow.add("gap")));
      assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

      keep(redis, key, ids, 9); // a promoted replica kept 0..9: 10..599 lost
      engine.feedOf(key).wake();
      await().atMost(Duration.ofSeconds(5)).until(() -> engine.feedOf(key).holes().size() == 1);
      redis.sync().del(key); // then lost whole before any new entry
      engine.feedOf(key).wake();
      pause(300);
      ch.emit("n", 1000);
      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> slow.contains(1000));
      // it got 101..356 from its batch; 357..599 were emitted and lost
      assertThat(slow).contains("gap");
    }
  }

  /**
   * After a restart both the feed and a cursor behind the tail read (RECONNECTED wakes all). The
   * cursor's read was planned before the feed recorded the hole and comes back after: what it read
   * past the hole does not go out, and the next read tells the gap.
   */
  @Test
  void aCursorReadPlannedBeforeTheFeedFoundTheLossDoesNotCrossTheHole() throws Exception {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      String key = "race";
      Channel ch = realtime.channel(key);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 600; i++) ids.add(ch.emit("n", i));
      Plain live = new Plain();
      ch.subscribe(live.subscribe().onGap((Gap g) -> live.got.add("gap")));
      await().atMost(Duration.ofSeconds(5)).until(() -> engine.feedOf(key) != null);
      pause(300);

      keep(redis, key, ids, 399); // a promoted replica kept 0..399: 400..599 lost
      redis.sync().xadd(key, Map.of("data", "1000", "event", "n", "channel", key)); // stored since
      server.pause();
      try {
        engine.feedOf(key).wake(); // the feed's read goes first (as on RECONNECTED)
        ConcurrentLinkedQueue<Object> got = new ConcurrentLinkedQueue<>();
        Thread t =
            Thread.ofVirtual()
                .start(
                    () ->
                        ch.subscribe(
                            Subscribe.toAll()
                                .after(ids.get(300))
                                .onData(m -> got.add(m.data()))
                                .onGap((Gap g) -> got.add("gap"))));
        pause(500);
        server.resume();
        t.join(5000);
        await().atMost(Duration.ofSeconds(10)).until(() -> got.contains(1000));
        assertThat(engine.feedOf(key).holes()).hasSize(1);
        List<Object> seq = new ArrayList<>(got);
        assertThat(seq.indexOf("gap")).isBetween(0, seq.indexOf(1000));
      } finally {
        server.resume();
      }
    }
  }

  /**
   * expireAfter, no loss at all: the key expires when Redis says. An envelope handled late (the
   * Pub/Sub event loop busy for 1.5 s: a slow listener, GC, load) does not move the expiry the feed
   * knows (it is on Redis's clock), and the expiry is no gap.
   */
  @Test
  void aLateEnvelopeDoesNotTurnAnExpiryIntoALoss() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        StatefulRedisConnection<String, String> redis = client.connect();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build();
        RedisEngine otherEngine = RedisEngine.connect(server.uri());
        Realtime other = Realtime.builder().engine(otherEngine).build()) {
      String key = "late-envelope";
      Channel ch = realtime.channel(key, History.DEFAULT.expireAfter(Duration.ofMillis(2000)));
      Channel emitter = other.channel(key, History.DEFAULT.expireAfter(Duration.ofMillis(2000)));
      Plain sub = new Plain();
      Subscription s = ch.subscribe(sub.subscribe());
      AtomicBoolean slowOnce = new AtomicBoolean();
      ChannelWatch w =
          engine.watch(
              key,
              new WatchListener() {
                @Override
                public void onAppend() {
                  if (slowOnce.compareAndSet(true, false)) {
                    try {
                      Thread.sleep(2500);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                }
              });
      ch.emit("n", 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> sub.got.contains(1));
      slowOnce.set(true);
      emitter.emit("n", 2); // another process; its handling here holds the event loop 2.5 s
      emitter.emit("n", 3); // so this envelope is handled 2.5 s late
      await().atMost(Duration.ofSeconds(10)).until(() -> sub.got.contains(3));
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(5))
          .until(() -> redis.sync().exists(key) == 0);
      engine.feedOf(key).wake(); // any read right after (a new subscription's, a wake-up)
      pause(300);
      ch.emit("n", 4);
      await().atMost(Duration.ofSeconds(5)).until(() -> sub.got.contains(4) || !s.isActive());
      w.close();
      assertThat(sub.errors).isEmpty();
      assertThat(s.isActive()).isTrue();
      assertThat(sub.got).containsExactly(1, 2, 3, 4);
    }
  }
}
