package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.memory.MemoryEngine;
import dev.realtime.spi.Append;
import dev.realtime.spi.ChannelWatch;
import dev.realtime.spi.Engine;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import dev.realtime.spi.WatchListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * An engine may complete reads on its own I/O thread (the Redis engine does): the continuations of
 * subscribeAsync run elsewhere, so a blocking call in one (history(), emit(), subscribe()) does not
 * wait for the very thread it blocks.
 */
class SubscribeAsyncThreadTest {

  /** The in-memory engine, with reads completed on one "engine-io" thread like a networked one. */
  static final class IoThreadEngine implements Engine {
    final MemoryEngine memory = MemoryEngine.create();
    final ExecutorService io = Executors.newSingleThreadExecutor(r -> new Thread(r, "engine-io"));

    @Override
    public CompletableFuture<EntryId> append(Append append) {
      return memory.append(append);
    }

    @Override
    public CompletableFuture<ReadResult> read(String channel, Range range) {
      return CompletableFuture.supplyAsync(
          () -> {
            sleep(); // a network round trip: the caller attaches its continuations first
            return memory.read(channel, range).join();
          },
          io);
    }

    private static void sleep() {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public ChannelWatch watch(String channel, WatchListener listener) {
      return memory.watch(channel, listener);
    }

    @Override
    public void close() {
      io.shutdownNow();
      memory.close();
    }
  }

  @Test
  void historyAsyncContinuationsLeaveTheEngineThread() throws Exception { // control: passes
    try (IoThreadEngine engine = new IoThreadEngine();
        Realtime rt = Realtime.builder().engine(engine).build()) {
      var ch = rt.channel("c");
      ch.emit("e", 1);
      String thread =
          ch.historyAsync(HistoryQuery.all())
              .thenApply(h -> Thread.currentThread().getName())
              .get(5, TimeUnit.SECONDS);
      assertThat(thread).isNotEqualTo("engine-io");
    }
  }

  @Test
  void subscribeAsyncContinuationsMustNotRunOnTheEngineThread() throws Exception {
    try (IoThreadEngine engine = new IoThreadEngine();
        Realtime rt = Realtime.builder().engine(engine).build()) {
      var ch = rt.channel("c");
      String thread =
          ch.subscribeAsync(Subscribe.toAll().onData(m -> {}))
              .thenApply(s -> Thread.currentThread().getName())
              .get(5, TimeUnit.SECONDS);
      assertThat(thread).isNotEqualTo("engine-io");
    }
  }

  @Test
  void aBlockingCallAfterSubscribeAsyncDoesNotDeadlock() throws Exception {
    try (IoThreadEngine engine = new IoThreadEngine();
        Realtime rt = Realtime.builder().engine(engine).build()) {
      var ch = rt.channel("c");
      ch.emit("e", 1);
      CompletableFuture<Integer> replayed =
          ch.subscribeAsync(Subscribe.toAll().onData(m -> {}))
              .thenApply(s -> ch.history().size()); // e.g. show the backlog once subscribed
      try {
        assertThat(replayed.get(5, TimeUnit.SECONDS)).isEqualTo(1);
      } catch (TimeoutException e) {
        throw new AssertionError(
            "deadlock: history() inside a subscribeAsync continuation, on "
                + "the engine's I/O thread, waits for that thread",
            e);
      }
    }
  }
}
