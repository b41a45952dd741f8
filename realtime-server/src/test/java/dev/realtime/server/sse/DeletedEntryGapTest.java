package dev.realtime.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.memory.MemoryEngine;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import dev.realtime.spi.Append;
import dev.realtime.spi.ChannelWatch;
import dev.realtime.spi.Engine;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogState;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import dev.realtime.spi.WatchListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An entry deleted one by one (Redis's XDEL, by another writer) after the shared feed's position,
 * older entries still held: the log reports it removed past the position while holding entries
 * before it. Every live stream gets a gap frame whose resumedFrom is just after the position (it
 * used to be dropped, as a gap that did not move the feed), and then what is held after it.
 */
class DeletedEntryGapTest {
  /**
   * The in-memory engine, reporting {@code removed} as removedThrough once set (as Redis would).
   */
  static final class DeletingEngine implements Engine {
    final Engine inner = MemoryEngine.create();
    final AtomicReference<EntryId> removed = new AtomicReference<>();

    @Override
    public CompletableFuture<EntryId> append(Append append) {
      return inner.append(append);
    }

    @Override
    public CompletableFuture<ReadResult> read(String channel, Range range) {
      return inner
          .read(channel, range)
          .thenApply(
              r -> {
                EntryId gone = removed.get();
                if (gone == null) return r;
                LogState s = r.state();
                return new ReadResult(
                    r.entries(),
                    new LogState(
                        s.firstId(),
                        s.lastId(),
                        gone.isAfter(s.removedThrough()) ? gone : s.removedThrough()));
              });
    }

    @Override
    public ChannelWatch watch(String channel, WatchListener listener) {
      return inner.watch(channel, listener);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  final DeletingEngine engine = new DeletingEngine();
  final Realtime realtime = Realtime.builder().engine(engine).build();
  final RealtimeServer server =
      RealtimeServer.builder(realtime).config(ServerConfig.builder().port(0).build()).start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  @Test
  void aStreamIsToldOfAnEntryDeletedAfterItsPositionAndGoesOn() {
    try (SseRecorder sse = SseRecorder.open(server.url() + "/api/realtime?channel=room")) {
      sse.expectType("connected");
      var room = realtime.channel("room");
      String first = room.emit("n", 1);
      assertThat(sse.events(1).get(0).id()).isEqualTo(first);
      // An entry stored and deleted after `first` by another writer, unseen by the feed.
      engine.removed.set(EntryId.parse(first).successor());
      String second = room.emit("n", 2);
      SseRecorder.Frame gap = sse.expectType("gap");
      assertThat(gap.json().get("afterId").asString()).isEqualTo(first);
      assertThat(gap.json().get("resumedFrom").asString())
          .isEqualTo(EntryId.parse(first).successor().toString());
      assertThat(sse.events(1).get(0).id()).isEqualTo(second);
      String third = room.emit("n", 3);
      assertThat(sse.events(1).get(0).id()).isEqualTo(third); // told once
    }
  }
}
