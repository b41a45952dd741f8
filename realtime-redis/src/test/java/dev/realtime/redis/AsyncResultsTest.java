package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import io.lettuce.core.RedisClient;
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
}
