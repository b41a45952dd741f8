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
}
