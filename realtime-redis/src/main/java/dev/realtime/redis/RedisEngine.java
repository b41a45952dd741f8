package dev.realtime.redis;

import dev.realtime.ConnectionStatus;
import dev.realtime.EngineException;
import dev.realtime.IncompatibleDataException;
import dev.realtime.spi.Append;
import dev.realtime.spi.ChannelWatch;
import dev.realtime.spi.Engine;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import dev.realtime.spi.WatchListener;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Delegating;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.DefaultEndpoint;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An engine on Redis, in the layout of {@code @upstash/realtime}: a stream per channel at the key
 * named by the channel (behind an optional prefix), entries with fields {@code data}, {@code
 * event}, {@code channel}, and the envelope {@code {"data","event","channel","id"}} published on
 * the Pub/Sub channel of the same name (with {@code "prev"}, and {@code "db"} outside database 0,
 * which the original ignores: see {@link PublishedEntry}). Processes using this engine, and
 * TypeScript apps using the original, see each other's events live and in history.
 *
 * <pre>{@code
 * Realtime realtime = Realtime.builder().engine(RedisEngine.connect("redis://localhost:6379")).build();
 * }</pre>
 *
 * <p>An emit is one server-side script (XADD, PEXPIRE, PUBLISH), so it either happened entirely or
 * failed; commands are never re-sent after a reconnect (see {@link CommandLink}), so an emit that
 * returned an id stored its event exactly once. Each process keeps one Pub/Sub subscription per
 * watched channel and one stream reader ({@link ChannelFeed}) shared by its local cursors.
 */
public final class RedisEngine implements Engine {
  /**
   * Keys (stream and Pub/Sub channel names) as text, values as bytes: stored JSON goes to Redis and
   * back without becoming a String on the way, and a Pub/Sub payload is read as bytes ({@link
   * PublishedEntry}) or not at all (a wake-up).
   */
  static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  // An append is never re-sent when its script was missing: it could land after later ones.
  private static final LuaScript APPEND = LuaScript.load("append.lua", false);
  private static final LuaScript READ = LuaScript.load("read.lua", true);

  private final RedisURI uri;
  private final String keyPrefix;
  private final byte[] envelopeTail; // see envelopeTail(int)
  private final ClientResources resources;
  private final RedisClient commandClient;
  private final RedisClient pubSubClient;
  private final CommandLink link;
  private final CommandLink readLink; // reads never queue behind emits, nor emits behind reads
  private final AppendBatcher batcher;
  private final StatefulRedisPubSubConnection<String, byte[]> pubSub;
  private final ConcurrentHashMap<String, ChannelFeed> feeds = new ConcurrentHashMap<>();
  // Payload bytes the watched channels' tails hold together, and the most they may.
  private final AtomicLong tailBytes = new AtomicLong();
  private final long maxTailBytes;
  private final ExecutorService callbacks =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("realtime-redis-", 0).factory());
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("realtime-redis-timer").unstarted(r));
  private volatile boolean pubSubDown;
  private volatile boolean closed;
  private final Duration retryAfter;
  private final Duration commandTimeout;

  /** The longest wait between two attempts of the Pub/Sub connection to reconnect. */
  static final Duration RECONNECT_DELAY_MAX = Duration.ofSeconds(1);

  /** The longest wait between two retries of a channel's reads while they fail. */
  static final Duration READ_RETRY_MAX = Duration.ofSeconds(5);

  private RedisEngine(Builder b) {
    this.uri = b.uri;
    // Lettuce gives a new connection's handshake (HELLO, AUTH, SELECT) the URI's timeout, 60 s
    // unless set: a reconnect to a Redis that accepts but does not answer (stopped, overloaded)
    // held up the emits behind it that long. The connect timeout covers the handshake too.
    uri.setTimeout(b.connectTimeout);
    this.keyPrefix = b.keyPrefix;
    this.retryAfter = b.retryAfter;
    this.commandTimeout = b.commandTimeout;
    this.envelopeTail = envelopeTail(uri.getDatabase());
    // Lettuce's default waits up to 30 s between attempts, so the Pub/Sub connection, and with it
    // live delivery, came back up to 30 s after Redis did; at most a second here.
    this.resources =
        ClientResources.builder()
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(10), RECONNECT_DELAY_MAX, 2, TimeUnit.MILLISECONDS))
            .build();
    // TCP keepalive: an idle connection (the Pub/Sub one, between events) whose peer vanished
    // without a word (a network partition) is found dead within about 30 s, and reconnected.
    SocketOptions socket =
        SocketOptions.builder()
            .connectTimeout(b.connectTimeout)
            .keepAlive(
                SocketOptions.KeepAliveOptions.builder()
                    .enable()
                    .idle(Duration.ofSeconds(15))
                    .interval(Duration.ofSeconds(5))
                    .count(3)
                    .build())
            .build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(b.commandTimeout);
    SslOptions tls = tlsOptions(b);
    this.commandClient = RedisClient.create(resources);
    commandClient.setOptions(
        ClientOptions.builder()
            .autoReconnect(false) // at most once: see CommandLink
            .socketOptions(socket)
            .sslOptions(tls)
            .timeoutOptions(timeouts)
            .build());
    this.pubSubClient = RedisClient.create(resources);
    pubSubClient.setOptions(
        ClientOptions.builder()
            .autoReconnect(true) // resubscribes by itself; reads after it catch up
            // RESP3 would deliver each message as a push frame that Lettuce copies whole before
            // decoding it again; RESP2's message frames are decoded once (and every Redis has it).
            .protocolVersion(ProtocolVersion.RESP2)
            .socketOptions(socket)
            .sslOptions(tls)
            .timeoutOptions(timeouts)
            .build());
    this.maxTailBytes = b.maxTailBytes;
    this.link = new CommandLink(commandClient, uri, b.retryAfter, APPEND);
    this.readLink = new CommandLink(commandClient, uri, b.retryAfter, READ);
    this.batcher =
        new AppendBatcher(
            b.maxInFlight,
            b.maxBatch,
            b.maxBacklogBytes,
            keyPrefix,
            envelopeTail,
            (keys, args) -> link.send(session -> APPEND.run(session, keys, args)),
            this::failure,
            callbacks,
            b.spinWait.toNanos());
    StatefulRedisPubSubConnection<String, byte[]> connected = null;
    try {
      link.connect(b.connectTimeout.multipliedBy(2));
      readLink.connect(b.connectTimeout.multipliedBy(2));
      connected = pubSubClient.connectPubSub(CODEC, uri);
      refuseCluster(connected, uri);
    } catch (EngineException e) {
      if (connected != null) connected.close();
      link.close();
      readLink.close();
      shutdownClients();
      throw e;
    } catch (Exception e) {
      link.close();
      readLink.close();
      shutdownClients();
      throw new EngineException(
          "cannot connect to Redis at "
              + describe(uri)
              + ": "
              + ConnectFailure.explain(e, uri, b.trusted, b.connectTimeout),
          e);
    }
    this.pubSub = connected;
    pubSub.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String pubSubChannel, byte[] message) {
            ChannelFeed feed = feeds.get(pubSubChannel.substring(keyPrefix.length()));
            if (feed != null) feed.published(message);
          }

          @Override
          public void subscribed(String pubSubChannel, long count) {
            RedisEngine.this.subscribed(pubSubChannel);
          }
        });
    pubSubClient.addListener(new StatusListener());
    long every = b.pubSubPingInterval.toMillis();
    timer.scheduleWithFixedDelay(this::checkPubSub, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * TLS for {@code rediss://}: the JDK's trust store and full verification (chain and host name)
   * unless told otherwise, either by {@link Builder#trustedCertificates} or by the URI's own {@code
   * verifyPeer} (Lettuce's: {@code FULL}, {@code CA} without the host name, {@code NONE}). The
   * handshake gets the connect timeout, so a TLS client on a plain port (where Redis waits for a
   * line that never comes) fails as fast as an unreachable host, not after Lettuce's 10 s.
   */
  /**
   * Redis Cluster is refused up front: the emits of several channels go together in one script
   * call, whose keys may hash to slots of different nodes (CROSSSLOT), so emits would fail once
   * they ran concurrently. A Redis that does not answer INFO (an ACL, a managed service) is taken
   * as it is.
   */
  private static void refuseCluster(
      StatefulRedisPubSubConnection<String, byte[]> pubSub, RedisURI uri) {
    String info;
    try {
      info = String.valueOf(pubSub.sync().info("cluster"));
    } catch (RuntimeException notAnswered) {
      return;
    }
    if (info.contains("cluster_enabled:1")) {
      throw new EngineException(
          "cannot use Redis at "
              + describe(uri)
              + ": it runs as a Redis Cluster (cluster_enabled:1), which this engine does not"
              + " support (the emits of several channels go together in one script call, whose"
              + " keys may hash to different slots); point it at a standalone Redis, a replica"
              + " set's master through Sentinel (redis-sentinel://), or a managed Redis that is"
              + " not clustered");
    }
  }

  /**
   * What this engine's envelopes end with after {@code "prev"}: nothing in database 0, {@code
   * ,"db":<n>} in database n. Pub/Sub channels span databases while streams do not, so a reader
   * takes an entry from an envelope only when it was written to the reader's own database.
   */
  static byte[] envelopeTail(int database) {
    return (database == 0 ? "" : ",\"db\":" + database).getBytes(StandardCharsets.US_ASCII);
  }

  private static SslOptions tlsOptions(Builder b) {
    SslOptions.Builder tls = SslOptions.builder().handshakeTimeout(b.connectTimeout);
    if (b.trusted != null) tls.trustManager(b.trusted.trustManagers());
    return tls.build();
  }

  /**
   * Connects to {@code redis://[user:password@]host:port[/db]} or {@code rediss://} (TLS, the
   * server's certificate checked against the JDK's trust store).
   */
  public static RedisEngine connect(String uri) {
    return builder(uri).build();
  }

  public static Builder builder(String uri) {
    return new Builder(uri);
  }

  /** Options, validated in {@link #build()}. */
  public static final class Builder {
    /** Default time to wait for a TCP connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

    /** Default time to wait for a command's reply before failing it. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);

    /** Default number of emit script calls outstanding at once. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 4;

    /** Default most events one emit script call carries. */
    public static final int DEFAULT_MAX_BATCH = 64;

    /** Default most bytes of emits waiting for Redis before further emits are refused: 64 MiB. */
    public static final long DEFAULT_MAX_BACKLOG_BYTES = 64L << 20;

    /** Default most payload bytes the watched channels keep in memory together: 256 MiB. */
    public static final long DEFAULT_MAX_TAIL_BYTES = 256L << 20;

    /**
     * Default longest time a blocking emit that is the only one under way spins for its reply
     * before it parks.
     */
    public static final Duration DEFAULT_SPIN_WAIT = Duration.ofNanos(200_000);

    /** Default pause between reconnect attempts of the command connection. */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofMillis(500);

    /** Default time between two PINGs on the Pub/Sub connection while it seems up. */
    public static final Duration DEFAULT_PUB_SUB_PING_INTERVAL = Duration.ofSeconds(15);

    private final RedisURI uri;
    private String keyPrefix = "";
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration retryAfter = DEFAULT_RETRY_AFTER;
    private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
    private int maxBatch = DEFAULT_MAX_BATCH;
    private long maxBacklogBytes = DEFAULT_MAX_BACKLOG_BYTES;
    private long maxTailBytes = DEFAULT_MAX_TAIL_BYTES;
    private Duration spinWait = DEFAULT_SPIN_WAIT;
    private Duration pubSubPingInterval = DEFAULT_PUB_SUB_PING_INTERVAL;
    private TrustedCertificates trusted;

    private Builder(String uri) {
      Objects.requireNonNull(uri, "uri");
      try {
        this.uri = RedisURI.create(uri);
        String host = this.uri.getHost();
        if (host != null && host.contains(":") && !host.startsWith("[")) {
          throw new IllegalArgumentException(
              "the port '" + host.substring(host.lastIndexOf(':') + 1) + "' is not a number");
        }
      } catch (RuntimeException e) {
        String why;
        if (String.valueOf(e.getMessage()).contains("SslVerifyMode")) {
          why = "verifyPeer must be FULL (the default), CA or NONE";
        } else if (uri.contains("@")) {
          // The parser's words would quote the URI, or a piece of it, password included.
          why =
              "it does not parse; percent-encode characters such as / + @ : % and spaces in the"
                  + " user name and password (/ as %2F)";
        } else {
          why = e.getMessage();
        }
        throw new IllegalArgumentException(
            "Redis URI '"
                + withoutPassword(uri)
                + "' is not valid ("
                + why
                + "); use redis://[user:password@]host:port[/db], rediss:// for TLS, or"
                + " redis-sentinel://host:port[,host:port...]#master",
            e);
      }
    }

    /**
     * The URI as written, everything between {@code ://} and the last {@code @} (a password,
     * perhaps, even a malformed one) replaced by ****.
     */
    private static String withoutPassword(String uri) {
      return uri.replaceFirst("(://).*@", "$1****@");
    }

    /** Put every stream and Pub/Sub channel under this prefix; default none (as the original). */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
      return this;
    }

    /** Time to wait for a TCP connection and, for {@code rediss://}, for the TLS handshake. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout = positive(timeout, "commandTimeout");
      return this;
    }

    /** While Redis is unreachable, emits fail at once for this long before trying again. */
    public Builder retryAfter(Duration pause) {
      this.retryAfter = positive(pause, "retryAfter");
      return this;
    }

    /**
     * How often the Pub/Sub connection is PINGed while channels are watched and it seems up. One
     * that gets no answer within the command timeout is dropped and reconnected (subscribers are
     * told RECONNECTING, then RECONNECTED, and catch up): a path that stopped passing bytes without
     * a TCP error, a stalled proxy say, would otherwise leave live delivery silent.
     */
    public Builder pubSubPingInterval(Duration interval) {
      this.pubSubPingInterval = positive(interval, "pubSubPingInterval");
      return this;
    }

    /**
     * How many emit script calls may be outstanding at once; emits arriving meanwhile are sent
     * together in the next call. Fewer means bigger batches, more means deeper pipelining.
     */
    public Builder maxInFlight(int maxInFlight) {
      if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight < 1: " + maxInFlight);
      this.maxInFlight = maxInFlight;
      return this;
    }

    /** The most events one emit script call carries. */
    public Builder maxBatch(int maxBatch) {
      if (maxBatch < 1) throw new IllegalArgumentException("maxBatch < 1: " + maxBatch);
      this.maxBatch = maxBatch;
      return this;
    }

    /**
     * The most bytes of emits (their data and names, and 256 bytes each of bookkeeping) that may
     * wait for Redis, queued or in flight; an emit that would pass it fails at once with an {@link
     * EngineException} (nothing of it stored), so a Redis that does not keep up with the emit rate
     * cannot fill the heap. An emit is always taken when nothing else waits, however large.
     */
    public Builder maxBacklogBytes(long maxBacklogBytes) {
      if (maxBacklogBytes < 1) {
        throw new IllegalArgumentException("maxBacklogBytes < 1: " + maxBacklogBytes);
      }
      this.maxBacklogBytes = maxBacklogBytes;
      return this;
    }

    /**
     * The most payload bytes all watched channels of this process keep in memory together (each
     * keeps its newest entries, at most 4,096 and 8 MiB, so that subscribers that keep up are
     * served without reading Redis). Past it, a channel that takes in an entry lets go of its
     * oldest ones, down to none; subscribers behind what is kept read Redis instead, and nothing is
     * lost. 256 MiB by default.
     */
    public Builder maxTailBytes(long maxTailBytes) {
      if (maxTailBytes < 0) {
        throw new IllegalArgumentException("maxTailBytes < 0: " + maxTailBytes);
      }
      this.maxTailBytes = maxTailBytes;
      return this;
    }

    /**
     * How long a blocking {@code emit} on a platform thread that is the only emit under way keeps
     * its CPU (yielding it to other runnable threads) while it waits for Redis's reply, before it
     * parks; default 200 µs, zero parks at once. A Redis on the same host answers within it, and an
     * emitter that never parked needs no other thread to wake it: about 1.6 times the emits per
     * second from one thread. An emit sent while another is out never spins, one stops spinning
     * when others start, and virtual threads never spin; after a few waits in a row that outlast
     * it, the next 100 lone emits park at once, so a Redis farther away costs almost nothing.
     */
    public Builder spinWait(Duration spinWait) {
      Objects.requireNonNull(spinWait, "spinWait");
      if (spinWait.isNegative() || spinWait.compareTo(Duration.ofMillis(1)) > 0) {
        throw new IllegalArgumentException(
            "spinWait must be between 0 and 1 ms (longer spinning only burns a core): " + spinWait);
      }
      this.spinWait = spinWait;
      return this;
    }

    /**
     * For {@code rediss://}: trust the certificates in {@code pemFile} (one or more {@code
     * -----BEGIN CERTIFICATE-----} blocks, typically the CA that signed a managed Redis's
     * certificate) instead of the JDK's trust store. The host name is still verified. The file is
     * read now; one that is missing or holds no certificate is an {@link IllegalArgumentException}
     * naming it.
     */
    public Builder trustedCertificates(Path pemFile) {
      this.trusted = TrustedCertificates.read(pemFile);
      return this;
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " <= 0: " + d);
      return d;
    }

    /**
     * Connects, failing with {@link EngineException} if Redis cannot be reached, refuses the
     * credentials, or presents a certificate that is not trusted.
     */
    public RedisEngine build() {
      if (trusted != null && !uri.isSsl()) {
        // Silently ignoring the file would send what was meant to be encrypted in the clear.
        throw new IllegalArgumentException(
            "trustedCertificates('"
                + trusted.file()
                + "') is for TLS, but the URI "
                + describe(uri)
                + " is not; use rediss://");
      }
      return new RedisEngine(this);
    }
  }

  // ---------------------------------------------------------------- append

  @Override
  public CompletableFuture<EntryId> append(Append append) {
    return append(append, false);
  }

  @Override
  public CompletableFuture<EntryId> appendAwaited(Append append) {
    return append(append, true);
  }

  private CompletableFuture<EntryId> append(Append append, boolean awaited) {
    if (closed)
      return CompletableFuture.failedFuture(new EngineException("the Redis engine is closed"));
    return batcher.append(append, awaited);
  }

  // ---------------------------------------------------------------- read

  @Override
  public CompletableFuture<ReadResult> read(String channel, Range range) {
    ChannelFeed feed = feeds.get(channel);
    if (feed == null) return readFromRedis(channel, range);
    ReadResult cached = feed.tryServe(range);
    if (cached != null) return CompletableFuture.completedFuture(cached);
    ChannelFeed.Plan plan = feed.plan(range);
    CompletableFuture<ReadResult> read =
        readForFeed(channel, plan.range(), plan.check())
            .thenApply(result -> feed.answer(range, plan, result));
    // A watcher's read failed: it waits for a wake-up, which must come even if the Pub/Sub
    // connection never dropped (only the command connection did) and nothing is emitted.
    read.whenComplete(
        (result, error) -> {
          if (error != null) feed.readFailed();
        });
    return read;
  }

  /**
   * When a channel whose reads failed retries them: {@code retryAfter}, doubling with each failure
   * in a row, at most {@link #READ_RETRY_MAX}.
   */
  long readRetryMillis(int failuresInARow) {
    long ms = retryAfter.toMillis() << Math.min(failuresInARow, 10);
    return Math.min(ms, READ_RETRY_MAX.toMillis());
  }

  void schedule(Runnable task, long delayMillis) {
    try {
      timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed: nothing to retry any more
    }
  }

  CompletableFuture<ReadResult> readFromRedis(String channel, Range range) {
    return runRead(channel, range, null)
        .thenApply(reply -> StreamReads.parse(channel, reply, range.newest()));
  }

  /**
   * A read of {@code range} for a watched channel, asking also whether the stream still holds
   * {@code check} (the newest entry its feed took from it; null: nothing to check) and how long the
   * key lives.
   */
  CompletableFuture<StreamReads.FeedRead> readForFeed(String channel, Range range, EntryId check) {
    return runRead(channel, range, check)
        .thenApply(reply -> StreamReads.parseFeedRead(channel, reply, range.newest()));
  }

  private CompletableFuture<List<Object>> runRead(String channel, Range range, EntryId check) {
    byte[][] key = {(keyPrefix + channel).getBytes(StandardCharsets.UTF_8)};
    return readLink
        .send(session -> READ.run(session, key, StreamReads.arguments(range, check)))
        .handle(
            (reply, error) -> {
              if (error != null) throw failure("reading channel '" + channel + "'", error);
              return reply;
            });
  }

  /**
   * Deletes a channel's stream, its whole history, from Redis (under the key prefix): for tools
   * that clean up what they wrote, such as {@code realtime bench emit}, on a channel no one follows
   * any more. A process that follows the channel takes it for entries Redis lost: its subscribers
   * are told of a gap at its next read (unless the channel expires, and may have expired by then).
   *
   * @return whether there was a stream to delete
   * @throws EngineException when Redis cannot be reached or refuses
   */
  public boolean delete(String channel) {
    if (closed) throw new EngineException("the Redis engine is closed");
    String key = keyPrefix + channel;
    try {
      return link.send(session -> session.commands().del(key).toCompletableFuture()).join() > 0;
    } catch (CompletionException e) {
      throw failure("deleting channel '" + channel + "'", e);
    }
  }

  // ---------------------------------------------------------------- watch

  @Override
  public ChannelWatch watch(String channel, WatchListener listener) {
    if (closed) throw new EngineException("the Redis engine is closed");
    // SUBSCRIBE and UNSUBSCRIBE are sent inside the map's compute for the channel (sending only
    // queues them on the connection), so they reach Redis in the order the feeds came and went:
    // sent after it, an UNSUBSCRIBE for the old feed could follow the new feed's SUBSCRIBE.
    feeds.compute(
        channel,
        (name, existing) -> {
          // Checked again inside: a close() that cleared the feeds meanwhile must not find one.
          if (closed) throw new EngineException("the Redis engine is closed");
          ChannelFeed f = existing;
          if (f == null) {
            f = new ChannelFeed(name, envelopeTail, this);
            // The first read happens once Redis confirms the subscription (the listener's
            // subscribed), so no wake-up falls between.
            subscribe(f, 0);
          }
          f.add(listener);
          return f;
        });
    return () -> unwatch(channel, listener);
  }

  /**
   * Sends SUBSCRIBE for {@code feed}'s channel; within the feeds map's compute for the channel.
   * Lettuce subscribes again after a reconnect only what Redis confirmed: a SUBSCRIBE sent while
   * Redis is away waits in Lettuce's buffer and may expire there (the command timeout), and the
   * channel would then never hear of an append again. So one that fails is sent again, as long as
   * the feed is wanted, backing off while it keeps failing.
   */
  private void subscribe(ChannelFeed feed, int failuresInARow) {
    pubSub
        .async()
        .subscribe(keyPrefix + feed.channel)
        .whenComplete(
            (ok, error) -> {
              if (error == null || closed) return;
              if (refusal(error) != null) feed.subscribeRefused(refusedSubscribe(feed, error));
              schedule(
                  () ->
                      feeds.computeIfPresent(
                          feed.channel,
                          (name, f) -> {
                            if (f == feed && !closed) subscribe(feed, failuresInARow + 1);
                            return f;
                          }),
                  readRetryMillis(failuresInARow));
            });
  }

  /** Redis's NOPERM answer within {@code error}, or null when it is something else. */
  private static String refusal(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof RedisCommandExecutionException && t.getMessage() != null) {
        return t.getMessage().startsWith("NOPERM") ? t.getMessage() : null;
      }
    }
    return null;
  }

  private EngineException refusedSubscribe(ChannelFeed feed, Throwable error) {
    String pubSubChannel = keyPrefix + feed.channel;
    return new EngineException(
        "watching channel '"
            + feed.channel
            + "' failed: Redis refused to SUBSCRIBE to the Pub/Sub channel '"
            + pubSubChannel
            + "' ("
            + refusal(error)
            + "), so no live event will arrive until the Redis user may subscribe to it (ACL"
            + " SETUSER <user> &"
            + pubSubChannel
            + ", or allchannels); history reads still work, and the engine keeps trying",
        error);
  }

  /**
   * Redis confirmed a subscription: the feed reads (its first read, or the catch-up after Lettuce
   * subscribed again on a reconnect, so no append between our reconnect read and the new
   * subscription goes unheard). A subscription no feed wants any more (its UNSUBSCRIBE was lost in
   * an outage, and Lettuce subscribed it again) is ended, within the channel's compute so that it
   * cannot overtake a later watch's SUBSCRIBE.
   */
  private void subscribed(String pubSubChannel) {
    if (closed || !pubSubChannel.startsWith(keyPrefix)) return;
    ChannelFeed[] wanted = new ChannelFeed[1];
    feeds.compute(
        pubSubChannel.substring(keyPrefix.length()),
        (name, f) -> {
          if (f == null && !closed) pubSub.async().unsubscribe(pubSubChannel);
          wanted[0] = f;
          return f;
        });
    // While the outage is not over (the PING that confirms it is under way), the reconnect's own
    // read comes after RECONNECTED: reading now would deliver before subscribers are told.
    if (wanted[0] != null) wanted[0].subscribed(!pubSubDown);
  }

  private void unwatch(String channel, WatchListener listener) {
    feeds.computeIfPresent(
        channel,
        (name, feed) -> {
          if (!feed.remove(listener)) return feed;
          if (!closed) pubSub.async().unsubscribe(keyPrefix + channel);
          feed.release();
          return null;
        });
  }

  /** Tells every watcher of a Pub/Sub outage and, once it is over, makes every feed catch up. */
  private final class StatusListener implements RedisConnectionStateListener {
    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      // Told once per outage, however many attempts fail meanwhile.
      if (connection != pubSub || closed || pubSubDown) return;
      pubSubDown = true;
      feeds.values().forEach(f -> f.status(ConnectionStatus.RECONNECTING));
    }

    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
      if (connection != pubSub || !pubSubDown || closed) return;
      // Connected is not usable yet: the handshake may still fail (a password changed meanwhile),
      // and every failed attempt would be a RECONNECTED then a RECONNECTING. A PING through the
      // connection answers once it is; one that fails leaves it to the next attempt.
      confirmReconnected();
    }

    private void confirmReconnected() {
      pubSub
          .async()
          .ping()
          .whenComplete(
              (pong, error) -> {
                if (closed || !pubSubDown) return;
                if (error != null) {
                  // Up but not answering in time (Redis loading its data, say): ask again; a
                  // connection that drops instead is the next attempt's to confirm.
                  if (pubSub.isOpen()) schedule(this::confirmReconnected, retryAfter.toMillis());
                  return;
                }
                pubSubDown = false;
                // Lettuce subscribes again meanwhile; each confirmation makes its feed read once
                // more (subscribed), so an append between this read and the new subscription is
                // not lost.
                try {
                  callbacks.execute(() -> feeds.values().forEach(ChannelFeed::reconnected));
                } catch (RejectedExecutionException closing) {
                  // the engine is closing: nobody to tell
                }
              });
    }
  }

  /**
   * PINGs the Pub/Sub connection while channels are watched and it seems up; one that does not
   * answer in time is dropped, and Lettuce reconnects it (see {@link Builder#pubSubPingInterval}).
   */
  private void checkPubSub() {
    if (closed || pubSubDown || feeds.isEmpty() || !pubSub.isOpen()) return;
    try {
      pingPubSub();
    } catch (RuntimeException closing) {
      // the connection is going away with the engine; a repeating task that threw would stop
    }
  }

  private void pingPubSub() {
    pubSub
        .async()
        .ping()
        .whenComplete(
            (pong, error) -> {
              if (error instanceof RedisCommandTimeoutException
                  && !closed
                  && !pubSubDown
                  && pubSub instanceof RedisChannelHandler<?, ?> handler) {
                RedisChannelWriter writer = handler.getChannelWriter();
                while (writer instanceof Delegating<?> d
                    && d.getDelegate() instanceof RedisChannelWriter inner) {
                  writer = inner;
                }
                if (writer instanceof DefaultEndpoint endpoint) endpoint.disconnect();
              }
            });
  }

  Executor callbacks() {
    return callbacks;
  }

  /** Counts {@code bytes} more (or fewer) payload bytes held by the tails; true when over. */
  boolean addTailBytes(long bytes) {
    return tailBytes.addAndGet(bytes) > maxTailBytes;
  }

  boolean tailsOverBudget() {
    return tailBytes.get() > maxTailBytes;
  }

  /** Payload bytes all tails hold: for tests. */
  long tailBytes() {
    return tailBytes.get();
  }

  /** The feed of a watched channel, or null: for tests. */
  ChannelFeed feedOf(String channel) {
    return feeds.get(channel);
  }

  /** How many channels this process has a Pub/Sub subscription and a reader for. */
  public int watchedChannelCount() {
    return feeds.size();
  }

  // ---------------------------------------------------------------- errors and lifecycle

  private EngineException failure(String what, Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof EngineException e) return e;
    if (cause instanceof LuaScript.NotRun) {
      return new EngineException(
          what
              + " failed: "
              + cause.getMessage()
              + " at "
              + describe(uri)
              + "; nothing was stored, and emitting again is safe",
          cause);
    }
    String message = rootMessage(cause);
    if (AppendBatcher.isLasting(message)) {
      return new IncompatibleDataException(
          what + " failed: " + message.replaceFirst("^.*WRONGTYPE ", ""), cause);
    }
    if (cause instanceof RedisCommandTimeoutException) {
      // Sent, but no reply in time: Redis may well have carried it out.
      return new EngineException(
          what
              + " failed: Redis at "
              + describe(uri)
              + " did not answer within "
              + commandTimeout.toMillis()
              + " ms"
              + mayHaveBeenCarriedOut(what, "the command may still have been carried out"),
          cause);
    }
    if (cause instanceof RedisCommandExecutionException) {
      return new EngineException(
          what + " failed: Redis at " + describe(uri) + " answered with an error: " + message,
          cause);
    }
    // The connection broke with the command sent (or maybe sent): as with a timeout, Redis may
    // have carried it out. Commands that were surely not sent failed above, as the link's own.
    return new EngineException(
        what
            + " failed: Redis at "
            + describe(uri)
            + " did not answer ("
            + message
            + ")"
            + mayHaveBeenCarriedOut(
                what, "the command may have been carried out before the connection broke"),
        cause);
  }

  /**
   * What a command that got no answer means for the caller: an emit may have been stored (a retry
   * may store it twice); a read or a delete changes nothing that a retry would change again.
   */
  private static String mayHaveBeenCarriedOut(String what, String carriedOut) {
    return what.startsWith("emit")
        ? "; " + carriedOut + " (an emit may be stored, so a retry may store it twice)"
        : "; retrying is safe";
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    return c == t ? String.valueOf(t.getMessage()) : t.getMessage() + ": " + c.getMessage();
  }

  /**
   * Where this engine keeps its channels, without credentials ({@code redis://host:port}, or the
   * Sentinels and the master's name): for logs and messages.
   */
  public String location() {
    return describe(uri);
  }

  /**
   * Where the URI points, without credentials: {@code redis://host:port}, or for a URI that asks
   * Sentinels for the master, {@code redis-sentinel://host:port,...#master}.
   */
  static String describe(RedisURI uri) {
    if (uri.getSentinels().isEmpty()) {
      return (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort();
    }
    StringJoiner sentinels = new StringJoiner(",");
    for (RedisURI s : uri.getSentinels()) sentinels.add(s.getHost() + ":" + s.getPort());
    return (uri.isSsl() ? "rediss-sentinel://" : "redis-sentinel://")
        + sentinels
        + "#"
        + uri.getSentinelMasterId();
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    feeds.clear();
    try {
      pubSub.close();
    } catch (RuntimeException ignored) {
      // closing anyway
    }
    link.close();
    readLink.close();
    shutdownClients();
    callbacks.shutdown();
    timer.shutdownNow();
  }

  private void shutdownClients() {
    commandClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    pubSubClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
