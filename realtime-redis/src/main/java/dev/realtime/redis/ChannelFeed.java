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
import java.util.ArrayDeque;
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
 *
 * <p>A Redis that restarts without its data (or a replica promoted without the last writes) no
 * longer holds entries this feed had seen, nor those stored just before the crash that no one had
 * read yet. So each read after the newest entry taken from the stream also asks whether the stream
 * still holds it. When it does not, and neither trimming, {@code XDEL} nor expiry explains it (an
 * expiry is told from a loss by the key's time to live, learnt from reads and from this engine's
 * envelopes), the feed records a {@link Hole}: cursors that had reached it are told of a gap
 * instead of reading on into the entries stored after the restart as if nothing were missing.
 */
final class ChannelFeed {
  static final int TAIL_CAPACITY = 4096;

  /**
   * The most payload bytes the tail keeps (besides the entry count): 4,096 entries of the largest
   * payload would be 4 GiB per channel. Past it the oldest go, and cursors behind them read Redis.
   * All tails together keep at most {@code RedisEngine.Builder.maxTailBytes}: past it, a tail that
   * takes in an entry lets go of its oldest, down to none.
   */
  static final long TAIL_MAX_BYTES = 8L << 20;

  static final int FETCH_PAGE = 1000;

  /** Losses remembered per channel; a cursor still before an older one crosses it unaware. */
  static final int MAX_HOLES = 16;

  /**
   * How much earlier than its time to live says a stream may vanish and still count as expired
   * rather than lost: the clocks of Redis and of this process differ a little.
   */
  static final long EXPIRY_SLACK_MS = 1000;

  /**
   * Entries Redis lost: none of the stream's entries after {@code from} (the newest one it still
   * held at or before the loss, or ZERO) up to {@code to} is there any more, and a cursor in {@code
   * [from, to)} was past them. {@code to} stands in for everything up to the first entry stored
   * after the loss (an id just after the newest one this feed had seen).
   */
  record Hole(EntryId from, EntryId to) {
    /**
     * Whether a cursor at {@code cursor} was past what was lost. Not at ZERO: a cursor that had
     * nothing lost nothing, and it is where a subscription to a stream that is empty now starts.
     */
    boolean holds(EntryId cursor) {
      return (cursor.isAfter(from) || (cursor.equals(from) && !from.equals(EntryId.ZERO)))
          && cursor.isBefore(to);
    }

    boolean contains(EntryId id) {
      return !id.isBefore(from) && id.isBefore(to);
    }
  }

  /**
   * How a read the tail did not serve goes to Redis: {@code range}, asking whether the stream still
   * holds {@code check} (null: nothing to ask), told as a gap through {@code gapThrough} when that
   * is not null (see {@link #plan} and {@link #answer}).
   */
  record Plan(Range range, EntryId check, EntryId gapThrough) {}

  /** {@link #expiresAt}: nothing known. */
  private static final long UNKNOWN = Long.MIN_VALUE;

  /** {@link #expiresAt}: the key has no expiry. */
  private static final long NEVER = Long.MAX_VALUE;

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
  // Where Redis lost entries the tail had, oldest first: each a Hole from the tail's end then (its
  // newest entry before the loss) to the stand-in after it; the tail has nothing in between.
  private final ArrayDeque<Hole> tailHoles = new ArrayDeque<>();
  // The newest entry taken from the stream (by a read or from an envelope) and not since found
  // missing: the next read after it checks that the stream still holds it. Null when none.
  private EntryId newestReal;
  // When the key expires unless written to meanwhile (Unix ms on Redis's clock, so that neither
  // this process's clock nor a late message matters), to tell a stream that expired from one
  // Redis lost, as last learnt: from a read that found the key (its TIME + PTTL), or from an
  // envelope of this engine (its id's time + "ttl", the expiry the emit set; -1, it set none, and
  // one set before stays: NEVER only when nothing was known; none at all, an earlier release's,
  // leaves it). NEVER: no expiry; UNKNOWN: nothing learnt.
  private long expiresAt = UNKNOWN;
  // When (Redis's clock) what expiresAt says was true: an older observation does not replace it.
  private long expiryLearntAt = Long.MIN_VALUE;
  // The stream was found gone whole since this feed began (lost or expired): a cursor at ZERO is
  // one that started on it since, which wants what comes next, not what the tail had before.
  private boolean startedAnew;
  // Every loss found, oldest first.
  private final ArrayDeque<Hole> holes = new ArrayDeque<>();

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
      // What it says of the key's expiry holds for the stream the tail follows (an envelope out
      // of line may come from a stream written anew since: the read it causes judges that first).
      long ttl = next.ttl();
      long at = next.entry().id().ms(); // Redis's clock: the emit's time
      if (ttl != PublishedEntry.TTL_UNKNOWN && at >= expiryLearntAt) {
        expiryLearntAt = at;
        if (ttl > 0) expiresAt = at + ttl;
        else if (expiresAt == UNKNOWN) expiresAt = NEVER;
      }
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
    EntryId check;
    synchronized (this) {
      from = end;
      check = newestReal;
    }
    state.set(FETCHING);
    Range range = from == null ? Range.stateOnly() : Range.after(from, FETCH_PAGE);
    engine
        .readForFeed(channel, range, check)
        // On Lettuce's event loop: watchers only flag their cursors, and reads never block.
        .whenComplete(
            (read, error) -> {
              boolean more = false;
              if (error == null) {
                readFailures = 0;
                more = absorb(read, from == null, check);
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

  /**
   * Adds what a read found to the tail and wakes the watchers; true when a full page came. {@code
   * checked}: the entry the read asked about (see {@link #fetch}), or null.
   */
  private boolean absorb(StreamReads.FeedRead read, boolean initial, EntryId checked) {
    List<LogEntry> entries = read.result().entries();
    LogState log = read.result().state();
    boolean lost = false;
    synchronized (this) {
      if (initial || coveredFrom == null) {
        coveredFrom = log.lastId();
        end = log.lastId();
        newestReal = log.lastId().equals(EntryId.ZERO) ? null : log.lastId();
        learn(read.pttl(), read.redisMillis());
      } else if (log.removedThrough().isAfter(end)) {
        // Trimmed past what we had seen (while Redis was away, say): the tail is no longer
        // contiguous with the stream, so start it afresh; cursors before it read from Redis and
        // are told of the gap there.
        clear();
        coveredFrom = log.removedThrough();
        end = log.removedThrough();
        learn(read.pttl(), read.redisMillis());
      } else {
        lost = judge(checked, read);
      }
      for (LogEntry e : entries) {
        if (e.id().isAfter(end)) keep(e);
      }
    }
    if (lost || initial || !entries.isEmpty()) {
      for (WatchListener w : watchers) w.onAppend();
    }
    return entries.size() == FETCH_PAGE;
  }

  /**
   * Under the lock: takes in the key's PTTL from a read at {@code redisMillis} on Redis's clock
   * (-2: no key, which says nothing).
   */
  private void learn(long pttl, long redisMillis) {
    // A read that came back after an envelope it preceded (or in the same millisecond) is stale.
    if (pttl < -1 || redisMillis <= expiryLearntAt) return;
    expiryLearntAt = redisMillis;
    expiresAt = pttl == -1 ? NEVER : redisMillis + pttl;
  }

  /**
   * Under the lock: whether {@code read}, which asked about {@code checked} (null: nothing), found
   * it lost, not known to be so before; records the loss. Then takes in the key's expiry.
   */
  private boolean judge(EntryId checked, StreamReads.FeedRead read) {
    LogState s = read.result().state();
    // A hole whose start trimming (or XDEL) removed tells nothing the state does not.
    holes.removeIf(h -> !h.from().equals(EntryId.ZERO) && !s.removedThrough().isBefore(h.from()));
    boolean gone =
        checked != null
            && !read.held()
            && holes.stream().noneMatch(h -> checked.isAfter(h.from()) && checked.isBefore(h.to()))
            && s.removedThrough().isBefore(checked);
    boolean lost = gone && lost(checked, read);
    if (gone && read.before().equals(EntryId.ZERO)) {
      // Gone whole (lost, or expired): what was known of its earlier life is over (a loss records
      // a hole from ZERO, which holds every cursor an older hole did).
      holes.clear();
      startedAnew = true;
    }
    if (lost) lose(read.before(), read.result().entries());
    learn(read.pttl(), read.redisMillis());
    return lost;
  }

  /**
   * Under the lock: whether the stream lost {@code checked}, an entry this feed took from it that
   * it no longer holds. Not when trimming or {@code XDEL} removed it, nor when the key may have
   * expired since (it lived long enough, or nothing says how long it lives); when entries before it
   * are still there, nothing else explains it.
   */
  private boolean lost(EntryId checked, StreamReads.FeedRead read) {
    if (!read.before().equals(EntryId.ZERO)) return true;
    if (expiresAt == UNKNOWN) return false;
    return expiresAt == NEVER || read.redisMillis() < expiresAt - EXPIRY_SLACK_MS;
  }

  /**
   * Under the lock: Redis lost entries after {@code keptBefore}, the newest it still holds before
   * the one checked, through at least the tail's end, and {@code read} came from after that end.
   * Records the hole, marks it in the tail (whose entries before it are still served: they were
   * emitted, and are lost only to Redis) and moves the end past it.
   */
  private void lose(EntryId keptBefore, List<LogEntry> read) {
    EntryId to = end.successor();
    for (LogEntry e : read) {
      // An entry stored after the loss right at that id (a clock that went back) is not lost.
      if (e.id().isAfter(end)) {
        if (!e.id().isAfter(to)) to = e.id().predecessor();
        break;
      }
    }
    holes.addLast(new Hole(keptBefore, to));
    if (holes.size() > MAX_HOLES) holes.removeFirst();
    if (tail.size() > head) {
      tailHoles.addLast(new Hole(end, to));
    } else {
      clear();
      coveredFrom = to;
    }
    end = to;
    // The newest entry Redis still holds is what later reads check: if it goes too, so did the
    // rest of the stream's life.
    newestReal = keptBefore.equals(EntryId.ZERO) ? null : keptBefore;
  }

  /**
   * Under the lock: appends the entry after {@link #end}, dropping the oldest beyond {@link
   * #TAIL_CAPACITY} entries or {@link #TAIL_MAX_BYTES} (the newest is always kept).
   */
  private void keep(LogEntry e) {
    tail.add(e);
    tailBytes += e.data().size();
    boolean overBudget = engine.addTailBytes(e.data().size());
    end = e.id();
    newestReal = e.id();
    while (tail.size() - head > TAIL_CAPACITY
        || (tailBytes > TAIL_MAX_BYTES && tail.size() - head > 1)
        || (overBudget && tail.size() > head)) {
      LogEntry dropped = tail.set(head++, null); // no longer held
      tailBytes -= dropped.data().size();
      overBudget = engine.addTailBytes(-dropped.data().size());
      coveredFrom = dropped.id();
      while (!tailHoles.isEmpty() && !coveredFrom.isBefore(tailHoles.peekFirst().from())) {
        // Nothing before the hole is left: the tail holds everything after it.
        coveredFrom = tailHoles.pollFirst().to();
      }
    }
    if (head > TAIL_CAPACITY) {
      tail.subList(0, head).clear();
      head = 0;
    }
  }

  private void clear() {
    engine.addTailBytes(-tailBytes);
    tail.clear();
    head = 0;
    tailBytes = 0;
    tailHoles.clear();
    newestReal = null;
  }

  /** No watcher is left: lets go of what the tail holds (counted in the engine's budget). */
  synchronized void release() {
    clear();
  }

  /** Entries and payload bytes the tail holds now: for tests. */
  synchronized long[] tailSize() {
    return new long[] {tail.size() - head, tailBytes};
  }

  /**
   * Serves a cursor read from the tail when the cursor lies within it; null otherwise (read from
   * Redis, see {@link #plan}). The state it reports says that everything up to {@code coveredFrom}
   * is out of view, which is all a cursor inside the tail needs to know: nothing after it is
   * missing. A read before a hole in the tail stops at it (the state's end says there is more); one
   * at the hole is told of the gap.
   */
  synchronized ReadResult tryServe(Range range) {
    if (coveredFrom == null || !isCursorRead(range)) return null;
    EntryId cursor = range.from();
    if (cursor.isBefore(coveredFrom) || cursor.isAfter(end)) return null;
    // At ZERO after the whole stream was lost: a subscription that started on the empty stream,
    // which wants what comes after, not what this tail still has of before.
    if (cursor.equals(EntryId.ZERO) && startedAnew) return null;
    int to = tail.size();
    for (Hole h : tailHoles) {
      if (cursor.isBefore(h.from())) {
        to = indexAfter(h.from()); // up to the hole; the next read meets it
        break;
      }
      if (cursor.isBefore(h.to())) {
        int next = indexAfter(h.to());
        // Nothing after it yet: Redis says where the cursor goes on from (see answer()).
        if (next == tail.size()) return null;
        return new ReadResult(List.of(), new LogState(tail.get(next).id(), end, h.to()));
      }
    }
    int lo = indexAfter(cursor);
    to = Math.min(to, lo + range.limit());
    List<LogEntry> out = new ArrayList<>(tail.subList(lo, to));
    EntryId first = tail.size() > head ? tail.get(head).id() : EntryId.ZERO;
    return new ReadResult(out, new LogState(first, end, coveredFrom));
  }

  /**
   * How a read the tail did not serve goes to Redis. A cursor read in a hole reads after it and is
   * told of the gap; one before a hole stops at the newest entry Redis kept before it; and cursor
   * and state reads ask whether the stream still holds the newest entry this feed took from it, so
   * that in the moment between a restart and the feed's own read no cursor reads on into entries
   * stored since, and no subscription starts in what was lost (see {@link #answer}).
   */
  synchronized Plan plan(Range range) {
    if (!isCursorRead(range)) return new Plan(range, range.limit() == 0 ? newestReal : null, null);
    EntryId cursor = range.from();
    Hole in = holding(cursor);
    if (in != null) return new Plan(Range.after(in.to(), 1), null, in.to());
    return new Plan(
        new Range(cursor, true, stopAhead(cursor), range.limit(), false), newestReal, null);
  }

  /** Under the lock: the hole {@code cursor} is in (the one reaching furthest), or null. */
  private Hole holding(EntryId cursor) {
    Hole in = null;
    for (Hole h : holes) {
      if (h.holds(cursor) && (in == null || h.to().isAfter(in.to()))) in = h;
    }
    return in;
  }

  /** Under the lock: the start of the nearest hole after {@code cursor}, or MAX. */
  private EntryId stopAhead(EntryId cursor) {
    EntryId stop = EntryId.MAX;
    for (Hole h : holes) {
      if (cursor.isBefore(h.from()) && h.from().isBefore(stop)) stop = h.from();
    }
    return stop;
  }

  /**
   * What a read planned by {@link #plan} answers. A read that found the entry it asked about lost
   * records the loss and wakes the watchers: a cursor read then returns nothing (the cursor stays,
   * and its next read meets the hole). A cursor in a hole is told a gap through it, going on at the
   * first entry after it (or after the hole, when there is none yet). A state read reports the
   * newest hole as removed, and an end past it unless the stream is empty: a subscription that
   * starts now does not start in it, and starts at a real id (ZERO), which a resume elsewhere takes
   * for no gap, when there is no other.
   */
  ReadResult answer(Range asked, Plan plan, StreamReads.FeedRead read) {
    ReadResult r = read.result();
    LogState s = r.state();
    ReadResult answer = r;
    boolean lost;
    synchronized (this) {
      lost = judge(plan.check(), read);
      if (plan.gapThrough() != null) {
        EntryId through = plan.gapThrough();
        // Told with the first entry after it: until one comes the cursor stays (where it goes on
        // is then a real position, which a resume elsewhere takes for no gap).
        if (!r.entries().isEmpty()) {
          answer =
              new ReadResult(
                  List.of(),
                  new LogState(
                      r.entries().get(0).id(),
                      max(s.lastId(), through),
                      max(s.removedThrough(), through)));
        } else {
          answer = new ReadResult(List.of(), s);
        }
      } else if (asked.limit() == 0 && !holes.isEmpty()) {
        EntryId newest = holes.getLast().to();
        EntryId last = s.lastId().equals(EntryId.ZERO) ? EntryId.ZERO : max(s.lastId(), newest);
        answer =
            new ReadResult(
                List.of(), new LogState(s.firstId(), last, max(s.removedThrough(), newest)));
      } else if (isCursorRead(asked)) {
        // Holes found since the read was planned (by this read, or by another that came back
        // first): nothing past them goes out; the next read tells the gap.
        EntryId cursor = asked.from();
        if (holding(cursor) != null) {
          answer = new ReadResult(List.of(), s);
        } else {
          EntryId stop = stopAhead(cursor);
          if (!r.entries().isEmpty() && r.entries().getLast().id().isAfter(stop)) {
            List<LogEntry> upTo = new ArrayList<>();
            for (LogEntry e : r.entries()) {
              if (e.id().isAfter(stop)) break;
              upTo.add(e);
            }
            answer = new ReadResult(upTo, s);
          }
        }
      }
    }
    if (lost) {
      for (WatchListener w : watchers) w.onAppend();
    }
    return answer;
  }

  private static boolean isCursorRead(Range range) {
    return range.fromExclusive()
        && !range.newest()
        && range.to().equals(EntryId.MAX)
        && range.limit() > 0;
  }

  /** Under the lock: the index of the tail's first entry after {@code id}. */
  private int indexAfter(EntryId id) {
    int lo = head, hi = tail.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (tail.get(mid).id().compareTo(id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The losses found: for tests. */
  synchronized List<Hole> holes() {
    return List.copyOf(holes);
  }

  private static EntryId max(EntryId a, EntryId b) {
    return a.isAfter(b) ? a : b;
  }
}
