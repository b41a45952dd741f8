package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import io.lettuce.core.RedisClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Lettuce completes the engine's reads on its I/O thread, which every subscriber's reads share: a
 * caller's continuation of an async result must run elsewhere, or a slow one stalls them all.
 */
class AsyncResultsTest {

  @Test
  void historyAsyncContinuationsRunOnTheRealtimesExecutorNotOnLettuce() throws Exception {
    try (RedisServer server = RedisServer.start();
        Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build();
        RedisClient client = RedisClient.create(server.uri());
        var connection = client.connect()) {
      var ch = realtime.channel("async");
      ch.emit("n", 1);
      // Redis holds every command for a moment, so the continuation is attached before the read
      // completes and runs on whichever thread completes it.
      connection.sync().clientPause(300);
      CompletableFuture<String> thread =
          ch.historyAsync(HistoryQuery.limit(10)).thenApply(h -> Thread.currentThread().getName());
      assertThat(thread).isNotDone();
      assertThat(thread.get()).startsWith("realtime-delivery-");
      assertThat(ch.historyAsync(HistoryQuery.limit(10)).get()).hasSize(1);
    }
  }

  @Test
  void emitAsyncContinuationsRunOffLettuceEvenForALoneEmitWhileBlockingEmitsStillComplete()
      throws Exception {
    try (RedisServer server = RedisServer.start();
        Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build();
        RedisClient client = RedisClient.create(server.uri());
        var connection = client.connect()) {
      var ch = realtime.channel("async-emit");
      ch.emit("n", 0); // connected and the script loaded
      // A lone emit that only a blocked emitter waits for may complete on Lettuce's event loop;
      // one whose future the caller continues from never does.
      connection.sync().clientPause(300);
      CompletableFuture<String> thread =
          ch.emitAsync("n", 1).thenApply(id -> Thread.currentThread().getName());
      assertThat(thread).isNotDone();
      assertThat(thread.get()).startsWith("realtime-redis-");
      connection.sync().clientPause(200);
      String blocking = ch.emit("n", 2);
      connection.sync().clientPause(200);
      CompletableFuture<String> after =
          ch.emitAsync("n", 3).thenApply(id -> Thread.currentThread().getName() + " " + id);
      assertThat(after).isNotDone();
      assertThat(after.get()).startsWith("realtime-redis-");
      assertThat(ch.history(HistoryQuery.limit(10)))
          .extracting(m -> m.id())
          .hasSize(4)
          .contains(blocking);
    }
  }

  /**
   * Blocking emits from several threads, some alone and some together, with every in-flight limit
   * from one up: a lone emit completed on Lettuce's event loop must still hand anything queued
   * meanwhile to a sender, or (with one call in flight) that emit would wait forever.
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2, 4})
  void blockingEmitsFromManyThreadsAllCompleteWhateverTheInFlightLimit(int maxInFlight)
      throws Exception {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println(
        "blockingEmitsFromManyThreads maxInFlight="
            + maxInFlight
            + " seed="
            + seed
            + " (replay with -Dseed="
            + seed
            + ")");
    try (RedisServer server = RedisServer.start();
        Realtime realtime =
            Realtime.builder()
                .engine(RedisEngine.builder(server.uri()).maxInFlight(maxInFlight).build())
                .build()) {
      int threads = 6;
      int perThread = 400;
      var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
      try {
        List<java.util.concurrent.Future<List<String>>> results = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
          java.util.Random random = new java.util.Random(seed + t);
          int thread = t;
          results.add(
              pool.submit(
                  () -> {
                    List<String> ids = new java.util.ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                      // Pauses of up to 0.3 ms leave many emits alone in flight, others overlap.
                      if (random.nextInt(3) == 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(random.nextInt(300_000));
                      }
                      ids.add(realtime.channel("many-" + thread % 2).emit("n", i));
                    }
                    return ids;
                  }));
        }
        for (var r : results) {
          List<String> ids = r.get(60, java.util.concurrent.TimeUnit.SECONDS);
          assertThat(ids).hasSize(perThread).doesNotHaveDuplicates();
          // One thread's emits are stored in the order it made them.
          assertThat(ids)
              .isSortedAccordingTo(java.util.Comparator.comparing(dev.realtime.spi.EntryId::parse));
        }
      } finally {
        pool.shutdownNow();
      }
      try (RedisClient client = RedisClient.create(server.uri());
          var connection = client.connect()) {
        assertThat(connection.sync().xlen("many-0")).isEqualTo(3L * perThread);
        assertThat(connection.sync().xlen("many-1")).isEqualTo(3L * perThread);
      }
    }
  }
}
