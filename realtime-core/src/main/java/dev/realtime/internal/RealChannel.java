package dev.realtime.internal;

import dev.realtime.Channel;
import dev.realtime.EngineException;
import dev.realtime.History;
import dev.realtime.HistoryMessage;
import dev.realtime.HistoryPage;
import dev.realtime.HistoryQuery;
import dev.realtime.RealtimeException;
import dev.realtime.Subscribe;
import dev.realtime.Subscription;
import dev.realtime.internal.codec.EventCodec;
import dev.realtime.spi.Append;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import dev.realtime.spi.Payload;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** A channel of a {@link RealRealtime}: the emit path's front and the history reader. */
final class RealChannel implements Channel {
  private final RealRealtime realtime;
  private final String name;
  private final History retention; // what each emit keeps of the channel's history

  RealChannel(RealRealtime realtime, String name, History retention) {
    this.realtime = realtime;
    this.name = name;
    this.retention = retention;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String emit(String event, Object data) {
    return join(append(event, data, true)).toString();
  }

  @Override
  public String emit(Object event) {
    return emit(EventCodec.eventNameOf(event), event);
  }

  @Override
  public CompletableFuture<String> emitAsync(String event, Object data) {
    return append(event, data, false).thenApply(EntryId::toString);
  }

  /** Validates and encodes on the caller's thread (so bad data throws here), then appends. */
  private CompletableFuture<EntryId> append(String event, Object data, boolean awaited) {
    realtime.checkOpen();
    Objects.requireNonNull(event, "event");
    Payload payload = realtime.codec.encode(name, event, data);
    Append append = new Append(name, event, payload, retention);
    return awaited ? realtime.engine.appendAwaited(append) : realtime.engine.append(append);
  }

  @Override
  public List<HistoryMessage> history(HistoryQuery query) {
    return join(read(query).thenApply(r -> toMessages(r.entries())));
  }

  @Override
  public CompletableFuture<List<HistoryMessage>> historyAsync(HistoryQuery query) {
    // Decoded on the caller's side of the hand-off too: the Redis engine completes reads on its
    // I/O thread, where neither decoding nor the caller's continuations belong.
    return realtime.handOff(read(query)).thenApply(r -> toMessages(r.entries()));
  }

  @Override
  public CompletableFuture<HistoryPage> historyPageAsync(HistoryQuery query) {
    return realtime
        .handOff(read(query))
        .thenApply(
            r -> {
              List<LogEntry> read = r.entries();
              return read.isEmpty()
                  ? new HistoryPage(List.of(), 0, null, null)
                  : new HistoryPage(
                      checked(read),
                      read.size(),
                      read.getFirst().idText(),
                      read.getLast().idText());
            });
  }

  /** The entries that fit the schema (each checked once); the others reported and left out. */
  private List<LogEntry> checked(List<LogEntry> entries) {
    List<LogEntry> fit = new ArrayList<>(entries.size());
    for (LogEntry e : entries) {
      try {
        realtime.codec.check(e);
        fit.add(e);
      } catch (RealtimeException bad) {
        realtime.errors.report(bad);
      }
    }
    return fit;
  }

  private CompletableFuture<ReadResult> read(HistoryQuery query) {
    realtime.checkOpen();
    // The tighter of each side's bounds. Inclusive: an exclusive read to the end is a cursor's
    // (Range.after), which an engine may serve from what its fan-out has brought so far, while
    // history must see all that is stored.
    EntryId from =
        query.startMillis() == null ? EntryId.ZERO : EntryId.firstAt(query.startMillis());
    EntryId to = query.endMillis() == null ? EntryId.MAX : EntryId.lastAt(query.endMillis());
    if (query.afterId() != null) {
      EntryId after = EntryId.parse(query.afterId());
      if (after.equals(EntryId.MAX)) return realtime.engine.read(name, Range.stateOnly());
      if (after.successor().isAfter(from)) from = after.successor();
    }
    if (query.beforeId() != null) {
      EntryId before = EntryId.parse(query.beforeId());
      if (before.equals(EntryId.ZERO)) return realtime.engine.read(name, Range.stateOnly());
      if (before.predecessor().isBefore(to)) to = before.predecessor();
    }
    if (to.isBefore(from)) return realtime.engine.read(name, Range.stateOnly()); // none can match
    return realtime.engine.read(
        name,
        query.isLatest()
            ? Range.newest(from, to, query.limit())
            : Range.oldest(from, to, query.limit()));
  }

  private List<HistoryMessage> toMessages(List<LogEntry> entries) {
    List<HistoryMessage> messages = new ArrayList<>(entries.size());
    for (LogEntry e : entries) {
      try {
        messages.add(
            new HistoryMessage(e.idText(), e.event(), e.channel(), realtime.codec.decode(e)));
      } catch (RealtimeException bad) {
        realtime.errors.report(bad); // one undecodable entry must not hide the others
      }
    }
    return messages;
  }

  @Override
  public <T> Subscription subscribe(Subscribe<T> request) {
    realtime.checkOpen();
    return join(realtime.fanout.subscribe(name, request));
  }

  @Override
  public <T> CompletableFuture<Subscription> subscribeAsync(Subscribe<T> request) {
    realtime.checkOpen();
    // The start is read from the engine, which may complete it on its own I/O thread: the
    // caller's continuations must not run there (a blocking call in one would wait for itself).
    return realtime.handOff(realtime.fanout.subscribe(name, request));
  }

  @Override
  public void unsubscribe() {
    realtime.fanout.unsubscribeAll(name);
  }

  /** Waits for an engine future, rethrowing its failure as the exception it was. */
  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) throw re;
      if (cause instanceof Error err) throw err;
      throw new EngineException("engine failed: " + cause, cause);
    }
  }

  @Override
  public String toString() {
    return "Channel{" + name + "}";
  }
}
