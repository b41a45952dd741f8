package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.Channel;
import dev.realtime.ConnectionStatus;
import dev.realtime.EngineException;
import dev.realtime.History;
import dev.realtime.HistoryMessage;
import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Redis with a replica and a Sentinel, given as {@code redis-sentinel://host:port#master}: the
 * master is killed mid-stream, the Sentinel promotes the replica, and the engine follows it.
 */
class RedisSentinelTest {

  @Test
  void aFailoverToTheReplicaLosesNothingAcknowledgedAndRepeatsNothing() throws Exception {
    long seed = System.nanoTime();
    System.out.println("RedisSentinelTest seed=" + seed);
    Random random = new Random(seed);
    try (RedisServer master = RedisServer.start();
        RedisServer replica = RedisServer.builder().replicaOf(master.port()).start();
        RedisServer sentinel = RedisServer.builder().sentinelFor("main", master.port()).start()) {
      awaitReplicaInSync(replica);
      String uri = "redis-sentinel://127.0.0.1:" + sentinel.port() + "#main";
      try (Realtime realtime =
          Realtime.builder()
              .engine(RedisEngine.connect(uri))
              .history(History.unlimited())
              .build()) {
        Channel ch = realtime.channel("failover");
        ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<ConnectionStatus> statuses = new ConcurrentLinkedQueue<>();
        ch.subscribe(Subscribe.toAll().onData(m -> received.add(m.id())).onStatus(statuses::add));
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        List<Long> failedAfterMs = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread emitter = emitter(0, stop, ch, acknowledged, failedAfterMs, random);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() > 50);
        // Everything acknowledged so far is on the replica before the master dies: with
        // asynchronous replication, what is not would be lost by any client, not by this engine.
        stop.set(true);
        emitter.join(10_000);
        try (RedisClient client = RedisClient.create(master.uri());
            var connection = client.connect()) {
          assertThat(connection.sync().waitForReplication(1, 5_000)).isEqualTo(1);
        }
        int beforeFailover = acknowledged.size();
        stop.set(false);
        Thread emitter2 = emitter(1_000_000, stop, ch, acknowledged, failedAfterMs, random);
        sleep(100 + random.nextInt(200));
        master.kill();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> statuses.contains(ConnectionStatus.RECONNECTED));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> acknowledged.size() > beforeFailover + 100);
        stop.set(true);
        emitter2.join(10_000);
        assertThat(emitter2.isAlive()).isFalse();

        assertThat(failedAfterMs).as("emits failed during the failover").isNotEmpty();
        assertThat(failedAfterMs).allMatch(ms -> ms < 5_000, "each failed within 5 s");
        List<String> stream = new ArrayList<>();
        for (HistoryMessage m : ch.history(HistoryQuery.limit(1000))) stream.add(m.id());
        assertThat(stream)
            .as("the promoted replica has every acknowledged emit")
            .containsAll(acknowledged);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> received.contains(stream.get(stream.size() - 1)));
        assertThat(new ArrayList<>(received))
            .as("seed %d: every stored event once, in order", seed)
            .containsExactlyElementsOf(stream);
        assertThat(statuses).startsWith(ConnectionStatus.CONNECTED, ConnectionStatus.RECONNECTING);
      }
    }
  }

  /**
   * Emits numbers from {@code from} until {@code stop}: the ids acknowledged, and how long each
   * failed emit took to fail.
   */
  private static Thread emitter(
      int from,
      AtomicBoolean stop,
      Channel ch,
      List<String> acknowledged,
      List<Long> failedAfterMs,
      Random random) {
    return Thread.ofPlatform()
        .start(
            () -> {
              int n = from;
              while (!stop.get()) {
                long start = System.nanoTime();
                try {
                  acknowledged.add(ch.emit("n", n++));
                } catch (EngineException down) {
                  failedAfterMs.add((System.nanoTime() - start) / 1_000_000);
                  sleep(20);
                }
                sleep(random.nextInt(5));
              }
            });
  }

  @Test
  void aMasterNameTheSentinelDoesNotKnowIsNamedInTheError() {
    try (RedisServer master = RedisServer.start();
        RedisServer sentinel = RedisServer.builder().sentinelFor("main", master.port()).start()) {
      String uri = "redis-sentinel://127.0.0.1:" + sentinel.port() + "#other";
      assertThatThrownBy(() -> RedisEngine.connect(uri))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("redis-sentinel://127.0.0.1:" + sentinel.port() + "#other")
          .hasMessageContaining("no Sentinel there knows a master named 'other'");
    }
  }

  private static void awaitReplicaInSync(RedisServer replica) {
    try (RedisClient client = RedisClient.create(replica.uri());
        var connection = client.connect()) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> connection.sync().info("replication").contains("master_link_status:up"));
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
