package dev.realtime.server.sse;

import dev.realtime.Gap;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import dev.realtime.Subscription;
import dev.realtime.SubscriptionEnd;
import dev.realtime.server.metrics.ServerMetrics;
import dev.realtime.server.sse.SseStream.Lane;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live tail of one channel, shared by every stream of this server that is caught up on it: one
 * core subscription, each event framed once into one direct buffer, and per event loop one task
 * that writes that buffer to every member connection of the loop and flushes each once.
 *
 * <p>A stream's channel ({@link Lane}) that must replay first (a resume, {@code history=N}, a start
 * time) follows its own subscription, and joins the feed when the two meet: when the entry it just
 * delivered is the feed's {@link #position} (it joins behind it) or lies ahead of it (it joins
 * right after the feed dispatches that entry). A member whose socket backs up leaves the feed and
 * follows its own subscription again from its last written entry, which waits in the log, not in
 * memory, until the client reads; then it rejoins. Joins and leaves travel in the event loop's
 * queue with the events, so each member receives exactly the entries after its joining position.
 *
 * <p>With a write delay ({@code write-delay}), a loop's fan-out starts that long after the first
 * item queued for it, so the entries of that time go to each member in one write (one TCP segment
 * while they fit) instead of one each: on a busy channel that is most of the server's cost per
 * delivery. A window that fills half of {@link #MAX_BACKLOG} is written at once.
 *
 * <p>The server ends the feed's subscription when the last lane leaves ({@link #stop}). If anything
 * else ends it (the embedder calls {@code Channel.unsubscribe()} or closes the Realtime), the feed
 * is {@link #lost()}: the {@link Feeds} registry drops it, and every stream on it, or joining it
 * later, ends with a {@code reconnect} frame, so its client resumes from its position (exactly
 * once, on a fresh feed) instead of waiting for events that would never come.
 */
final class ChannelFeed {
  private static final Logger log = LoggerFactory.getLogger(ChannelFeed.class);

  /** How long one fan-out task may hold its event loop before it lets other work run. */
  static final long SLICE_NANOS = 2_000_000;

  /** The most entries an event loop may fall behind before its members follow the log instead. */
  static final int MAX_BACKLOG = 4096;

  private final String name;
  private final ServerMetrics metrics;
  private final long writeDelayNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final CompletableFuture<ChannelFeed> ready = new CompletableFuture<>();
  private final CompletableFuture<ChannelFeed> lost = new CompletableFuture<>();

  // Guarded by lock.
  private EntryId position; // the last entry dispatched (or passed at the start)
  private final List<LoopFanout> fanouts = new ArrayList<>(2);
  private final TreeMap<EntryId, List<Lane>> pendingJoins = new TreeMap<>();
  private Subscription upstream;
  private boolean stopped; // by the server, or because the subscription ended under it
  private boolean ended; // the subscription ended without the server asking

  /** Lanes holding this feed; guarded by the {@link Feeds} registry. */
  int refs;

  /**
   * @param writeDelayNanos how long an event loop waits, after an entry for it arrives, before it
   *     writes what has come by then: members get those entries in one write (0: at once)
   */
  ChannelFeed(String name, ServerMetrics metrics, long writeDelayNanos) {
    this.name = name;
    this.metrics = metrics;
    this.writeDelayNanos = writeDelayNanos;
  }

  String name() {
    return name;
  }

  /** Completes once the feed's subscription is live (or fails with why it could not start). */
  CompletableFuture<ChannelFeed> ready() {
    return ready;
  }

  /** Completes when the feed's subscription ended without the server asking. */
  CompletableFuture<ChannelFeed> lost() {
    return lost;
  }

  void start(Realtime realtime) {
    CompletableFuture<Subscription> subscribed;
    try {
      subscribed =
          realtime
              .channel(name)
              .subscribeAsync(
                  Subscribe.toAll()
                      .onEntry(this::dispatch)
                      .onGap(this::gap)
                      .onEnd(this::subscriptionEnded)
                      .onError(e -> log.warn("feed of channel '{}': {}", name, e.toString())));
    } catch (RuntimeException e) {
      ready.completeExceptionally(e); // a closed Realtime, say
      return;
    }
    subscribed.whenComplete(
        (s, error) -> {
          if (error != null) {
            ready.completeExceptionally(error);
            return;
          }
          boolean stop;
          lock.lock();
          try {
            upstream = s;
            if (position == null) position = EntryId.parse(s.position());
            stop = stopped;
          } finally {
            lock.unlock();
          }
          if (stop) s.unsubscribe();
          ready.complete(this);
        });
  }

  /** Ends the feed's subscription (the last lane left). */
  void stop() {
    Subscription s;
    List<LoopFanout> gone;
    lock.lock();
    try {
      stopped = true;
      s = upstream;
      gone = List.copyOf(fanouts);
      fanouts.clear();
      pendingJoins.clear();
    } finally {
      lock.unlock();
    }
    if (s != null) s.unsubscribe();
    gone.forEach(f -> f.discard(false));
  }

  /**
   * The feed's subscription ended. When the server ended it ({@link #stop}) there is nothing to do.
   * Otherwise no entry will come any more: the registry drops the feed, and every stream on it ends
   * with a reconnect frame after what it was written (the lanes waiting to join, and on each event
   * loop the members and the lanes about to join; entries not yet written are dropped, to be read
   * again from the log on the resume).
   */
  private void subscriptionEnded(SubscriptionEnd why) {
    if (why == SubscriptionEnd.UNSUBSCRIBED) return;
    List<LoopFanout> gone;
    List<Lane> waiting = new ArrayList<>();
    lock.lock();
    try {
      if (stopped) return;
      stopped = true;
      ended = true;
      gone = List.copyOf(fanouts);
      fanouts.clear();
      pendingJoins.values().forEach(waiting::addAll);
      pendingJoins.clear();
    } finally {
      lock.unlock();
    }
    log.info(
        "the subscription of channel '{}' ended under the server ({}): its streams reconnect",
        name,
        why);
    lost.complete(this);
    gone.forEach(f -> f.discard(true));
    waiting.forEach(lane -> lane.stream().reconnect());
  }

  /**
   * A lane that starts live joins now: it receives every entry after the returned position (the id
   * its client resumes from, written in its {@code connected} frame). Its event loop only.
   */
  String joinNow(Lane lane) {
    lock.lock();
    try {
      if (ended) {
        lane.stream().reconnect(); // after its connected frames: it resumes from this position
      } else {
        fanout(lane).add(new Join(lane));
      }
      return position.toString();
    } finally {
      lock.unlock();
    }
  }

  /**
   * A lane following its own subscription has just delivered {@code delivered}: if that is where
   * the feed is or will be, the lane joins (then, or right after the feed dispatches it) and its
   * own subscription must stop; returns whether it joined.
   */
  boolean tryJoin(Lane lane, EntryId delivered) {
    lock.lock();
    try {
      if (ended) {
        // After what it delivered: it resumes on a fresh feed. True: its own subscription stops
        // (reading on would only queue more reconnects).
        lane.stream().reconnect();
        return true;
      }
      if (stopped || position == null) return false;
      int c = delivered.compareTo(position);
      if (c < 0) return false; // the feed is ahead: keep catching up
      if (c == 0) {
        fanout(lane).add(new Join(lane));
      } else {
        pendingJoins.computeIfAbsent(delivered, k -> new ArrayList<>(1)).add(lane);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The lane's stream closed: it leaves (if it is or was about to be a member). */
  void leave(Lane lane) {
    lock.lock();
    try {
      if (stopped) return;
      for (Iterator<List<Lane>> it = pendingJoins.values().iterator(); it.hasNext(); ) {
        List<Lane> lanes = it.next();
        if (lanes.remove(lane) && lanes.isEmpty()) it.remove();
      }
      LoopFanout f = existingFanout(lane);
      if (f != null) f.add(new Leave(lane)); // without one the lane never was a member
    } finally {
      lock.unlock();
    }
  }

  /** The feed's subscription delivers the channel's entries here, one at a time, in log order. */
  private void dispatch(LogEntry entry) {
    // Framed before the lock: the event loops take it too, and must not wait for an encoding.
    ByteBuf frame = SseFrames.chunk(SseFrames.event(entry));
    try {
      lock.lock();
      try {
        if (stopped || (position != null && !entry.id().isAfter(position))) return;
        // Lanes waiting for an entry the feed never dispatched (skipped by a gap) join before this
        // one, told of the gap; none is expected, as gap() releases them.
        if (!pendingJoins.isEmpty() && pendingJoins.firstKey().isBefore(entry.id())) {
          releaseWaiting(pendingJoins.headMap(entry.id(), false), entry.idText());
        }
        position = entry.id();
        for (LoopFanout f : fanouts) f.add(new Event(entry, frame.retain()));
        List<Lane> due = pendingJoins.remove(position);
        if (due != null) {
          for (Lane lane : due) fanout(lane).add(new Join(lane));
        }
      } finally {
        lock.unlock();
      }
    } finally {
      frame.release();
    }
  }

  /**
   * Under the lock: lanes that waited at entries the feed skipped are told of the gap (what came
   * after their entry up to {@code resumedFrom}, or the log's end when null) and join.
   */
  private void releaseWaiting(Map<EntryId, List<Lane>> skipped, String resumedFrom) {
    // Their position moves as the feed's did: to just before resumedFrom (a resume from there is
    // not told of the same gap again).
    String moved = resumedFrom == null ? null : EntryId.parse(resumedFrom).predecessor().toString();
    for (var e : skipped.entrySet()) {
      byte[] frame = SseFrames.gap(name, e.getKey().toString(), resumedFrom);
      for (Lane lane : e.getValue()) {
        LoopFanout f = fanout(lane);
        f.add(new Skipped(lane, frame, moved));
        f.add(new Join(lane));
      }
    }
    skipped.clear();
  }

  /**
   * The feed itself fell behind trimming (its subscription skipped entries the log no longer
   * holds): every member is told, and lanes waiting for a skipped entry join with a gap too.
   */
  private void gap(Gap gap) {
    lock.lock();
    try {
      if (stopped) return;
      byte[] frame = SseFrames.gap(name, gap.afterId(), gap.firstAvailableId());
      if (gap.firstAvailableId() == null) {
        // The log is empty: everything after the feed's position is gone, and so is every entry a
        // lane waits for. The next entry the feed sees is after all of them.
        for (LoopFanout f : fanouts) f.add(new Skipped(null, frame, null));
        releaseWaiting(pendingJoins, null);
        return;
      }
      EntryId moved = EntryId.parse(gap.firstAvailableId()).predecessor();
      // Equal: entries deleted one by one after the position, older ones still held (the core's
      // subscription goes on after its position): told, and the position stays.
      if (position != null && moved.isBefore(position)) return;
      position = moved;
      for (LoopFanout f : fanouts) f.add(new Skipped(null, frame, moved.toString()));
      releaseWaiting(pendingJoins.headMap(position, true), gap.firstAvailableId());
    } finally {
      lock.unlock();
    }
  }

  private LoopFanout fanout(Lane lane) {
    LoopFanout f = existingFanout(lane);
    if (f == null) {
      f = new LoopFanout(lane.stream().channel().eventLoop());
      fanouts.add(f);
    }
    return f;
  }

  private LoopFanout existingFanout(Lane lane) {
    EventLoop loop = lane.stream().channel().eventLoop();
    for (LoopFanout f : fanouts) {
      if (f.loop == loop) return f;
    }
    return null;
  }

  private record Event(LogEntry entry, ByteBuf frame) {}

  private record Join(Lane lane) {}

  private record Leave(Lane lane) {}

  /** A gap frame for every member ({@code lane} null) or for one lane, moving its position. */
  private record Skipped(Lane lane, byte[] frame, String position) {}

  /**
   * The members on one event loop, and the queue of what to do for them, in order. Consecutive
   * entries are written member by member (all of them to one connection, then one flush), so a loop
   * that fell behind catches up with one write per connection, not one per entry; and a long
   * fan-out yields the loop every {@link #SLICE_NANOS} so its other connections (emits, new
   * streams) are not kept waiting.
   */
  private final class LoopFanout {
    final EventLoop loop;
    private ArrayDeque<Object> queue = new ArrayDeque<>(); // guarded by the feed's lock
    private boolean scheduled; // a drain is coming; guarded by the feed's lock
    private boolean prompt; // one is coming without the write delay; guarded by the feed's lock
    private ScheduledFuture<?> delayed; // the window's delayed drain; guarded by the feed's lock

    // Event loop only:
    private final ArrayList<Lane> members = new ArrayList<>();
    private final ArrayDeque<Object> working = new ArrayDeque<>();
    private final ArrayList<Event> block = new ArrayList<>();
    private int[] written = new int[8]; // per entry of the block: connections written
    private int cursor; // the next member to write the block to
    private boolean continuing; // a yielded slice's continuation is scheduled

    LoopFanout(EventLoop loop) {
      this.loop = loop;
    }

    /** Under the feed's lock. */
    void add(Object item) {
      queue.add(item);
      // With a write delay the first item waits for the rest of its window, unless the window fills
      // half the backlog bound: then it goes now, or every drain would shed its members.
      boolean now = writeDelayNanos == 0 || (scheduled && queue.size() >= MAX_BACKLOG / 2);
      if (scheduled && (!now || prompt)) return;
      try {
        if (now) {
          prompt = true;
          // The window's timer would otherwise fire into the next window and split it.
          if (delayed != null) delayed.cancel(false);
          delayed = null;
          loop.execute(this::drain);
        } else {
          delayed = loop.schedule(this::drain, writeDelayNanos, TimeUnit.NANOSECONDS);
        }
        scheduled = true;
      } catch (RejectedExecutionException e) {
        // The server is shutting down and its loops are gone: nothing will be written.
        release(queue);
        queue.clear();
      }
    }

    /**
     * The feed stopped: drops what is queued. With {@code reconnect} (the feed was lost) every
     * member, and every lane about to join, ends its stream with a reconnect frame.
     */
    void discard(boolean reconnect) {
      execute(
          () -> {
            ArrayDeque<Object> dropped;
            lock.lock();
            try {
              dropped = queue;
              queue = new ArrayDeque<>();
            } finally {
              lock.unlock();
            }
            dropped.addAll(working);
            working.clear();
            block.forEach(e -> e.frame().release());
            block.clear();
            release(dropped);
            if (reconnect) {
              members.forEach(lane -> lane.stream().reconnect());
              for (Object item : dropped) {
                if (item instanceof Join j) j.lane().stream().reconnect();
              }
            }
            members.clear();
          });
    }

    private void execute(Runnable task) {
      try {
        loop.execute(task);
      } catch (RejectedExecutionException e) {
        task.run(); // the loop is gone: nothing else runs on it any more
      }
    }

    private static void release(ArrayDeque<Object> items) {
      for (Object item : items) {
        if (item instanceof Event e) e.frame().release();
      }
    }

    private void drain() {
      lock.lock();
      try {
        working.addAll(queue);
        queue.clear();
        scheduled = false;
        prompt = false;
        delayed = null;
      } finally {
        lock.unlock();
      }
      if (working.size() + block.size() > MAX_BACKLOG) {
        shed();
        return;
      }
      // A yielded slice goes on after the loop's next poll, with these entries too: going on here
      // would run before that poll and keep the loop from its sockets.
      if (!continuing) work();
    }

    /**
     * Writes what this loop took from the queue, for at most {@link #SLICE_NANOS}, then yields. It
     * never takes more from the queue: entries that arrive meanwhile wait for their own drain (and,
     * with a write delay, their own window) instead of going out one by one behind a slice.
     */
    private void work() {
      continuing = false;
      long deadline = System.nanoTime() + SLICE_NANOS;
      while (true) {
        if (!block.isEmpty()) {
          if (!writeBlock(deadline)) {
            yieldLoop();
            return;
          }
          finishBlock();
        }
        Object item = working.poll();
        if (item == null) return;
        if (item instanceof Event e) {
          block.add(e);
          while (working.peek() instanceof Event next) {
            block.add(next);
            working.poll();
          }
          if (written.length < block.size()) written = new int[block.size() * 2];
          Arrays.fill(written, 0, block.size(), 0);
          cursor = 0;
        } else if (item instanceof Join j) {
          if (!j.lane().stream().isClosed()) members.add(j.lane());
        } else if (item instanceof Leave l) {
          members.remove(l.lane());
        } else if (item instanceof Skipped s) {
          if (s.lane() != null) {
            s.lane().stream().writeGap(s.lane(), s.frame(), s.position());
          } else {
            for (Lane lane : members) lane.stream().writeGap(lane, s.frame(), s.position());
          }
        }
      }
    }

    /** Writes the block to the members from {@link #cursor}; false when the slice ran out. */
    private boolean writeBlock(long deadline) {
      int n = block.size();
      int writes = 0;
      while (cursor < members.size()) {
        Lane lane = members.get(cursor);
        SseStream stream = lane.stream();
        boolean wrote = false;
        boolean left = false;
        for (int j = 0; j < n && !left; j++, writes++) {
          Event e = block.get(j);
          switch (stream.writeLive(lane, e.entry(), e.frame())) {
            case WRITTEN -> {
              written[j]++;
              wrote = true;
            }
            case FILTERED -> {}
            case LEFT -> left = true;
          }
        }
        if (wrote) stream.flushLive();
        if (left) {
          int last = members.size() - 1; // order among connections does not matter
          members.set(cursor, members.get(last));
          members.remove(last);
        } else {
          cursor++;
        }
        if (writes >= 64) {
          writes = 0;
          if (System.nanoTime() - deadline > 0) return cursor >= members.size();
        }
      }
      return true;
    }

    /**
     * The loop fell {@link #MAX_BACKLOG} entries behind: rather than hold them in memory, every
     * member (and every lane about to join) follows its own subscription from what it was written;
     * the entries wait in the log, and the lanes rejoin as they catch up.
     */
    private void shed() {
      for (Lane lane : members) lane.stream().shed(lane);
      members.clear();
      for (Event e : block) e.frame().release();
      block.clear();
      for (Object item : working) {
        if (item instanceof Event e) {
          e.frame().release();
        } else if (item instanceof Skipped s && s.lane() != null) {
          s.lane().stream().writeGap(s.lane(), s.frame(), s.position());
        } else if (item instanceof Join j) {
          j.lane().stream().shed(j.lane());
        }
      }
      working.clear();
      log.debug(
          "channel '{}': an event loop fell {} entries behind; its streams follow the log",
          name,
          MAX_BACKLOG);
    }

    private void finishBlock() {
      for (int j = 0; j < block.size(); j++) {
        Event e = block.get(j);
        e.frame().release();
        if (written[j] > 0) metrics.delivered(e.entry().id().ms(), written[j]);
      }
      block.clear();
    }

    /**
     * Lets the loop run its other work, then goes on where it stopped: a task scheduled now runs
     * after the loop's next poll of its sockets (an executed one would run before it), so requests
     * and other connections are served between slices. Drains that run first only queue their
     * entries behind it.
     */
    private void yieldLoop() {
      continuing = true;
      loop.schedule(this::work, 0, TimeUnit.NANOSECONDS);
    }
  }
}
