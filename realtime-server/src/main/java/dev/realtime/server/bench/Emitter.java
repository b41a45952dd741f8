package dev.realtime.server.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Emits events through the HTTP API on an open-loop schedule: event {@code i} is due {@code i / R}
 * seconds after the start, goes to channel {@code i % K} with sequence number {@code i / K}, and
 * carries {@code {"seq":N,"t":MICROS,"pad":"x..."}} where {@code t} is when its request was written
 * ({@link EpochMicros}). A late request is sent late, not skipped, and how late is recorded. Runs
 * on its own event-loop thread with a few keep-alive connections; see {@link EmitConnection} for
 * why a channel always uses the same one.
 */
public final class Emitter implements AutoCloseable {
  public static final String EVENT = "bench";

  /**
   * How long after the last event was due its answer is waited for. An overloaded server answers
   * emits many seconds late; an event without an answer may or may not have been stored, which
   * blurs what the connections are owed, so the wait is long.
   */
  public static final long ANSWER_WAIT_SECONDS = 120;

  /** The pacer wakes at most this often; at higher rates one wake-up sends several events. */
  private static final long MIN_TICK_NANOS = 100_000;

  private final EventLoopGroup group;
  private final EventLoop loop;
  private final EmitConnection[] connections;
  private final String[] paths;
  private final String hostHeader;
  private final String padding;
  private final int payloadBytes;

  // Event loop only:
  private long start;
  private long total;
  private long warmupEvents;
  private double nanosPerEvent;
  private long scheduled;
  private long answered;
  private long emits;
  private long errors;
  private String firstError;
  private long[] perChannel;
  private LatencyHistogram lag;
  private CompletableFuture<Void> done;

  /** Opens {@code connections} keep-alive connections to {@code server} ({@code http://h:p}). */
  public Emitter(URI server, String basePath, String[] channels, int connections, int payloadBytes)
      throws InterruptedException {
    NettyTransport transport = NettyTransport.detect();
    this.group = transport.oneThread("bench-emitter");
    this.loop = group.next();
    int port = server.getPort() > 0 ? server.getPort() : 80;
    this.hostHeader = server.getHost() + ":" + port;
    this.paths = new String[channels.length];
    for (int k = 0; k < channels.length; k++) {
      paths[k] = basePath + "/channels/" + channels[k] + "/events";
    }
    this.payloadBytes = payloadBytes;
    this.padding = "x".repeat(payloadBytes);
    this.connections = new EmitConnection[Math.min(connections, channels.length)];
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(transport.channel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
    InetSocketAddress address = new InetSocketAddress(server.getHost(), port);
    try {
      for (int i = 0; i < this.connections.length; i++) {
        EmitConnection c = new EmitConnection(this);
        this.connections[i] = c;
        c.channel =
            b.clone()
                .handler(
                    new ChannelInitializer<Channel>() {
                      @Override
                      protected void initChannel(Channel ch) {
                        ch.pipeline()
                            .addLast(new HttpClientCodec())
                            .addLast(new HttpObjectAggregator(1 << 16))
                            .addLast(c);
                      }
                    })
                .connect(address)
                .sync()
                .channel();
      }
    } catch (RuntimeException | InterruptedException e) {
      close();
      throw e;
    }
  }

  /**
   * Emits {@code rate} events a second for {@code warmup} plus {@code duration} and waits for their
   * answers (at most {@link #ANSWER_WAIT_SECONDS} more). The lag of the warm-up's events is not
   * recorded.
   */
  public EmitReport run(int rate, Duration warmup, Duration duration) throws InterruptedException {
    CompletableFuture<Void> finished = new CompletableFuture<>();
    long startMicros = EpochMicros.now() + 1_000;
    loop.execute(
        () -> {
          start = System.nanoTime() + 1_000_000;
          warmupEvents = rate * warmup.toSeconds();
          total = warmupEvents + rate * duration.toSeconds();
          nanosPerEvent = 1e9 / rate;
          perChannel = new long[paths.length];
          lag = new LatencyHistogram();
          done = finished;
          tick();
        });
    try {
      finished.get(
          warmup.toSeconds() + duration.toSeconds() + ANSWER_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      // reported as unanswered
    }
    try {
      return loop.submit(
              () ->
                  new EmitReport(
                      emits,
                      errors,
                      total - answered,
                      firstError,
                      perChannel.clone(),
                      startMicros,
                      lag))
          .get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the emitter's event loop did not answer", e);
    }
  }

  private long due(long event) {
    return start + (long) (event * nanosPerEvent);
  }

  private void tick() {
    long now = System.nanoTime();
    long dueCount = now < start ? 0 : Math.min(total, (long) ((now - start) / nanosPerEvent) + 1);
    while (scheduled < dueCount) {
      long event = scheduled++;
      connections[(int) (event % paths.length % connections.length)].enqueue(event);
    }
    if (scheduled < total) {
      long wait = Math.max(MIN_TICK_NANOS, due(scheduled) - System.nanoTime());
      loop.schedule(this::tick, wait, TimeUnit.NANOSECONDS);
    }
    checkDone();
  }

  /** The request of event {@code event}, stamped now. */
  FullHttpRequest request(long event) {
    int k = (int) (event % paths.length);
    long seq = event / paths.length;
    if (event >= warmupEvents) lag.record((System.nanoTime() - due(event)) / 1_000);
    long t = EpochMicros.now();
    String head = "{\"seq\":" + seq + ",\"t\":" + t + ",\"pad\":\"";
    int pad = Math.max(0, payloadBytes - head.length() - 2);
    String body =
        "{\"event\":\"" + EVENT + "\",\"data\":" + head + padding.substring(0, pad) + "\"}}";
    ByteBuf content = connections[0].channel.alloc().buffer(body.length());
    content.writeCharSequence(body, StandardCharsets.US_ASCII);
    FullHttpRequest r =
        new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, paths[k], content);
    r.headers()
        .set(HttpHeaderNames.HOST, hostHeader)
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    return r;
  }

  void succeeded(long event) {
    answered++;
    emits++;
    perChannel[(int) (event % paths.length)]++;
    checkDone();
  }

  void failed(long event, String why) {
    answered++;
    errors++;
    if (firstError == null) firstError = "event " + event + ": " + why;
    checkDone();
  }

  private void checkDone() {
    if (done != null && scheduled == total && answered == total) done.complete(null);
  }

  @Override
  public void close() {
    for (EmitConnection c : connections) {
      if (c != null && c.channel != null) c.channel.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
