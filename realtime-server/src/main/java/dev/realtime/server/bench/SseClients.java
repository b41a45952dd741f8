package dev.realtime.server.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpClientCodec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The SSE connections this process holds, all on one event-loop thread: connection {@code i} of the
 * run (from {@code first} to {@code first + count - 1}) streams channel {@code i % channels}, so
 * the connections spread round-robin over the channels whichever process holds them. Counters and
 * the latency histogram belong to the event loop; other threads read them through it.
 */
public final class SseClients implements ClientGroup {
  /**
   * Connects started but not yet answered, at most: the server's accept backlog is 4,096, and a
   * burst past it is retried by the kernel after a second, which would only slow the connect down.
   */
  static final int MAX_CONNECTING = 256;

  private final EventLoopGroup group;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final InetSocketAddress address;
  private final String hostHeader;
  private final String[] uris; // the stream of each channel
  private final SseClientConnection[] connections;
  private final int first;
  private final long warmupEvents;
  private final CountDownLatch settled;

  // Event loop only:
  private final LatencyHistogram latency = new LatencyHistogram();
  private int started;
  private int connecting;
  private long deliveries;
  private long distinct;
  private long disconnected, gapFrames, errorFrames, reconnectFrames, otherFrames, unparsable;
  private long lastReceiveMicros;
  private boolean closing;
  private long[] due; // once finishing: the events each channel's connections are owed
  private int owed; // connections still owed events, once finishing

  // Written on the event loop, read by the waiting thread:
  private volatile int held;
  private volatile int failed;
  private volatile String firstError;

  /**
   * Starts connecting {@code count} streams to {@code server} (its root, {@code http://host:port})
   * at once. The latency of the first {@code warmupEvents} events of the run (event {@code i} is
   * sequence number {@code i / channels} of channel {@code i % channels}) is not recorded.
   */
  public SseClients(
      URI server, String basePath, String[] channels, int first, int count, long warmupEvents) {
    NettyTransport transport = NettyTransport.detect();
    this.group = transport.oneThread("bench-sse-client");
    this.loop = group.next();
    int port = server.getPort() > 0 ? server.getPort() : 80;
    this.address = new InetSocketAddress(server.getHost(), port);
    this.hostHeader = server.getHost() + ":" + port;
    this.uris = new String[channels.length];
    for (int k = 0; k < channels.length; k++) uris[k] = basePath + "?channel=" + channels[k];
    this.connections = new SseClientConnection[count];
    this.first = first;
    this.warmupEvents = warmupEvents;
    this.settled = new CountDownLatch(count);
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(transport.channel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
    loop.execute(this::connectMore);
  }

  String hostHeader() {
    return hostHeader;
  }

  private void connectMore() {
    while (connecting < MAX_CONNECTING && started < connections.length && !closing) {
      int i = started++;
      connecting++;
      int k = (first + i) % uris.length;
      SseClientConnection c = new SseClientConnection(this, k, uris[k]);
      connections[i] = c;
      bootstrap
          .clone()
          .handler(
              new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                  c.channel = ch;
                  ch.pipeline().addLast(new HttpClientCodec(4096, 8192, 8192), c);
                }
              })
          .connect(address)
          .addListener(
              f -> {
                if (!f.isSuccess()) failed(c, "connect: " + f.cause());
              });
    }
  }

  void opened(SseClientConnection c) {
    if (c.settled) return;
    c.settled = true;
    connecting--;
    held++;
    settled.countDown();
    connectMore();
  }

  void failed(SseClientConnection c, String why) {
    if (c.settled) return;
    c.settled = true;
    connecting--;
    if (firstError == null) firstError = why;
    failed++;
    settled.countDown();
    connectMore();
  }

  /** The server ended a held stream (or the connection broke). */
  void ended(SseClientConnection c) {
    if (!c.open || c.ended || closing) return;
    c.ended = true;
    disconnected++;
  }

  void delivered(SseClientConnection c, long seq, long sentMicros, long nowMicros) {
    deliveries++;
    if (c.sequence.accept(seq)) {
      distinct++;
      if (due != null && c.sequence.received() == due[c.channelIndex]) owed--;
    }
    if (seq * uris.length + c.channelIndex >= warmupEvents) latency.record(nowMicros - sentMicros);
    lastReceiveMicros = nowMicros;
  }

  void gapFrame() {
    gapFrames++;
  }

  void errorFrame() {
    errorFrames++;
  }

  void reconnectFrame() {
    reconnectFrames++;
  }

  void otherFrame() {
    otherFrames++;
  }

  void unparsable() {
    unparsable++;
  }

  @Override
  public Connected awaitConnected(Duration timeout) throws InterruptedException {
    boolean all = settled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    int h = held;
    int errors = connections.length - h;
    String why = firstError;
    if (!all && why == null) {
      why = (connections.length - h - failed) + " connections not connected after " + timeout;
    }
    return new Connected(h, errors, why);
  }

  @Override
  public CompletableFuture<ClientReport> finish(long[] emittedPerChannel, Duration drainIdle) {
    CompletableFuture<ClientReport> report = new CompletableFuture<>();
    Thread.ofPlatform()
        .daemon()
        .name("bench-sse-drain")
        .start(
            () -> {
              try {
                boolean drained = drain(emittedPerChannel, drainIdle);
                report.complete(onLoop(() -> report(emittedPerChannel, drained)));
              } catch (Throwable t) {
                report.completeExceptionally(t);
              }
            });
    return report;
  }

  /**
   * Waits until every connection has received as many events as its channel was emitted (true), or
   * nothing arrived for {@code idle} (false).
   */
  private boolean drain(long[] emitted, Duration idle) throws Exception {
    onLoop(
        () -> {
          due = emitted;
          owed = 0;
          for (SseClientConnection c : connections) {
            if (c != null && c.open && c.sequence.received() < emitted[c.channelIndex]) owed++;
          }
          return null;
        });
    long seen = -1;
    long lastProgress = System.nanoTime();
    for (; ; ) {
      long[] now = onLoop(() -> new long[] {owed, deliveries});
      if (now[0] == 0) return true;
      if (now[1] != seen) {
        seen = now[1];
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > idle.toNanos()) {
        return false;
      }
      Thread.sleep(20);
    }
  }

  private long expected(long[] emitted) {
    long due = 0;
    for (SseClientConnection c : connections) {
      if (c != null && c.open) due += emitted[c.channelIndex];
    }
    return due;
  }

  private ClientReport report(long[] emitted, boolean drained) {
    long missing = 0, duplicates = 0, outOfOrder = 0;
    int withLoss = 0, untracked = 0;
    for (SseClientConnection c : connections) {
      if (c == null || !c.open) continue;
      SequenceCheck s = c.sequence;
      long m = s.missing(emitted[c.channelIndex]);
      missing += m;
      duplicates += s.duplicates();
      outOfOrder += s.outOfOrder();
      if (m + s.duplicates() + s.outOfOrder() > 0) withLoss++;
      if (s.lost()) untracked++;
    }
    int h = held;
    return new ClientReport(
        h,
        connections.length - h,
        firstError,
        deliveries,
        expected(emitted),
        missing,
        duplicates,
        outOfOrder,
        withLoss,
        untracked,
        disconnected,
        gapFrames,
        errorFrames,
        reconnectFrames,
        otherFrames,
        unparsable,
        drained,
        lastReceiveMicros,
        latency.toPairs(),
        latency.max());
  }

  private <T> T onLoop(java.util.concurrent.Callable<T> task) throws Exception {
    try {
      return loop.submit(task).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    }
  }

  @Override
  public void close() {
    loop.execute(
        () -> {
          closing = true;
          for (SseClientConnection c : connections) {
            if (c != null && c.channel != null) c.channel.close();
          }
        });
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
