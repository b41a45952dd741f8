package dev.realtime.memory;

import dev.realtime.History;
import dev.realtime.spi.Append;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import dev.realtime.spi.LogState;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import dev.realtime.spi.WatchListener;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One channel's log in memory: a ring of entries in id order, trimmed to the retention's maxLength,
 * emptied when its expiry passes, with ids from a clock that never goes backwards.
 *
 * <p>All state is guarded by this object's monitor: critical sections are short and never block,
 * which is what the JVM's adaptive spinning is made for (with a ReentrantLock, profiles showed the
 * emitter parking on nearly every brush with a reader). A read copies out at most {@code limit}
 * references, so the monitor is held for O(log n + limit). Watchers are notified by the caller
 * after the monitor is released, so a slow watcher cannot stall appends.
 */
final class ChannelLog {
  private static final Logger log = LoggerFactory.getLogger(ChannelLog.class);
  private static final WatchListener[] NO_WATCHERS = new WatchListener[0];
  private static final int INITIAL_CAPACITY = 16;

  final String channel;
  private LogEntry[] ring = new LogEntry[INITIAL_CAPACITY]; // power-of-two length
  private long head; // absolute index of the oldest entry
  private long tail; // absolute index after the newest entry
  private EntryId lastId = EntryId.ZERO;
  private EntryId removedThrough = EntryId.ZERO;
  private long expiresAt = Long.MAX_VALUE;
  private boolean retired; // removed from the engine's map; callers must look the channel up again
  private volatile WatchListener[] watchers = NO_WATCHERS;

  ChannelLog(String channel) {
    this.channel = channel;
  }

  /** Appends and returns the new id, or null when this log was retired (look it up again). */
  EntryId append(Append append, long now) {
    synchronized (this) {
      if (retired) return null;
      expireIfDue(now);
      EntryId id =
          Long.compareUnsigned(now, lastId.ms()) > 0
              ? new EntryId(now, 0)
              : new EntryId(lastId.ms(), lastId.seq() + 1);
      History retention = append.retention();
      // Trimmed before the append, so a full ring of maxLength entries is not doubled for one
      // that is about to be dropped.
      if (retention.isLengthLimited()) trimTo(retention.maxLength() - 1);
      if (tail - head == ring.length) grow();
      ring[(int) (tail & (ring.length - 1))] =
          new LogEntry(id, append.event(), channel, append.data());
      tail++;
      lastId = id;
      // An append with an expiry (re)arms it; one without leaves a running expiry as it is, as
      // Redis's XADD leaves a key's TTL (the engines agree when handles of one channel differ).
      if (retention.expireAfter() != null) {
        long idle = retention.expireAfter().toMillis();
        expiresAt = idle > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + idle;
      }
      return id;
    }
  }

  /** The ring's length, for tests. */
  int capacity() {
    synchronized (this) {
      return ring.length;
    }
  }

  private void grow() {
    LogEntry[] bigger = new LogEntry[ring.length * 2];
    for (long i = head; i < tail; i++) {
      bigger[(int) (i & (bigger.length - 1))] = ring[(int) (i & (ring.length - 1))];
    }
    ring = bigger;
  }

  private void trimTo(long maxLength) {
    while (tail - head > maxLength) {
      int slot = (int) (head & (ring.length - 1));
      removedThrough = ring[slot].id();
      ring[slot] = null;
      head++;
    }
    // Give memory back when a channel shrank far below its ring (maxLength lowered).
    if (ring.length > INITIAL_CAPACITY
        && (tail - head) * 4 < ring.length
        && maxLength * 2 < ring.length) {
      shrink();
    }
  }

  private void shrink() {
    int capacity = INITIAL_CAPACITY;
    while (capacity < (tail - head) * 2) capacity *= 2;
    LogEntry[] smaller = new LogEntry[capacity];
    for (long i = head; i < tail; i++) {
      smaller[(int) (i & (capacity - 1))] = ring[(int) (i & (ring.length - 1))];
    }
    ring = smaller;
  }

  /** Drops every entry once the channel was idle past its expiry. Caller holds the lock. */
  private void expireIfDue(long now) {
    if (now < expiresAt) return;
    if (tail > head) {
      removedThrough = lastId;
      Arrays.fill(ring, null);
      head = tail;
      if (ring.length > INITIAL_CAPACITY) ring = new LogEntry[INITIAL_CAPACITY];
    }
    expiresAt = Long.MAX_VALUE;
  }

  ReadResult read(Range range, long now) {
    synchronized (this) {
      expireIfDue(now);
      LogState state =
          new LogState(tail > head ? entry(head).id() : EntryId.ZERO, lastId, removedThrough);
      if (range.limit() == 0 || tail == head) return new ReadResult(List.of(), state);
      long from = range.fromExclusive() ? upperBound(range.from()) : lowerBound(range.from());
      long to = upperBound(range.to()); // exclusive
      long count = to - from;
      if (count <= 0) return new ReadResult(List.of(), state);
      if (count > range.limit()) {
        if (range.newest()) from = to - range.limit();
        else to = from + range.limit();
      }
      LogEntry[] out = new LogEntry[(int) (to - from)];
      for (int i = 0; i < out.length; i++) out[i] = entry(from + i);
      return new ReadResult(Arrays.asList(out), state);
    }
  }

  private LogEntry entry(long index) {
    return ring[(int) (index & (ring.length - 1))];
  }

  /** The first index whose id is >= {@code id}. */
  private long lowerBound(EntryId id) {
    long lo = head, hi = tail;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (entry(mid).id().compareTo(id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The first index whose id is > {@code id}. */
  private long upperBound(EntryId id) {
    if (tail > head && entry(tail - 1).id().compareTo(id) <= 0)
      return tail; // the common cursor case
    long lo = head, hi = tail;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (entry(mid).id().compareTo(id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds a watcher; false when this log was retired (look it up again). */
  boolean addWatcher(WatchListener watcher) {
    synchronized (this) {
      if (retired) return false;
      WatchListener[] current = watchers;
      WatchListener[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = watcher;
      watchers = next;
      return true;
    }
  }

  /** Removes a watcher; returns whether the log is now unwatched and empty (can be dropped). */
  boolean removeWatcher(WatchListener watcher) {
    synchronized (this) {
      WatchListener[] current = watchers;
      for (int i = 0; i < current.length; i++) {
        if (current[i] == watcher) {
          WatchListener[] next = new WatchListener[current.length - 1];
          System.arraycopy(current, 0, next, 0, i);
          System.arraycopy(current, i + 1, next, i, current.length - i - 1);
          watchers = next.length == 0 ? NO_WATCHERS : next;
          break;
        }
      }
      return retireIfUnused();
    }
  }

  /** Expires what is due; returns whether the log is now unwatched and empty and was retired. */
  boolean sweep(long now) {
    synchronized (this) {
      expireIfDue(now);
      return retireIfUnused();
    }
  }

  private boolean retireIfUnused() {
    if (watchers.length == 0 && tail == head) retired = true;
    return retired;
  }

  /**
   * Whether the sweeper needs to visit this log: an expiry is armed, or the log is empty and
   * unwatched (a read found it expired), so it can be dropped.
   */
  boolean needsSweep() {
    synchronized (this) {
      return expiresAt != Long.MAX_VALUE || (watchers.length == 0 && tail == head);
    }
  }

  /** Wakes every watcher; one that throws neither fails the append nor keeps the others asleep. */
  void notifyWatchers() {
    for (WatchListener watcher : watchers) {
      try {
        watcher.onAppend();
      } catch (RuntimeException e) {
        log.warn("a watcher of channel '{}' threw on an append", channel, e);
      }
    }
  }
}
