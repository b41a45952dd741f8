package dev.realtime.redis;

import dev.realtime.ConnectionStatus;
import dev.realtime.RealtimeException;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import dev.realtime.spi.LogState;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import dev.realtime.spi.WatchListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One watched channel in this process: the single reader that turns Pub/Sub wake-ups into stream
 * reads, shared by every local cursor of the channel.
 *
 * <p>A wake-up (any message on the channel's Pub/Sub channel, even the original's pings) starts one
 * read of the stream after the newest entry seen; wake-ups that arrive meanwhile are coalesced into
 * one more read. What is read is kept in a bounded tail, a contiguous suffix of the stream, and
 * local cursors inside it are served from memory: N subscribers cost one Redis read per burst, not
 * N. The Pub/Sub payload is not trusted to be in order: under concurrent emitters PUBLISH order can
 * differ from stream order, but an entry is in the stream before its wake-up can arrive, so reading
 * the stream gives every entry, once, in id order.
 *
 * <p>One message needs no read: this engine's envelope names an id with no stream entry between it
 * and its own ({@link PublishedEntry}), and when that id is the tail's end, the message's entry is
 * the stream's next one and joins the tail as a read would have added it. Under this engine's own
 * emitters, in any number of processes, that is nearly every message (the append script publishes
 * in stream order); the original's messages, and anything out of line, are wake-ups.
 */
final class ChannelFeed {
  static final int TAIL_CAPACITY = 4096;

  /**
   * The most payload bytes the tail keeps (besides the entry count): 4,096 entries of the largest
   * payload would be 4 GiB per channel. Past it the oldest go, and cursors behind them read Redis.
   */
  static final long TAIL_MAX_BYTES = 8L << 20;

  static final int FETCH_PAGE = 1000;

  private static final int IDLE = 0;
  private static final int FETCHING = 1;
  private static final int FETCHING_WOKEN = 2;

  final String channel;
  private final byte[] channelUtf8;
  private final byte[] envelopeTail;
  private final RedisEngine engine;
  private final CopyOnWriteArrayList<WatchListener> watchers = new CopyOnWriteArrayList<>();
  private final AtomicInteger state = new AtomicInteger(IDLE);
  private final AtomicBoolean retryScheduled = new AtomicBoolean();
  // Why Redis refuses this channel's SUBSCRIBE (null while it does not), until one goes through
  private volatile RealtimeException refused;
  private volatile int readFailures; // in a row, for the retry's back-off; reset by a read

  // The tail: every entry of the stream with coveredFrom < id <= end, oldest first. Guarded by
  // this; coveredFrom is null until the first read set it up.
  private final List<LogEntry> tail = new ArrayList<>();
  private int head; // index of the oldest live entry in tail (those before it are null)
  private long tailBytes; // payload bytes of the live entries
  private EntryId coveredFrom;
  private EntryId end;

  ChannelFeed(String channel, byte[] envelopeTail, RedisEngine engine) {
    this.channel = channel;
    this.channelUtf8 = channel.getBytes(StandardCharsets.UTF_8);
    this.envelopeTail = envelopeTail;
    this.engine = engine;
  }

  void add(WatchListener listener) {
    watchers.add(listener);
    RealtimeException why = refused;
    if (why != null) listener.onError(why); // joined a channel that cannot be watched
  }

  /** Removes and returns whether no watcher is left. */
  boolean remove(WatchListener listener) {
    watchers.remove(listener);
    return watchers.isEmpty();
  }

  /**
   * Redis refused this channel's SUBSCRIBE (an ACL): its watchers are told once (until a
   * subscription goes through), since no append will wake them meanwhile.
   */
  void subscribeRefused(RealtimeException error) {
    if (refused != null) return;
    refused = error;
    for (WatchListener w : watchers) w.onError(error);
  }

  /** Redis confirmed this channel's subscription. */
  void subscribed(boolean read) {
    if (refused != null) {
      refused = null;
      for (WatchListener w : watchers) w.onWatching();
    }
    if (read) wake();
  }

  void status(ConnectionStatus status) {
    for (WatchListener w : watchers) w.onStatus(status);
  }

  /**
   * The Pub/Sub connection is back: watchers are told, and every one of them reads again (as the
   * SPI promises after {@code RECONNECTED}), also those whose reads failed meanwhile and would
   * otherwise wait for an append that may never come; the tail catches up too.
   */
  void reconnected() {
    status(ConnectionStatus.RECONNECTED);
    wakeAll();
  }

  /**
   * A read of this channel failed (Redis, or the connection for reads, is away). Its watchers wait
   * for a wake-up, and the Pub/Sub connection may never have dropped to bring one: so everything
   * reads again a little later, backing off while the reads keep failing.
   */
  void readFailed() {
    if (!retryScheduled.compareAndSet(false, true)) return;
    engine.schedule(
        () -> {
          retryScheduled.set(false);
          wakeAll();
        },
        engine.readRetryMillis(readFailures++));
  }

  private void wakeAll() {
    for (WatchListener w : watchers) w.onAppend();
    wake();
  }

  /**
   * A message arrived on the channel's Pub/Sub channel: the next entry itself when it says so,
   * otherwise a wake-up. On Lettuce's Pub/Sub event loop.
   */
  void published(byte[] message) {
    PublishedEntry next = PublishedEntry.read(message, channel, channelUtf8, envelopeTail);
    if (next == null || !follow(next)) wake();
  }

  /**
   * Adds {@code next} to the tail when it is the entry right after the tail's end; true when
   * nothing is left to read for it (added, or a read already brought it).
   */
  private boolean follow(PublishedEntry next) {
    synchronized (this) {
      if (end == null) return false; // the first read has not set the tail up yet
      if (!next.entry().id().isAfter(end)) return true;
      if (!next.prev().equals(end)) return false;
      keep(next.entry());
    }
    for (WatchListener w : watchers) w.onAppend();
    return true;
  }

  /** The channel may have news: read the stream, once, however many wake-ups arrive meanwhile. */
  void wake() {
    for (; ; ) {
      int s = state.get();
      if (s == FETCHING_WOKEN) return;
      if (s == FETCHING) {
        if (state.compareAndSet(FETCHING, FETCHING_WOKEN)) return;
      } else if (state.compareAndSet(IDLE, FETCHING)) {
        // Runs on Lettuce's Pub/Sub event loop: fine, since starting a read never blocks.
        fetch();
        return;
      }
    }
  }

  private void fetch() {
    EntryId from;
    synchronized (this) {
      from = end;
    }
    state.set(FETCHING);
    Range range = from == null ? Range.stateOnly() : Range.after(from, FETCH_PAGE);
    engine
        .readFromRedis(channel, range)
        // On Lettuce's event loop: watchers only flag their cursors, and reads never block.
        .whenComplete(
            (result, error) -> {
              boolean more = false;
              if (error == null) {
                readFailures = 0;
                more = absorb(result, from == null);
              }
              if (more) fetch();
              else if (error != null || !state.compareAndSet(FETCHING, IDLE)) {
                if (error == null) {
                  fetch(); // woken during the read: read once more
                } else {
                  state.set(IDLE);
                  readFailed(); // Redis is away: read again later, or on the reconnect
                }
              }
            });
  }

  /** Adds what a read found to the tail and wakes the watchers; true when a full page came. */
  private boolean absorb(ReadResult result, boolean initial) {
    List<LogEntry> entries = result.entries();
    LogState log = result.state();
    synchronized (this) {
      if (initial || coveredFrom == null) {
        coveredFrom = log.lastId();
        end = log.lastId();
      } else if (log.removedThrough().isAfter(end)) {
        // Trimmed past what we had seen (while Redis was away, say): the tail is no longer
        // contiguous with the stream, so start it afresh; cursors before it read from Redis and
        // are told of the gap there.
        clear();
        coveredFrom = log.removedThrough();
        end = log.removedThrough();
      }
      for (LogEntry e : entries) {
        if (e.id().isAfter(end)) keep(e);
      }
    }
    if (initial || !entries.isEmpty()) {
      for (WatchListener w : watchers) w.onAppend();
    }
    return entries.size() == FETCH_PAGE;
  }

  /**
   * Under the lock: appends the entry after {@link #end}, dropping the oldest beyond {@link
   * #TAIL_CAPACITY} entries or {@link #TAIL_MAX_BYTES} (the newest is always kept).
   */
  private void keep(LogEntry e) {
    tail.add(e);
    tailBytes += e.data().size();
    end = e.id();
    while (tail.size() - head > TAIL_CAPACITY
        || (tailBytes > TAIL_MAX_BYTES && tail.size() - head > 1)) {
      LogEntry dropped = tail.set(head++, null); // no longer held
      tailBytes -= dropped.data().size();
      coveredFrom = dropped.id();
    }
    if (head > TAIL_CAPACITY) {
      tail.subList(0, head).clear();
      head = 0;
    }
  }

  private void clear() {
    tail.clear();
    head = 0;
    tailBytes = 0;
  }

  /** Entries and payload bytes the tail holds now: for tests. */
  synchronized long[] tailSize() {
    return new long[] {tail.size() - head, tailBytes};
  }

  /**
   * Serves a cursor read from the tail when the cursor lies within it; null otherwise (read from
   * Redis). The state it reports says that everything up to {@code coveredFrom} is out of view,
   * which is all a cursor inside the tail needs to know: nothing after it is missing.
   */
  synchronized ReadResult tryServe(Range range) {
    if (coveredFrom == null
        || !range.fromExclusive()
        || range.newest()
        || !range.to().equals(EntryId.MAX)
        || range.limit() == 0) {
      return null;
    }
    EntryId cursor = range.from();
    if (cursor.isBefore(coveredFrom) || cursor.isAfter(end)) return null;
    int lo = head, hi = tail.size();
    while (lo < hi) { // first index with id > cursor
      int mid = (lo + hi) >>> 1;
      if (tail.get(mid).id().compareTo(cursor) <= 0) lo = mid + 1;
      else hi = mid;
    }
    int to = Math.min(tail.size(), lo + range.limit());
    List<LogEntry> out = new ArrayList<>(tail.subList(lo, to));
    EntryId first = tail.size() > head ? tail.get(head).id() : EntryId.ZERO;
    return new ReadResult(out, new LogState(first, end, coveredFrom));
  }
}
