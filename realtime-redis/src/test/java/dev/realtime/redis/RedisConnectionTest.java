package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.EngineException;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Connecting (passwords, bad addresses), and what one process asks of Redis per channel. */
class RedisConnectionTest {

  @Test
  void aRedisClusterIsRefusedAtConnectWithWhatToUseInstead() {
    // Batched emits of several channels in one script call would fail with CROSSSLOT.
    try (RedisServer server = RedisServer.builder().cluster().start()) {
      assertThatThrownBy(() -> RedisEngine.connect(server.uri()))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("runs as a Redis Cluster")
          .hasMessageContaining("does not support")
          .hasMessageContaining("standalone Redis");
    }
  }

  @Test
  void passwordsWorkAndAWrongOneIsAClearError() {
    try (RedisServer server = RedisServer.startWithPassword("s3cret")) {
      String good = "redis://:s3cret@127.0.0.1:" + server.port();
      try (RedisEngine engine = RedisEngine.connect(good);
          Realtime realtime = Realtime.builder().engine(engine).build()) {
        assertThat(realtime.channel("auth").emit("e", 1)).matches("\\d+-\\d+");
      }
      assertThatThrownBy(() -> RedisEngine.connect("redis://:wrong@127.0.0.1:" + server.port()))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("cannot connect to Redis at redis://127.0.0.1:" + server.port())
          .hasMessageNotContaining("wrong"); // no credentials in messages
    }
  }

  @Test
  void anUnreachableAddressOrABadUriFailsFastAndClearly() {
    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                RedisEngine.builder("redis://127.0.0.1:1")
                    .connectTimeout(Duration.ofMillis(500))
                    .build())
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("cannot connect to Redis at redis://127.0.0.1:1")
        .hasMessageNotContaining("unreachable"); // said once, not twice
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThatThrownBy(() -> RedisEngine.connect("http://nope"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://");
    assertThatThrownBy(() -> RedisEngine.connect("redis://127.0.0.1:abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'abc' is not a number");
    // A password that does not parse is not quoted back, whole or in pieces.
    for (String uri :
        new String[] {"redis://:secret pw@127.0.0.1:6379", "redis://:se/cretpw@127.0.0.1:6379"}) {
      assertThatThrownBy(() -> RedisEngine.connect(uri))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("redis://****@127.0.0.1:6379")
          .hasMessageContaining("percent-encode")
          .hasMessageNotContaining("cret");
    }
  }

  @Test
  void aSpinWaitOutsideZeroToOneMillisecondIsRefusedWithTheAcceptedRange() {
    RedisEngine.Builder builder = RedisEngine.builder("redis://127.0.0.1:1");
    for (Duration bad : new Duration[] {Duration.ofNanos(-1), Duration.ofMillis(2)}) {
      assertThatThrownBy(() -> builder.spinWait(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("spinWait must be between 0 and 1 ms")
          .hasMessageContaining(bad.toString());
    }
    builder.spinWait(Duration.ZERO).spinWait(Duration.ofMillis(1)); // both ends accepted
  }

  @Test
  void oneSubscriptionAndOneReaderPerChannelServeEveryLocalSubscriber() throws Exception {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      RedisClient client = RedisClient.create(server.uri());
      try (StatefulRedisConnection<String, String> redis = client.connect()) {
        AtomicInteger delivered = new AtomicInteger();
        for (int i = 0; i < 50; i++) {
          realtime
              .channel("shared")
              .subscribe(Subscribe.toAll().onData(m -> delivered.incrementAndGet()));
        }
        Map<String, Long> subscribers = redis.sync().pubsubNumsub("shared");
        assertThat(subscribers.get("shared")).isEqualTo(1L);
        assertThat(engine.watchedChannelCount()).isEqualTo(1);
        long readsBefore = scriptCalls(redis);
        for (int i = 0; i < 20; i++) realtime.channel("shared").emit("e", i);
        await().until(() -> delivered.get() == 50 * 20);
        long calls = scriptCalls(redis) - readsBefore;
        // 20 emits plus at most one read per wake-up: nowhere near one read per subscriber.
        assertThat(calls).isLessThanOrEqualTo(20 + 20 + 2);
        realtime.channel("shared").unsubscribe();
        await().until(() -> redis.sync().pubsubNumsub("shared").get("shared") == 0L);
        assertThat(engine.watchedChannelCount()).isZero();
      } finally {
        client.shutdown();
      }
    }
  }

  private static long scriptCalls(StatefulRedisConnection<String, String> redis) {
    String stats = redis.sync().info("commandstats");
    long calls = 0;
    for (String line : stats.split("\r?\n")) {
      if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
        String n = line.replaceFirst(".*calls=(\\d+).*", "$1");
        calls += Long.parseLong(n);
      }
    }
    return calls;
  }
}
