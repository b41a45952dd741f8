package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.memory.MemoryEngine;
import dev.realtime.spi.Append;
import dev.realtime.spi.ChannelWatch;
import dev.realtime.spi.Engine;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import dev.realtime.spi.WatchListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A connection change that arrives while a subscription starts (after its watch is registered,
 * before its start position is read) is told after CONNECTED: the last status a subscriber hears is
 * the engine's current one.
 */
class StatusOrderTest {

  static final class OutageDuringStartEngine implements Engine {
    final MemoryEngine memory = MemoryEngine.create();
    final CompletableFuture<ReadResult> pendingRead = new CompletableFuture<>();
    volatile WatchListener listener;

    @Override
    public CompletableFuture<EntryId> append(Append append) {
      return memory.append(append);
    }

    @Override
    public CompletableFuture<ReadResult> read(String channel, Range range) {
      if (range.limit() == 0 && !pendingRead.isDone()) return pendingRead; // the start read
      return memory.read(channel, range);
    }

    @Override
    public ChannelWatch watch(String channel, WatchListener l) {
      listener = l;
      return memory.watch(channel, l);
    }

    @Override
    public void close() {
      memory.close();
    }
  }

  @Test
  void theLastStatusToldIsTheEnginesCurrentOne() {
    try (OutageDuringStartEngine engine = new OutageDuringStartEngine();
        Realtime rt = Realtime.builder().engine(engine).build()) {
      List<ConnectionStatus> told = new CopyOnWriteArrayList<>();
      var future =
          rt.channel("c").subscribeAsync(Subscribe.toAll().onData(m -> {}).onStatus(told::add));
      engine.listener.onStatus(ConnectionStatus.RECONNECTING); // the connection drops meanwhile
      engine.pendingRead.complete(engine.memory.read("c", Range.stateOnly()).join());
      future.join();
      await().atMost(Duration.ofSeconds(2)).until(() -> told.size() >= 2);
      assertThat(told)
          .as("statuses told, in order")
          .containsExactly(ConnectionStatus.CONNECTED, ConnectionStatus.RECONNECTING);
    }
  }
}
