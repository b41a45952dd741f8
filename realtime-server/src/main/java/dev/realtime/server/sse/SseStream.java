package dev.realtime.server.sse;

import dev.realtime.Gap;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import dev.realtime.Subscription;
import dev.realtime.SubscriptionEnd;
import dev.realtime.server.http.HttpPipeline;
import dev.realtime.server.metrics.ServerMetrics;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser's event stream. Each of its channels is a {@link Lane}, fed in one of two ways:
 *
 * <ul>
 *   <li><b>live</b>: a member of the channel's {@link ChannelFeed}, which writes the one shared
 *       frame of each entry to every member on the event loop ({@link #writeLive});
 *   <li><b>following its own subscription</b> while it replays (resume, history, a start time) or
 *       lags: the subscription delivers on its own (virtual) thread into this stream's queue, which
 *       the event loop drains ({@link #onEntry}). When the socket backs up, that thread waits (the
 *       cursor lags in the log, using no memory here); a client that has not drained for {@link
 *       #SLOW_CONSUMER_WAIT_MS} or whose backlog passes the configured bound is closed with a
 *       reason, so one slow reader never delays others nor grows memory.
 * </ul>
 *
 * A lane moves from the second to the first when it catches up with the feed, and back when its
 * socket stops taking data; both hand-overs are exact (see {@link ChannelFeed}). If either
 * subscription ends without the server asking (the embedder unsubscribed the channel or closed the
 * Realtime), the stream ends with a {@code reconnect} frame: its client resumes from what it was
 * written.
 *
 * <p>Once open, the connection carries raw HTTP chunks: the response head went through the HTTP
 * encoder, which was then removed ({@link HttpPipeline#streamOnly}).
 *
 * <p>SSE ids: a one-channel stream's id is the entry's id (the same bytes for all connections); a
 * multi-channel stream's id carries every channel's position (see {@link StreamRequest}), so {@code
 * Last-Event-ID} alone resumes the whole stream exactly once.
 */
public final class SseStream {
  private static final Logger log = LoggerFactory.getLogger(SseStream.class);
  static final long SLOW_CONSUMER_WAIT_MS = 5_000;
  private static final long SLOW_CONSUMER_WAIT_NANOS =
      TimeUnit.MILLISECONDS.toNanos(SLOW_CONSUMER_WAIT_MS);

  /** The stream a connection carries, if it carries one. */
  public static final AttributeKey<SseStream> OF_CHANNEL = AttributeKey.valueOf("realtime.stream");

  /** What {@link #writeLive} did with an entry. */
  enum Outcome {
    WRITTEN,
    FILTERED,
    /** The lane is no longer a member: its stream closed, or it went to follow its own cursor. */
    LEFT
  }

  private final Realtime realtime;
  private final Channel channel;
  private final List<String> channels;
  private final Set<String> events; // null: every event
  // Per lane, the entry the client has passed (event-loop only, after open()): its last written
  // event, or a newer live entry its event filter passed over, or where a gap moved it. A lane
  // that leaves the feed resumes after it, and so does a client that reconnects with it: not after
  // its last written event, which may have been trimmed since, and reading from there would
  // report a gap where nothing matching was lost.
  private final Positions positions;
  // Whether positions moved past the last id line the client got (event-loop only): the next
  // heartbeat or last frame carries an id line, so the client's Last-Event-ID catches up.
  private boolean idBehind;
  private final Lane[] lanes;
  private final Feeds feeds;
  private final ServerMetrics metrics;
  private final int maxBufferedBytes;
  private final boolean single;
  private final long openedAtMillis = System.currentTimeMillis();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition writable = lock.newCondition();
  private ArrayDeque<Object> queue = new ArrayDeque<>(); // ByteBuf, Pending or Moved
  private long queuedBytes;
  private boolean opened;
  private volatile boolean drainScheduled; // written under lock
  private volatile boolean closed;
  private List<Runnable> heldDeliveries = new ArrayList<>(); // until open(); then null
  private final Executor deliveryExecutor;
  private ScheduledFuture<?> heartbeat;
  private ScheduledFuture<?> deadline;

  /**
   * An entry from a lane's own subscription, framed at drain time, when the lane's position moves
   * to it (and a multi-channel stream's id line is written).
   */
  private record Pending(int channelIndex, LogEntry entry) {}

  /** A control frame that moves a channel's position (a gap skipped ahead). */
  private record Moved(int channelIndex, String position, byte[] frame) {}

  /** One channel of the stream. */
  final class Lane {
    final int index;
    final ChannelFeed feed;
    Own own; // guarded by lock: the subscription it follows, null while live

    Lane(int index, ChannelFeed feed) {
      this.index = index;
      this.feed = feed;
    }

    SseStream stream() {
      return SseStream.this;
    }
  }

  /** A lane's own subscription; retired when the lane joins its feed. */
  private static final class Own {
    final Lane lane;
    Subscription subscription; // guarded by the stream's lock
    boolean retired; // guarded by the stream's lock

    Own(Lane lane) {
      this.lane = lane;
    }
  }

  SseStream(
      Realtime realtime,
      Channel channel,
      List<String> channels,
      Set<String> events,
      Feeds feeds,
      ServerMetrics metrics,
      int maxBufferedBytes,
      Executor deliveryExecutor,
      boolean requestedOneChannel) {
    this.realtime = realtime;
    this.deliveryExecutor = deliveryExecutor;
    this.channel = channel;
    this.channels = channels;
    this.events = events;
    this.feeds = feeds;
    this.positions = new Positions(channels.size());
    this.metrics = metrics;
    this.maxBufferedBytes = maxBufferedBytes;
    // Bare ids only when the request itself named one channel: a request for several that the
    // authorizer narrowed to one resumes with the same URL, whose Last-Event-ID must then name its
    // channel (a bare id for a request of several channels is refused as ambiguous).
    this.single = channels.size() == 1 && requestedOneChannel;
    this.lanes = new Lane[channels.size()];
    for (int i = 0; i < lanes.length; i++) lanes[i] = new Lane(i, feeds.acquire(channels.get(i)));
    channel.attr(OF_CHANNEL).set(this);
  }

  Channel channel() {
    return channel;
  }

  List<String> channels() {
    return channels;
  }

  /**
   * Starts channel {@code index}: a live start joins the feed when the stream opens; any other
   * follows its own subscription from {@code start} first. Completes when it can open.
   */
  CompletableFuture<?> start(int index, StreamStart start) {
    Lane lane = lanes[index];
    if (start.equals(StreamStart.LIVE)) return lane.feed.ready();
    return CompletableFuture.allOf(lane.feed.ready(), follow(lane, start));
  }

  /** Subscribes the lane on its own from {@code start}; deliveries wait for {@link #open}. */
  private CompletableFuture<Subscription> follow(Lane lane, StreamStart start) {
    Own own = new Own(lane);
    lock.lock();
    try {
      lane.own = own;
    } finally {
      lock.unlock();
    }
    String name = channels.get(lane.index);
    // The filter goes to the core only where it decides the start (the newest N matching): other
    // subscriptions see every entry, so they can meet the feed at any entry, matching or not.
    Subscribe<Object> request =
        events != null && start.latest() > 0
            ? Subscribe.to(events.toArray(String[]::new))
            : Subscribe.toAll();
    request =
        start.applyTo(
            request
                .onEntry(e -> onEntry(own, e))
                .onGap(g -> onGap(own, g))
                .onEnd(this::ownEnded)
                .onError(e -> log.warn("stream of channel '{}': {}", name, e.toString()))
                .executor(deliveries()));
    CompletableFuture<Subscription> subscribed;
    try {
      subscribed = realtime.channel(name).subscribeAsync(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e); // a closed Realtime, say
    }
    return subscribed.whenComplete(
        (s, error) -> {
          if (s == null) return;
          boolean stop;
          lock.lock();
          try {
            own.subscription = s;
            stop = own.retired || closed;
          } finally {
            lock.unlock();
          }
          if (stop) s.unsubscribe(); // joined the feed, or the client left, meanwhile
        });
  }

  /**
   * The executor of the lanes' own subscriptions. It holds their first deliveries back until {@link
   * #open}, so each channel's starting position (written in the {@code connected} frame) is exactly
   * where its subscription starts, and nothing is queued ahead of the response head.
   */
  private Executor deliveries() {
    return task -> {
      lock.lock();
      try {
        if (heldDeliveries != null) {
          heldDeliveries.add(task);
          return;
        }
      } finally {
        lock.unlock();
      }
      deliveryExecutor.execute(task);
    };
  }

  /** An entry from a lane's own subscription, in log order, on its delivery thread. */
  private void onEntry(Own own, LogEntry entry) {
    if (events == null || events.contains(entry.event())) {
      int size = SseFrames.event(entry).length;
      if (!enqueue(new Pending(own.lane.index, entry), size, true, own)) return;
    } else if (isRetired(own)) {
      return;
    }
    if (own.lane.feed.tryJoin(own.lane, entry.id())) retire(own);
  }

  private boolean isRetired(Own own) {
    lock.lock();
    try {
      return own.retired || closed;
    } finally {
      lock.unlock();
    }
  }

  private void onGap(Own own, Gap gap) {
    byte[] frame = SseFrames.gap(gap.channel(), gap.afterId(), gap.firstAvailableId());
    String moved =
        gap.firstAvailableId() == null
            ? null
            : EntryId.parse(gap.firstAvailableId()).predecessor().toString();
    enqueue(new Moved(own.lane.index, moved, frame), frame.length, true, own);
  }

  /**
   * A lane's own subscription ended (after its last delivery). The server ends it with {@code
   * UNSUBSCRIBED} (the lane joined its feed, or the stream closed); any other end means nothing
   * more will come, so the stream ends, with a reconnect frame after what was delivered.
   */
  private void ownEnded(SubscriptionEnd why) {
    if (why != SubscriptionEnd.UNSUBSCRIBED) reconnect();
  }

  /**
   * The lane joined its feed: its own subscription stops, and what it still delivers is dropped.
   */
  private void retire(Own own) {
    Subscription s;
    lock.lock();
    try {
      own.retired = true;
      if (own.lane.own == own) own.lane.own = null;
      s = own.subscription;
    } finally {
      lock.unlock();
    }
    if (s != null) s.unsubscribe();
  }

  /**
   * Queues a frame for the event loop; false when the stream is closed (or just got closed), or
   * when {@code own} was retired.
   */
  private boolean enqueue(Object item, int size, boolean mayWait, Own own) {
    boolean schedule;
    lock.lock();
    try {
      if (mayWait && !closed && (own == null || !own.retired) && backedUp()) awaitWritable();
      if (closed || (own != null && own.retired)) {
        release(item);
        return false;
      }
      queue.add(item);
      queuedBytes += size;
      // The bound holds for what was queued before this frame, so one frame larger than the
      // bound still goes out (alone).
      if (queuedBytes - size > channel.bytesBeforeUnwritable() + maxBufferedBytes / 2) {
        lock.unlock();
        try {
          dropSlowConsumer(queuedBytes + " bytes waiting");
        } finally {
          lock.lock();
        }
        return false;
      }
      schedule = opened && !drainScheduled;
      if (schedule) drainScheduled = true;
    } finally {
      lock.unlock();
    }
    if (schedule) channel.eventLoop().execute(this::drain);
    return true;
  }

  /** Parks the delivering thread until the socket drains; the cursor waits in the log meanwhile. */
  private void awaitWritable() {
    long deadlineNanos = System.nanoTime() + SLOW_CONSUMER_WAIT_NANOS;
    try {
      while (!closed && backedUp()) {
        // A client that reads, however slowly, keeps its stream: Netty's side moves only once the
        // kernel's send buffer has room again, which Linux says after megabytes have drained.
        long took = lastTookNanos();
        if (took != 0) deadlineNanos = Math.max(deadlineNanos, took + SLOW_CONSUMER_WAIT_NANOS);
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          lock.unlock();
          try {
            dropSlowConsumer("nothing read for " + SLOW_CONSUMER_WAIT_MS + " ms");
          } finally {
            lock.lock();
          }
          return;
        }
        writable.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * When the kernel last sent the client new data ({@link System#nanoTime()}), which it does only
   * as the client reads: 0 where the transport does not say (NIO), or the connection is gone.
   */
  private long lastTookNanos() {
    if (!(channel instanceof EpollSocketChannel socket) || !socket.isActive()) return 0;
    try {
      return System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(socket.tcpInfo().lastDataSent());
    } catch (RuntimeException closedMeanwhile) {
      return 0;
    }
  }

  /**
   * Whether this stream's backlog (queued here plus buffered in Netty) reached the socket's high
   * water mark, half the bound: the delivering thread then waits for the client to read.
   */
  private boolean backedUp() {
    return !channel.isWritable() || queuedBytes >= channel.bytesBeforeUnwritable();
  }

  /** The socket drained below its low-water mark (event loop). */
  public void writabilityChanged() {
    if (!channel.isWritable()) return;
    lock.lock();
    try {
      writable.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Every channel has started: writes the response head and the {@code connected} frames (the last
   * one carrying every channel's starting position as its id), joins live channels to their feeds
   * and lets the others' deliveries begin. Runs on the event loop.
   */
  void open(HttpResponse head, long heartbeatMs, long maxDurationMs) {
    if (closed) return;
    for (Lane lane : lanes) {
      Own own;
      lock.lock();
      try {
        own = lane.own;
      } finally {
        lock.unlock();
      }
      positions.set(
          lane.index, own == null ? lane.feed.joinNow(lane) : own.subscription.position());
    }
    List<Runnable> held;
    lock.lock();
    try {
      if (closed) return;
      opened = true;
      drainScheduled = true;
      held = heldDeliveries;
      heldDeliveries = null;
    } finally {
      lock.unlock();
    }
    metrics.streamOpened(channels.size());
    channel.write(head, channel.voidPromise());
    HttpPipeline.streamOnly(channel);
    if (!HttpUtil.isTransferEncodingChunked(head)) channel.pipeline().addFirst(new Unchunked());
    String idLine = StreamRequest.encode(channels, positions.toArray(), single);
    for (int i = 0; i < channels.size(); i++) {
      byte[] frame =
          SseFrames.connected(
              channels.get(i),
              positions.get(i),
              i == channels.size() - 1 ? idLine : null,
              Math.max(0, heartbeatMs));
      channel.write(SseFrames.chunk(frame), channel.voidPromise());
    }
    held.forEach(deliveryExecutor::execute);
    if (heartbeatMs > 0) {
      heartbeat =
          channel
              .eventLoop()
              .scheduleAtFixedRate(
                  () -> enqueue(PING, SseFrames.ping(0).length, false, null),
                  heartbeatMs,
                  heartbeatMs,
                  TimeUnit.MILLISECONDS);
    }
    if (maxDurationMs > 0) {
      deadline =
          channel.eventLoop().schedule(this::reconnect, maxDurationMs, TimeUnit.MILLISECONDS);
    }
    if (closed) cancelTimers(); // closed while the timers were being set up
    drain();
  }

  private void cancelTimers() {
    if (heartbeat != null) heartbeat.cancel(false);
    if (deadline != null) deadline.cancel(false);
  }

  /**
   * The feed's entry for a live lane (event loop): written unless the stream is gone, the event is
   * filtered out, or the socket is backed up; then the lane leaves the feed and follows its own
   * subscription from its last written entry.
   */
  Outcome writeLive(Lane lane, LogEntry entry, ByteBuf sharedFrame) {
    if (closed || !channel.isActive()) return Outcome.LEFT;
    // Frames queued before (the lane's own last entries, other lanes', heartbeats) go first, and
    // move the positions a detach resumes from.
    if (drainScheduled) drain();
    if (!channel.isWritable()) {
      detach(lane);
      return Outcome.LEFT;
    }
    positions.set(lane.index, entry.id());
    if (events != null && !events.contains(entry.event())) {
      idBehind = true;
      return Outcome.FILTERED;
    }
    ByteBuf frame = single ? sharedFrame.retainedDuplicate() : multiChannelFrame(entry);
    channel.write(frame, channel.voidPromise());
    idBehind = false;
    return Outcome.WRITTEN;
  }

  /** A gap in the feed, for a live lane (event loop). */
  void writeGap(Lane lane, byte[] frame, String movedTo) {
    if (closed || !channel.isActive()) return;
    if (drainScheduled) drain();
    if (movedTo != null) {
      positions.set(lane.index, movedTo);
      idBehind = true;
    }
    channel.writeAndFlush(chunkWithIdIfBehind(frame), channel.voidPromise());
  }

  /** Sends what {@link #writeLive} wrote (event loop). */
  void flushLive() {
    channel.flush();
  }

  /**
   * The feed sheds a lane it can no longer keep up with (event loop): what is queued goes out, then
   * the lane follows its own subscription from there.
   */
  void shed(Lane lane) {
    if (closed || !channel.isActive()) return;
    if (drainScheduled) drain();
    detach(lane);
  }

  /**
   * A live lane whose socket backed up: it follows its own subscription again from its last written
   * entry (event loop; the stream's queue was drained first, so that is exact).
   */
  private void detach(Lane lane) {
    if (closed) return;
    metrics.lagged();
    follow(lane, new StreamStart(positions.get(lane.index), null, 0))
        .whenComplete(
            (s, error) -> {
              if (error != null) {
                log.warn(
                    "stream of channel '{}' could not resume its own subscription: {}",
                    channels.get(lane.index),
                    error.toString());
                end(SseFrames.error("the stream could not continue; reconnect to resume"));
              }
            });
  }

  /** Writes everything queued and flushes once (event loop). */
  private void drain() {
    ArrayDeque<Object> batch;
    lock.lock();
    try {
      batch = queue;
      queue = new ArrayDeque<>();
      queuedBytes = 0;
      drainScheduled = false;
      writable.signalAll(); // the queue moved into Netty's buffer
    } finally {
      lock.unlock();
    }
    if (!channel.isActive()) {
      batch.forEach(SseStream::release);
      return;
    }
    for (Object item : batch) channel.write(frameOf(item), channel.voidPromise());
    channel.flush();
  }

  /** The heartbeat's place in the queue: framed when written, with the positions of then. */
  private static final Object PING = new Object();

  /**
   * {@code frame} as a chunk, with an id line first when the positions moved past the last one the
   * client got (event loop): an EventSource takes the id of any frame, so its Last-Event-ID catches
   * up.
   */
  private ByteBuf chunkWithIdIfBehind(byte[] frame) {
    byte[] id = idBehind ? idLine() : null;
    idBehind = false;
    return SseFrames.chunk(frame, 0, frame.length, id);
  }

  /** This stream's id line: every channel's position. */
  private byte[] idLine() {
    return ("id: " + StreamRequest.encode(channels, positions.toArray(), single) + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private ByteBuf frameOf(Object item) {
    if (item instanceof ByteBuf b) return b;
    if (item == PING) return chunkWithIdIfBehind(SseFrames.ping(System.currentTimeMillis()));
    if (item instanceof Moved m) {
      if (m.position() != null) {
        positions.set(m.channelIndex(), m.position());
        idBehind = true;
      }
      return chunkWithIdIfBehind(m.frame());
    }
    Pending p = (Pending) item;
    // Counted when written, not when queued; its latency only if it was emitted while this
    // stream was open (a replay's would say how old the history was).
    if (p.entry().id().ms() >= openedAtMillis) metrics.delivered(p.entry().id().ms());
    else metrics.deliveredFromHistory();
    positions.set(p.channelIndex(), p.entry().id());
    idBehind = false; // its frame's id line has every position
    return single ? SseFrames.chunk(SseFrames.event(p.entry())) : multiChannelFrame(p.entry());
  }

  /** The entry's frame with this stream's own id line (every channel's position). */
  private ByteBuf multiChannelFrame(LogEntry entry) {
    byte[] frame = SseFrames.event(entry);
    int offset = SseFrames.dataOffset(entry);
    return SseFrames.chunk(frame, offset, frame.length - offset, idLine());
  }

  /**
   * Ends the stream with a {@code reconnect} frame after what is queued: its client comes back and
   * resumes from there. Any thread.
   */
  void reconnect() {
    end(SseFrames.reconnect(System.currentTimeMillis()));
  }

  /**
   * Sends a last frame (a reconnect request, say), then ends the response and the connection; once,
   * whoever asks first (a stream that already closed or ended sends nothing more).
   */
  public void end(byte[] lastFrame) {
    executeOnLoop(
        () -> {
          boolean wasOpen;
          lock.lock();
          try {
            wasOpen = opened;
          } finally {
            lock.unlock();
          }
          drain();
          if (!close() || !channel.isActive()) return;
          if (!wasOpen) {
            channel.close();
            return;
          }
          writeLastFrame(lastFrame);
        });
  }

  /**
   * Writes {@code lastFrame} after what the socket still holds, ends the response, and closes the
   * connection once the client took it all (event loop, stream closed). A client that does not read
   * never lets that write complete, and with the stream closed nothing else watches it any more: it
   * gets as long as a slow consumer would, then the connection closes anyway.
   */
  private void writeLastFrame(byte[] lastFrame) {
    channel.write(chunkWithIdIfBehind(lastFrame), channel.voidPromise());
    channel.writeAndFlush(SseFrames.lastChunk()).addListener(ChannelFutureListener.CLOSE);
    if (channel.isOpen()) {
      channel
          .eventLoop()
          .schedule(
              () -> {
                if (channel.isOpen()) channel.close();
              },
              SLOW_CONSUMER_WAIT_MS,
              TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Runs {@code task} on the stream's event loop; once that loop is gone, just closes the stream.
   */
  private void executeOnLoop(Runnable task) {
    try {
      channel.eventLoop().execute(task);
    } catch (RejectedExecutionException e) {
      close(); // the server stopped: its connections are gone with their loops
    }
  }

  private void dropSlowConsumer(String why) {
    if (!close()) return;
    metrics.slowConsumerDropped();
    String reason =
        "slow consumer: "
            + why
            + " (the bound is "
            + maxBufferedBytes
            + " bytes); reconnect with Last-Event-ID to resume";
    channel
        .eventLoop()
        .execute(
            () -> {
              // The socket is backed up: the reason goes after what it holds (what was queued
              // here is dropped), for a client that reads again within the wait.
              if (channel.isActive()) writeLastFrame(SseFrames.error(reason));
            });
  }

  /**
   * Ends the lanes (their own subscriptions, their places in the feeds) and drops what is queued;
   * idempotent. Called when the client goes away, too. Returns whether this call closed it.
   */
  boolean close() {
    ArrayDeque<Object> dropped;
    boolean wasOpen;
    List<Subscription> owned = new ArrayList<>();
    lock.lock();
    try {
      if (closed) return false;
      closed = true;
      wasOpen = opened;
      dropped = queue;
      queue = new ArrayDeque<>();
      for (Lane lane : lanes) {
        if (lane.own != null && lane.own.subscription != null) {
          owned.add(lane.own.subscription);
        }
      }
      writable.signalAll();
    } finally {
      lock.unlock();
    }
    dropped.forEach(SseStream::release);
    if (wasOpen) metrics.streamClosed(channels.size());
    cancelTimers();
    owned.forEach(Subscription::unsubscribe);
    for (Lane lane : lanes) {
      try {
        lane.feed.leave(lane);
      } finally {
        feeds.release(lane.feed);
      }
    }
    return true;
  }

  boolean isClosed() {
    return closed;
  }

  private static void release(Object item) {
    if (item instanceof ByteBuf b) b.release();
  }
}
