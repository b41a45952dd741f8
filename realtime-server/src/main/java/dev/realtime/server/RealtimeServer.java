package dev.realtime.server;

import dev.realtime.Realtime;
import dev.realtime.server.api.EmitEndpoint;
import dev.realtime.server.api.HealthEndpoint;
import dev.realtime.server.api.HistoryEndpoint;
import dev.realtime.server.api.StatsEndpoint;
import dev.realtime.server.auth.Authorizer;
import dev.realtime.server.auth.Gatekeeper;
import dev.realtime.server.demo.DemoJobs;
import dev.realtime.server.http.Cors;
import dev.realtime.server.http.EventLoops;
import dev.realtime.server.http.HttpPipeline;
import dev.realtime.server.http.Responses;
import dev.realtime.server.http.Router;
import dev.realtime.server.metrics.ServerMetrics;
import dev.realtime.server.pages.StaticFiles;
import dev.realtime.server.sse.SseEndpoint;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP server: Server-Sent Events for browsers, the emit and history API, health, metrics and
 * stats, the browser client ({@code /realtime.js}) and the demo pages, in front of a {@link
 * Realtime}. Embeddable:
 *
 * <pre>{@code
 * RealtimeServer server = RealtimeServer.builder(realtime)
 *     .config(ServerConfig.builder().port(8080).secret(secret).build())
 *     .authorizer(request -> AuthDecision.allow())
 *     .start();
 * }</pre>
 *
 * <p>It adapts the Realtime to HTTP and holds no messaging logic: ordering, resume and gaps are the
 * core's. It does not close the Realtime it was given.
 */
public final class RealtimeServer implements AutoCloseable {
  private final Realtime realtime;
  private final ServerConfig config;
  private final ServerMetrics metrics = new ServerMetrics();
  private final SseEndpoint sse;
  private final DemoJobs jobs; // null when the pages are off
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final HttpPipeline http;
  private final Channel listener;
  private volatile boolean closed;

  private RealtimeServer(Builder b) {
    this.realtime = b.realtime;
    this.config = b.config;
    Gatekeeper gate = new Gatekeeper(config.secret(), b.authorizer, b.authorizerTimeout);
    Responses responses = new Responses(new Cors(config.allowedOrigins()));
    this.sse = new SseEndpoint(realtime, config, gate, metrics);
    this.jobs = config.pages() ? new DemoJobs(realtime, gate, metrics) : null;
    Router router =
        new Router(
            config.basePath(),
            sse,
            new EmitEndpoint(realtime, gate),
            new HistoryEndpoint(realtime, gate),
            new HealthEndpoint(realtime),
            new StatsEndpoint(metrics, sse.channelCounts(), connections::size, gate),
            new StaticFiles(config.pages()),
            jobs,
            responses,
            metrics);
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> serverChannel =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    this.boss = new MultiThreadIoEventLoopGroup(1, io);
    int threads = config.ioThreads();
    if (threads == 0) threads = 2 * Runtime.getRuntime().availableProcessors(); // as Netty would
    this.workers = new EventLoops(threads, io);
    this.http =
        new HttpPipeline(
            router,
            responses,
            metrics,
            config.maxRequestBytes(),
            config.idleTimeout().toMillis(),
            connections);
    try {
      this.listener =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(serverChannel)
              .option(ChannelOption.SO_BACKLOG, 4096)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              // A client that half-closes after its requests gets their answers (OneAtATime).
              .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
              .childOption(
                  ChannelOption.WRITE_BUFFER_WATER_MARK,
                  new WriteBufferWaterMark(
                      config.maxBufferedBytes() / 4, config.maxBufferedBytes() / 2))
              .childHandler(http)
              .bind(config.host(), config.port())
              .syncUninterruptibly()
              .channel();
    } catch (Exception e) { // Netty rethrows the bind's IOException unchecked-style
      boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalStateException(
          "cannot listen on " + config.host() + ":" + config.port() + ": " + whyNotBound(e), e);
    }
  }

  /** Why a bind failed, in words that say what to change. */
  static String whyNotBound(Throwable e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("Address already in use")) {
      return "the address is already in use (another process listens there): choose another"
          + " port";
    }
    if (m.contains("Cannot assign requested address")) {
      return "this machine has no such address: the host must be one of its own addresses, or"
          + " 0.0.0.0 for every interface";
    }
    if (m.contains("Permission denied")) {
      return "permission denied (ports under 1024 need privileges): choose a port of 1024 or more";
    }
    if (e instanceof java.nio.channels.UnresolvedAddressException
        || e instanceof java.net.UnknownHostException) {
      return "the host name does not resolve to an address";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  public static Builder builder(Realtime realtime) {
    return new Builder(realtime);
  }

  /** The port it listens on (the one picked when configured with 0). */
  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /** {@code http://host:port}. */
  public String url() {
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return "http://" + host + ":" + port();
  }

  public ServerConfig config() {
    return config;
  }

  public ServerMetrics metrics() {
    return metrics;
  }

  public Realtime realtime() {
    return realtime;
  }

  /**
   * Graceful shutdown: stops accepting, tells every stream to reconnect, lets every request under
   * way get its answer (with {@code Connection: close}; idle connections close at once), and waits
   * for all of them to go (up to the configured shutdown timeout), then closes every connection.
   * Idempotent. Called on one of the server's own threads (a callback that runs there), where it
   * must not wait, it starts the same shutdown on a thread of its own and returns false at once.
   *
   * @return whether every stream and request ended before the timeout
   */
  public boolean shutdown() {
    if (closed) return true;
    if (onServerThread()) {
      Thread.ofPlatform().name("realtime-server-shutdown").start(this::shutdown);
      return false;
    }
    closed = true;
    listener.close().syncUninterruptibly();
    if (jobs != null) jobs.close();
    long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
    CompletableFuture<Void> streams = sse.shutdown();
    http.drain();
    boolean drained = true;
    try {
      streams.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      for (Channel ch : connections) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !ch.closeFuture().await(left, TimeUnit.NANOSECONDS)) {
          drained = false;
          break;
        }
      }
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      drained = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      drained = false;
    }
    connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    return drained;
  }

  /** Whether the calling thread is one of the server's event loops (which must never block). */
  private boolean onServerThread() {
    for (EventExecutor loop : workers) {
      if (loop.inEventLoop()) return true;
    }
    for (EventExecutor loop : boss) {
      if (loop.inEventLoop()) return true;
    }
    return false;
  }

  @Override
  public void close() {
    shutdown();
  }

  public static final class Builder {
    private final Realtime realtime;
    private ServerConfig config = ServerConfig.defaults();
    private Authorizer authorizer;
    private Duration authorizerTimeout = Gatekeeper.DEFAULT_HOOK_TIMEOUT;

    private Builder(Realtime realtime) {
      this.realtime = Objects.requireNonNull(realtime, "realtime");
    }

    public Builder config(ServerConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /**
     * The embedder's check of each request (the original's {@code middleware}): it runs after the
     * token's grants and may deny or narrow the channels further. It may block.
     */
    public Builder authorizer(Authorizer authorizer) {
      this.authorizer = Objects.requireNonNull(authorizer, "authorizer");
      return this;
    }

    /**
     * How long the authorizer may take to decide (default 10 s): past it the request is answered
     * 503 and its decision, when it comes, is dropped. A hook that hangs (a database that does not
     * answer) then costs its clients an error, not a request that never ends.
     */
    public Builder authorizerTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException(
            "authorizer timeout "
                + timeout
                + " is not positive: give how long a decision may take");
      }
      this.authorizerTimeout = timeout;
      return this;
    }

    /** Binds and starts serving. */
    public RealtimeServer start() {
      return new RealtimeServer(this);
    }
  }
}
