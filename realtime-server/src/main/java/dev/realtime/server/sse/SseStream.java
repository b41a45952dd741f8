package dev.realtime.server.sse;

import dev.realtime.Gap;
import dev.realtime.Subscription;
import dev.realtime.server.metrics.ServerMetrics;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One browser's event stream: the subscriptions of its channels feed one outbound queue that the
 * connection's event loop writes and flushes in batches.
 *
 * <p>Each subscription delivers on its own (virtual) thread; {@link #onEntry} only queues the
 * entry's shared frame bytes. When the socket backs up, the delivering thread waits (the cursor
 * lags in the log, using no memory here); a client that has not drained for {@link
 * #SLOW_CONSUMER_WAIT_MS} or whose backlog passes the configured bound is closed with a reason, so
 * one slow reader never delays others nor grows memory.
 *
 * <p>SSE ids: a one-channel stream's id is the entry's id (the same bytes for every connection); a
 * multi-channel stream's id carries every channel's position (see {@link StreamRequest}), so {@code
 * Last-Event-ID} alone resumes the whole stream exactly once.
 */
public final class SseStream {
  static final long SLOW_CONSUMER_WAIT_MS = 5_000;

  /** The stream a connection carries, if it carries one. */
  public static final AttributeKey<SseStream> OF_CHANNEL = AttributeKey.valueOf("realtime.stream");

  private final Channel channel;
  private final List<String> channels;
  private final String[] positions; // event-loop only, after open()
  private final Subscription[] subscriptions;
  private final ServerMetrics metrics;
  private final int maxBufferedBytes;
  private final boolean single;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition writable = lock.newCondition();
  private ArrayDeque<Object> queue = new ArrayDeque<>(); // ByteBuf, or Pending in multi-channel
  private long queuedBytes;
  private boolean opened;
  private boolean drainScheduled;
  private boolean closed;
  private List<Runnable> heldDeliveries = new ArrayList<>(); // until open(); then null
  private final Executor deliveryExecutor;
  private ScheduledFuture<?> heartbeat;
  private ScheduledFuture<?> deadline;

  /** An event of a multi-channel stream, whose id line is written at drain time. */
  private record Pending(int channelIndex, LogEntry entry) {}

  /** A control frame that moves a channel's position (a gap skipped ahead). */
  private record Moved(int channelIndex, String position, ByteBuf frame) {}

  SseStream(
      Channel channel,
      List<String> channels,
      ServerMetrics metrics,
      int maxBufferedBytes,
      Executor deliveryExecutor) {
    this.deliveryExecutor = deliveryExecutor;
    this.channel = channel;
    this.channels = channels;
    this.positions = new String[channels.size()];
    this.subscriptions = new Subscription[channels.size()];
    this.metrics = metrics;
    this.maxBufferedBytes = maxBufferedBytes;
    this.single = channels.size() == 1;
    channel.attr(OF_CHANNEL).set(this);
  }

  Channel channel() {
    return channel;
  }

  List<String> channels() {
    return channels;
  }

  /**
   * The executor of this stream's subscriptions. It holds their first deliveries back until {@link
   * #open}, so each channel's starting position (written in the {@code connected} frame) is exactly
   * where its subscription starts, and nothing is queued ahead of the response head.
   */
  Executor deliveries() {
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

  void subscribed(int index, Subscription subscription) {
    lock.lock();
    try {
      subscriptions[index] = subscription;
      if (!closed) return;
    } finally {
      lock.unlock();
    }
    subscription.unsubscribe(); // the client left while it was starting
  }

  /** Called by channel {@code index}'s subscription, in log order, on its delivery thread. */
  void onEntry(int index, LogEntry entry) {
    byte[] frame = SseFrames.event(entry);
    Object item = single ? Unpooled.wrappedBuffer(frame) : new Pending(index, entry);
    int size = frame.length;
    if (!enqueue(item, size, true)) return;
    metrics.delivered(entry.id().ms());
  }

  void onGap(int index, Gap gap) {
    ByteBuf frame =
        Unpooled.wrappedBuffer(SseFrames.gap(gap.channel(), gap.afterId(), gap.firstAvailableId()));
    String moved =
        gap.firstAvailableId() == null
            ? null
            : EntryId.parse(gap.firstAvailableId()).predecessor().toString();
    enqueue(new Moved(index, moved, frame), frame.readableBytes(), true);
  }

  /** Queues a frame for the event loop; false when the stream is closed (or just got closed). */
  private boolean enqueue(Object item, int size, boolean mayWait) {
    boolean schedule;
    lock.lock();
    try {
      if (mayWait && !closed && backedUp()) awaitWritable();
      if (closed) {
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
    long deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SLOW_CONSUMER_WAIT_MS);
    try {
      while (!closed && backedUp()) {
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
   * Every subscription has started: writes the response head and the {@code connected} frames (the
   * last one carrying every channel's starting position as its id), then lets deliveries begin.
   * Runs on the event loop.
   */
  void open(HttpResponse head, long heartbeatMs, long maxDurationMs) {
    List<Runnable> held;
    lock.lock();
    try {
      if (closed) return;
      for (int i = 0; i < positions.length; i++) positions[i] = subscriptions[i].position();
      opened = true;
      drainScheduled = true;
      held = heldDeliveries;
      heldDeliveries = null;
    } finally {
      lock.unlock();
    }
    held.forEach(deliveryExecutor::execute);
    metrics.streamOpened(channels.size());
    channel.write(head, channel.voidPromise());
    String idLine = StreamRequest.encode(channels, positions);
    for (int i = 0; i < channels.size(); i++) {
      byte[] frame = SseFrames.connected(channels.get(i), i == channels.size() - 1 ? idLine : null);
      channel.write(Unpooled.wrappedBuffer(frame), channel.voidPromise());
    }
    if (heartbeatMs > 0) {
      heartbeat =
          channel
              .eventLoop()
              .scheduleAtFixedRate(
                  () -> enqueue(Unpooled.wrappedBuffer(SseFrames.ping()), 8, false),
                  heartbeatMs,
                  heartbeatMs,
                  TimeUnit.MILLISECONDS);
    }
    if (maxDurationMs > 0) {
      deadline =
          channel
              .eventLoop()
              .schedule(
                  () -> end(SseFrames.reconnect(System.currentTimeMillis())),
                  maxDurationMs,
                  TimeUnit.MILLISECONDS);
    }
    if (isClosed()) cancelTimers(); // closed while the timers were being set up
    drain();
  }

  private void cancelTimers() {
    if (heartbeat != null) heartbeat.cancel(false);
    if (deadline != null) deadline.cancel(false);
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

  private ByteBuf frameOf(Object item) {
    if (item instanceof ByteBuf b) return b;
    if (item instanceof Moved m) {
      if (m.position() != null) positions[m.channelIndex()] = m.position();
      return m.frame();
    }
    Pending p = (Pending) item;
    positions[p.channelIndex()] = p.entry().idText();
    byte[] frame = SseFrames.event(p.entry());
    int offset = SseFrames.dataOffset(p.entry());
    byte[] idLine =
        ("id: " + StreamRequest.encode(channels, positions) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    return Unpooled.wrappedBuffer(
        Unpooled.wrappedBuffer(idLine),
        Unpooled.wrappedBuffer(frame, offset, frame.length - offset));
  }

  /** Sends a last frame (a reconnect request, say), then ends the response and the connection. */
  public void end(byte[] lastFrame) {
    channel
        .eventLoop()
        .execute(
            () -> {
              drain();
              close();
              if (!channel.isActive()) return;
              channel.write(Unpooled.wrappedBuffer(lastFrame), channel.voidPromise());
              channel
                  .writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                  .addListener(ChannelFutureListener.CLOSE);
            });
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
              // The socket is backed up: the reason goes after what is queued, then the connection
              // closes whether or not the client reads it.
              channel.writeAndFlush(Unpooled.wrappedBuffer(SseFrames.error(reason)));
              channel.close();
            });
  }

  /**
   * Ends the subscriptions and drops what is queued; idempotent. Called when the client goes away,
   * too. Returns whether this call closed it.
   */
  boolean close() {
    ArrayDeque<Object> dropped;
    boolean wasOpen;
    lock.lock();
    try {
      if (closed) return false;
      closed = true;
      wasOpen = opened;
      dropped = queue;
      queue = new ArrayDeque<>();
      writable.signalAll();
    } finally {
      lock.unlock();
    }
    dropped.forEach(SseStream::release);
    if (wasOpen) metrics.streamClosed(channels.size());
    cancelTimers();
    for (Subscription s : subscriptions) {
      if (s != null) s.unsubscribe();
    }
    return true;
  }

  boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  private static void release(Object item) {
    if (item instanceof ByteBuf b) b.release();
    else if (item instanceof Moved m) m.frame().release();
  }
}
