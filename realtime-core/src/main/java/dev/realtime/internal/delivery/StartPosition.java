package dev.realtime.internal.delivery;

import dev.realtime.HistoryQuery;
import dev.realtime.Subscribe;
import dev.realtime.spi.Engine;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import dev.realtime.spi.LogState;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Where a new subscription's cursor starts: the live end of the log, the id it resumes after, or
 * just before the newest {@code limit} matching messages of its history query. Because delivery
 * then reads on from there, replay and live join without a gap.
 *
 * @param trusted whether the position was read from the log (see {@link CursorSubscription#start})
 */
record StartPosition(EntryId cursor, boolean trusted) {
  private static final int PAGE = 1000;

  static CompletableFuture<StartPosition> resolve(
      Engine engine, String channel, Subscribe<?> request, Set<String> events) {
    if (request.afterId() != null) {
      return CompletableFuture.completedFuture(
          new StartPosition(EntryId.parse(request.afterId()), false));
    }
    if (request.sinceMillis() != null) {
      // A time, not an id: it need not be retained, only everything after it (checked as for a
      // position read from the log).
      EntryId before = EntryId.firstAt(request.sinceMillis()).predecessor();
      return engine
          .read(channel, Range.stateOnly())
          .thenApply(r -> new StartPosition(atTime(before, r.state()), true));
    }
    return engine
        .read(channel, Range.stateOnly())
        .thenCompose(
            r -> {
              EntryId end = r.state().lastId();
              HistoryQuery query = request.historyQuery();
              if (query == null || end.equals(EntryId.ZERO)) {
                return CompletableFuture.completedFuture(new StartPosition(end, true));
              }
              EntryId from =
                  query.startMillis() == null ? EntryId.ZERO : EntryId.firstAt(query.startMillis());
              return scanBack(engine, channel, events, from, end, query.limit())
                  .thenApply(
                      first ->
                          new StartPosition(first == null ? end : first.id().predecessor(), true));
            });
  }

  /**
   * The cursor of a start time: {@code before}, the position just before the time, moved to the
   * position of this log that reads the same. A subscription's position is handed out (a server
   * writes it into its streams as the place to resume from), and a resume from a made-up position
   * before all the log holds, in a log that never lost anything, would be a gap (see {@code
   * CursorSubscription.lostMessages}): the time of a browser's first connect to a quiet channel,
   * say.
   */
  static EntryId atTime(EntryId before, LogState log) {
    // The log's beginning, or entries at or after the time are gone: the first read tells the gap.
    if (before.equals(EntryId.ZERO) || before.isBefore(log.removedThrough())) return before;
    // Nothing at or after the time yet: start at the live end (where a live start would). An
    // engine whose clock lags the caller's then hides nothing emitted from now on either.
    if (!log.lastId().isAfter(before)) return log.lastId();
    // Everything retained is after the time.
    if (before.isBefore(log.firstId())) return log.firstId().predecessor();
    return before;
  }

  /**
   * Pages backwards from {@code to} until {@code remaining} matching entries were seen or {@code
   * from} was reached; completes with the oldest matching entry seen (null when none).
   */
  private static CompletableFuture<LogEntry> scanBack(
      Engine engine, String channel, Set<String> events, EntryId from, EntryId to, int remaining) {
    BackwardScan scan = new BackwardScan(engine, channel, events, from, to, remaining);
    scan.run();
    return scan.result;
  }

  /**
   * The paging of {@link #scanBack} as a loop, not a chain of continuations: a filtered replay over
   * a long log reads a page per thousand entries, and with an engine whose reads complete at once
   * (the in-memory one) each continuation would run nested in the one before, until the stack
   * overflowed (at about a million entries).
   */
  private static final class BackwardScan {
    private final Engine engine;
    private final String channel;
    private final Set<String> events;
    private final EntryId from;
    private final int pageSize;
    private EntryId to;
    private int remaining;
    private LogEntry oldest;
    final CompletableFuture<LogEntry> result = new CompletableFuture<>();

    BackwardScan(
        Engine engine,
        String channel,
        Set<String> events,
        EntryId from,
        EntryId to,
        int remaining) {
      this.engine = engine;
      this.channel = channel;
      this.events = events;
      this.from = from;
      // Without a filter every entry counts, so exactly `remaining` entries are enough.
      this.pageSize = events == null ? remaining : PAGE;
      this.to = to;
      this.remaining = remaining;
    }

    /** Reads pages while they come at once; an engine's later answer goes on from there. */
    void run() {
      for (; ; ) {
        CompletableFuture<ReadResult> read;
        try {
          read = engine.read(channel, Range.newest(from, to, pageSize));
        } catch (RuntimeException e) {
          result.completeExceptionally(e);
          return;
        }
        if (!read.isDone()) {
          read.whenComplete(
              (page, error) -> {
                if (error != null) result.completeExceptionally(error);
                else if (take(page)) run();
              });
          return;
        }
        ReadResult page;
        try {
          page = read.join();
        } catch (CompletionException | CancellationException e) {
          result.completeExceptionally(e.getCause() != null ? e.getCause() : e);
          return;
        }
        if (!take(page)) return;
      }
    }

    /** Counts a page's matching entries; true when an older page is needed. */
    private boolean take(ReadResult r) {
      List<LogEntry> page = r.entries();
      for (int i = page.size() - 1; i >= 0 && remaining > 0; i--) {
        LogEntry e = page.get(i);
        if (events == null || events.contains(e.event())) {
          oldest = e;
          remaining--;
        }
      }
      if (remaining == 0 || page.size() < pageSize) {
        // The oldest matching entry is retained, so the cursor just before it is at or after
        // everything trimming removed: replay from there is not a gap.
        result.complete(oldest);
        return false;
      }
      to = page.get(0).id().predecessor();
      return true;
    }
  }
}
