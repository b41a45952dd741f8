package dev.realtime.internal.delivery;

import dev.realtime.ConnectionStatus;
import dev.realtime.CursorUnavailableException;
import dev.realtime.Gap;
import dev.realtime.Message;
import dev.realtime.RealtimeException;
import dev.realtime.SubscriberException;
import dev.realtime.Subscription;
import dev.realtime.SubscriptionEnd;
import dev.realtime.internal.codec.EventCodec;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import dev.realtime.spi.LogState;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A subscription as a cursor over its channel's log: "read the entries after the last one I passed,
 * deliver them in order, move on". Replay and live are the same loop (a live cursor is one that has
 * caught up), so there is no seam where a message could be lost, duplicated or reordered. An append
 * only wakes the cursor; a wake-up that arrives while the loop runs makes it read once more before
 * it goes idle.
 *
 * <p>Memory is O(1) per subscription (a cursor and one batch): a slow subscriber simply lags in the
 * log. If it lags past what history retains, that is a {@link Gap}: reported and skipped with an
 * {@code onGap} handler, otherwise the subscription ends with {@link CursorUnavailableException}.
 *
 * <p>However it ends, {@code onEnd} is told once, by the delivery loop after its last callback: an
 * end wakes the loop like an append does, and the loop, finding the subscription inactive, tells
 * the end instead of reading.
 */
final class CursorSubscription<T> implements Subscription, Runnable {
  static final int BATCH = 256;

  private static final int IDLE = 0;
  private static final int RUNNING = 1; // scheduled or draining
  private static final int RUNNING_WOKEN = 2; // and woken again since the last read began

  private final ChannelSubscribers owner;
  private final EventCodec codec;
  private final Set<String> events; // null: all
  private final Consumer<? super Message<T>> onData; // null when onEntry is set
  private final Consumer<? super LogEntry> onEntry;
  private final Consumer<? super Gap> onGap;
  private final Consumer<? super ConnectionStatus> onStatus; // null: not interested
  private final Queue<ConnectionStatus> statuses = new ConcurrentLinkedQueue<>();
  // CONNECTED is told first, before any change the watch reported while the subscription started
  // (queued in statuses): so the last status told is the engine's current one.
  private volatile boolean connectedToTell;
  private final Consumer<? super SubscriptionEnd> onEnd; // null: not interested
  private final ErrorRoute errors;
  private final Executor executor;
  private final AtomicInteger state = new AtomicInteger(RUNNING); // RUNNING until start()
  private volatile EntryId cursor = EntryId.ZERO;
  private volatile boolean active = true;
  private RealtimeException watchErrorTold; // delivery loop only
  private final AtomicReference<SubscriptionEnd> ending = new AtomicReference<>(); // why, once
  private final AtomicBoolean endTold = new AtomicBoolean();
  private boolean trusted; // the cursor came from this log, not from a caller (drain-thread only)
  // The log's removedThrough when a gap was last told: removals up to there are told
  // (drain-thread).
  private EntryId toldThrough = EntryId.ZERO;
  // The last read failed and was reported: the next failures of the same outage are not (drain-
  // thread only). The engine retries while it is away, and each retry would report again.
  private boolean readsFailing;

  CursorSubscription(
      ChannelSubscribers owner,
      EventCodec codec,
      Set<String> events,
      Consumer<? super Message<T>> onData,
      Consumer<? super LogEntry> onEntry,
      Consumer<? super Gap> onGap,
      Consumer<? super ConnectionStatus> onStatus,
      Consumer<? super SubscriptionEnd> onEnd,
      ErrorRoute errors,
      Executor executor) {
    this.owner = owner;
    this.codec = codec;
    this.events = events;
    this.onData = onData;
    this.onEntry = onEntry;
    this.onGap = onGap;
    this.onStatus = onStatus;
    this.onEnd = onEnd;
    this.errors = errors;
    this.executor = executor;
  }

  /**
   * Sets the starting position and starts delivery.
   *
   * @param trusted whether {@code position} was taken from this log (live end, history replay)
   *     rather than given by a caller, whose id must first be proven to be still in history
   */
  void start(EntryId position, boolean trusted) {
    this.cursor = position;
    this.trusted = trusted;
    if (onStatus != null) connectedToTell = true;
    try {
      executor.execute(this);
    } catch (RuntimeException e) {
      if (!active) { // ended meanwhile (the Realtime closed): it is handed out ended, as it is
        state.set(IDLE);
        tellEnd();
        return;
      }
      unsubscribe(SubscriptionEnd.FAILED); // subscribe fails: nothing is left registered
      throw new RealtimeException(
          "subscribing to '"
              + owner.channel()
              + "' failed: the subscription's executor refused to run it ("
              + e
              + ")",
          e);
    }
  }

  /** Called on every append to the channel: cheap, never blocks. */
  void wake() {
    if (active) nudge();
  }

  /** Makes the delivery loop run (once more, if it is running). */
  private void nudge() {
    for (; ; ) {
      int s = state.get();
      if (s == RUNNING_WOKEN) return;
      if (s == RUNNING) {
        if (state.compareAndSet(RUNNING, RUNNING_WOKEN)) return;
      } else if (state.compareAndSet(IDLE, RUNNING)) {
        schedule();
        return;
      }
    }
  }

  /** Queues a connection change, told in order with the messages by the delivery loop. */
  void status(ConnectionStatus status) {
    if (onStatus == null || !active) return;
    statuses.add(status);
    wake();
  }

  private void tellStatuses() {
    if (connectedToTell && active) {
      connectedToTell = false;
      tell(ConnectionStatus.CONNECTED);
    }
    ConnectionStatus status;
    while ((status = statuses.poll()) != null && active) tell(status);
  }

  private void tell(ConnectionStatus status) {
    try {
      onStatus.accept(status);
    } catch (Throwable e) {
      if (ErrorRoute.isFatal(e)) throw (Error) e;
      errors.report(
          new SubscriberException(
              "onStatus of a subscription to '" + owner.channel() + "' threw on " + status, e));
    }
  }

  private void schedule() {
    try {
      executor.execute(this);
    } catch (RuntimeException e) {
      // RejectedExecutionException, or whatever a user's executor throws: the next append or
      // status tries again, and nothing is lost (the cursor stays where it was).
      state.set(IDLE);
      if (active) {
        errors.report(
            new RealtimeException(
                "the executor of a subscription to '"
                    + owner.channel()
                    + "' refused to run its delivery ("
                    + e
                    + "); it is tried again at the next message",
                e));
      } else {
        tellEnd(); // no loop will run again to tell it
      }
    }
  }

  @Override
  public void run() {
    try {
      for (; ; ) {
        state.set(RUNNING);
        if (!drain()) {
          tellEnd();
          return;
        }
        if (state.compareAndSet(RUNNING, IDLE)) return;
      }
    } catch (Throwable t) {
      // Only a fatal error or a defect gets here (callbacks' own throwables are caught where they
      // are called). Left RUNNING, the subscription would look active and never deliver again:
      // end it, say why, and tell onEnd.
      unsubscribe(SubscriptionEnd.FAILED);
      try {
        errors.report(
            new RealtimeException(
                "delivery of a subscription to '" + owner.channel() + "' failed: " + t, t));
        tellEnd();
      } finally {
        state.set(IDLE);
      }
      if (t instanceof Error e) throw e;
    }
  }

  /** Tells {@code onEnd} why the subscription ended, once; after its other callbacks. */
  private void tellEnd() {
    if (onEnd == null || !endTold.compareAndSet(false, true)) return;
    SubscriptionEnd why = ending.get();
    try {
      onEnd.accept(why);
    } catch (Throwable e) {
      if (ErrorRoute.isFatal(e)) throw (Error) e;
      errors.report(
          new SubscriberException(
              "onEnd of a subscription to '" + owner.channel() + "' threw on " + why, e));
    }
  }

  /** Delivers everything after the cursor; false when the subscription ended. */
  private boolean drain() {
    while (active) {
      if (onStatus != null) tellStatuses();
      RealtimeException watchError = owner.watchError();
      if (watchError != null && watchError != watchErrorTold) {
        watchErrorTold = watchError;
        errors.report(watchError);
      }
      ReadResult result;
      try {
        result = owner.engine().read(owner.channel(), Range.after(cursor, BATCH)).join();
      } catch (CompletionException | RealtimeException e) {
        // The engine is failing; it wakes its watchers again once it has recovered. (Or it was
        // closed with the Realtime, after this subscription ended: nothing to report then.)
        // Reported once until a read succeeds again, however often the engine retries meanwhile.
        if (active && !readsFailing) {
          errors.report(e instanceof CompletionException ? e.getCause() : e);
        }
        readsFailing = true;
        return true;
      }
      readsFailing = false;
      if (lostMessages(result.state())) {
        if (!skipGap(result.state())) return false;
        continue;
      }
      trusted = true;
      List<LogEntry> entries = result.entries();
      for (LogEntry entry : entries) {
        if (!active) return false;
        if ((events == null || events.contains(entry.event())) && !deliver(entry)) return false;
        cursor = entry.id();
      }
      // A short read is all there is, unless it moved the cursor and the log says it goes on past
      // it: an engine may stop a read early (the Redis engine stops at what it has checked, and at
      // entries Redis lost), and the next read then goes on or tells the gap.
      if (entries.size() < BATCH
          && (entries.isEmpty() || !result.state().lastId().isAfter(cursor))) {
        return active;
      }
    }
    return false;
  }

  /**
   * Whether entries after the cursor may have been removed. Everything after the log's {@code
   * removedThrough} is retained, so a position at or after it lost nothing. A caller's position in
   * a log that never lost anything must also lie within it: an id older than such a log cannot be
   * told apart from one whose successors expired with an earlier life of the channel. The position
   * just before the oldest entry is within it (no id lies between them): it is where history
   * replay, a start time and a gap put the cursor, and {@link #position()} hands it out.
   */
  private boolean lostMessages(LogState log) {
    EntryId at = cursor;
    if (at.isBefore(log.removedThrough())) {
      // Removals up to toldThrough were told (entries deleted one by one ahead of the cursor: see
      // skipGap); a newer one is not, nor are entries removed from the front past the cursor since
      // (trimming does not move removedThrough past an id deleted one by one, as Redis reports it).
      if (log.removedThrough().isAfter(toldThrough)) return true;
      if (log.isEmpty() || at.isBefore(log.firstId().predecessor())) return true;
    }
    if (trusted || at.equals(EntryId.ZERO)) return false;
    return log.removedThrough().equals(EntryId.ZERO)
        && (log.isEmpty() || at.isBefore(log.firstId().predecessor()));
  }

  /**
   * Tells the gap and moves the cursor to the oldest entry held. Entries deleted one by one
   * (Redis's XDEL, by another writer) can be lost after the cursor while older ones are still held:
   * then the cursor stays (what was delivered stays delivered, and moving back to the oldest held
   * would deliver it again), delivery goes on after it, and those removals are not told again.
   * (Another entry deleted one by one between the cursor and the newest one told cannot be told
   * apart: the log reports only the newest id removed.)
   */
  private boolean skipGap(LogState log) {
    boolean heldBefore = !log.isEmpty() && !log.firstId().isAfter(cursor);
    Gap gap =
        new Gap(
            owner.channel(),
            cursor.toString(),
            log.isEmpty() ? null : (heldBefore ? cursor.successor() : log.firstId()).toString());
    if (log.removedThrough().isAfter(toldThrough)) toldThrough = log.removedThrough();
    if (onGap == null) {
      errors.report(new CursorUnavailableException(gap));
      unsubscribe(SubscriptionEnd.FAILED);
      return false;
    }
    try {
      onGap.accept(gap);
    } catch (Throwable e) {
      if (ErrorRoute.isFatal(e)) throw (Error) e;
      errors.report(
          new SubscriberException("onGap of a subscription to '" + owner.channel() + "' threw", e));
    }
    if (!heldBefore) cursor = log.isEmpty() ? log.lastId() : log.firstId().predecessor();
    trusted = true;
    return active;
  }

  /**
   * Hands {@code entry} to the subscriber (or reports it undecodable and skips it); false when the
   * subscription ended before its callback started, so the position stays before it.
   */
  @SuppressWarnings("unchecked")
  private boolean deliver(LogEntry entry) {
    Object data = null;
    try {
      if (onEntry != null) codec.check(entry);
      else data = codec.decode(entry);
    } catch (RealtimeException e) {
      errors.report(e); // skipped: one undecodable entry must not stop the channel
      return true;
    }
    // Decoding a large payload takes a while: an unsubscribe() that returned meanwhile means no
    // callback starts any more, and the entry stays after the position (a resume gets it).
    if (!active) return false;
    try {
      if (onEntry != null) onEntry.accept(entry);
      else onData.accept(new Message<>(entry.idText(), entry.event(), entry.channel(), (T) data));
    } catch (Throwable t) {
      if (ErrorRoute.isFatal(t)) throw (Error) t;
      errors.report(
          new SubscriberException(
              (onEntry != null ? "onEntry" : "onData")
                  + " of a subscription to channel '"
                  + entry.channel()
                  + "' threw on message "
                  + entry.idText()
                  + " (event '"
                  + entry.event()
                  + "'): "
                  + t,
              t));
    }
    return true;
  }

  @Override
  public String channel() {
    return owner.channel();
  }

  @Override
  public String position() {
    return cursor.toString();
  }

  @Override
  public boolean isActive() {
    return active;
  }

  @Override
  public void unsubscribe() {
    unsubscribe(SubscriptionEnd.UNSUBSCRIBED);
  }

  /** Ends delivery and leaves the channel's registry; idempotent (the first reason counts). */
  void unsubscribe(SubscriptionEnd why) {
    if (!ending.compareAndSet(null, why)) return;
    active = false;
    owner.remove(this);
    if (onEnd != null) nudge();
  }

  /** Ends delivery without touching the registry (the registry is being closed). */
  void deactivate(SubscriptionEnd why) {
    if (!ending.compareAndSet(null, why)) return;
    active = false;
    if (onEnd != null) nudge();
  }

  @Override
  public String toString() {
    return "Subscription{" + owner.channel() + " at " + cursor + (active ? "" : ", ended") + "}";
  }
}
