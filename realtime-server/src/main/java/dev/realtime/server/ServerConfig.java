package dev.realtime.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything the server can be told, validated once in {@link Builder#build()} and immutable
 * afterwards. Each setting has a documented {@code DEFAULT_*}; the README lists them all, and
 * {@code ./realtime serve} fills them from flags, then {@code REALTIME_*} environment variables,
 * then a YAML file.
 */
public final class ServerConfig {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_BASE_PATH = "/api/realtime";
  public static final List<String> DEFAULT_ALLOWED_ORIGINS = List.of("*");
  public static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);

  /** The most I/O threads accepted: far beyond what any machine's cores can use. */
  public static final int MAX_IO_THREADS = 1024;

  /** No maximum: a stream stays open until the client or the server ends it. */
  public static final Duration DEFAULT_MAX_DURATION = Duration.ZERO;

  /** Live events are written as soon as they are emitted. */
  public static final Duration DEFAULT_WRITE_DELAY = Duration.ZERO;

  /** The longest write delay accepted: past it, streams would no longer feel live. */
  public static final Duration MAX_WRITE_DELAY = Duration.ofSeconds(1);

  public static final int DEFAULT_MAX_BUFFERED_BYTES = 1 << 20;
  public static final int DEFAULT_MAX_REQUEST_BYTES = (1 << 20) + 4096;
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

  /** The demo pages and their job endpoint are served unless turned off. */
  public static final boolean DEFAULT_PAGES = true;

  /** The shortest HS256 secret accepted: 256 bits, as RFC 7518 requires for HS256 keys. */
  public static final int MIN_SECRET_BYTES = 32;

  private final String host;
  private final int port;
  private final String basePath;
  private final String secret;
  private final boolean insecure;
  private final List<String> allowedOrigins;
  private final Duration heartbeat;
  private final Duration maxDuration;
  private final Duration writeDelay;
  private final int maxBufferedBytes;
  private final int maxRequestBytes;
  private final Duration shutdownTimeout;
  private final Duration idleTimeout;
  private final int ioThreads;
  private final boolean pages;

  private ServerConfig(Builder b) {
    host = b.host;
    port = b.port;
    basePath = b.basePath;
    secret = b.secret;
    insecure = b.insecure;
    allowedOrigins = List.copyOf(b.allowedOrigins);
    heartbeat = b.heartbeat;
    maxDuration = b.maxDuration;
    writeDelay = b.writeDelay;
    maxBufferedBytes = b.maxBufferedBytes;
    maxRequestBytes = b.maxRequestBytes;
    shutdownTimeout = b.shutdownTimeout;
    idleTimeout = b.idleTimeout;
    ioThreads = b.ioThreads;
    pages = b.pages;
  }

  public static ServerConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    Builder b = new Builder();
    b.host = host;
    b.port = port;
    b.basePath = basePath;
    b.secret = secret;
    b.insecure = insecure;
    b.allowedOrigins = allowedOrigins;
    b.heartbeat = heartbeat;
    b.maxDuration = maxDuration;
    b.writeDelay = writeDelay;
    b.maxBufferedBytes = maxBufferedBytes;
    b.maxRequestBytes = maxRequestBytes;
    b.shutdownTimeout = shutdownTimeout;
    b.idleTimeout = idleTimeout;
    b.ioThreads = ioThreads;
    b.pages = pages;
    return b;
  }

  /** The address to bind. */
  public String host() {
    return host;
  }

  /** The port to bind; 0 picks a free one (see {@link RealtimeServer#port()}). */
  public int port() {
    return port;
  }

  /** Where the API lives: the SSE stream at the path itself, the rest below it. */
  public String basePath() {
    return basePath;
  }

  /** The HS256 secret tokens are signed with, or null when the server checks no tokens. */
  public String secret() {
    return secret;
  }

  /** Whether serving without a secret on a non-loopback address was asked for explicitly. */
  public boolean insecure() {
    return insecure;
  }

  /** Origins sent back in {@code Access-Control-Allow-Origin}; {@code *} allows every origin. */
  public List<String> allowedOrigins() {
    return allowedOrigins;
  }

  /** How often an idle stream gets a {@code : ping} comment. */
  public Duration heartbeat() {
    return heartbeat;
  }

  /** How long one stream may stay open before it is told to reconnect; zero for no limit. */
  public Duration maxDuration() {
    return maxDuration;
  }

  /**
   * How long a live event may wait before it is written, so that a connection gets the events of
   * that time in one write; zero writes each event at once.
   */
  public Duration writeDelay() {
    return writeDelay;
  }

  /** How many bytes may wait for one slow connection before it is closed. */
  public int maxBufferedBytes() {
    return maxBufferedBytes;
  }

  /** The largest request body accepted (an emit's JSON). */
  public int maxRequestBytes() {
    return maxRequestBytes;
  }

  /** How long a graceful shutdown waits for streams to drain. */
  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  /**
   * How long a connection that is not a stream may go without a request before it is closed, and
   * how long a request may take to arrive whole once its head has (past that, 408); zero for no
   * limit. Time spent answering does not count.
   */
  public Duration idleTimeout() {
    return idleTimeout;
  }

  /** Netty I/O threads; 0 means two per core. */
  public int ioThreads() {
    return ioThreads;
  }

  /**
   * Whether the demo pages ({@code /}, {@code /chat}, {@code /jobs}, {@code /dashboard}) and the
   * demo job endpoint ({@code POST /demo/jobs}) are served. {@code /realtime.js} and {@code /stats}
   * are served either way.
   */
  public boolean pages() {
    return pages;
  }

  public boolean authEnabled() {
    return secret != null;
  }

  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private String basePath = DEFAULT_BASE_PATH;
    private String secret;
    private boolean insecure;
    private List<String> allowedOrigins = DEFAULT_ALLOWED_ORIGINS;
    private Duration heartbeat = DEFAULT_HEARTBEAT;
    private Duration maxDuration = DEFAULT_MAX_DURATION;
    private Duration writeDelay = DEFAULT_WRITE_DELAY;
    private int maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
    private int maxRequestBytes = DEFAULT_MAX_REQUEST_BYTES;
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private int ioThreads;
    private boolean pages = DEFAULT_PAGES;

    private Builder() {}

    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port " + port + " is not 0 to 65535");
      }
      this.port = port;
      return this;
    }

    public Builder basePath(String basePath) {
      Objects.requireNonNull(basePath, "basePath");
      if (!basePath.startsWith("/") || basePath.endsWith("/") || basePath.contains("?")) {
        throw new IllegalArgumentException(
            "base path '"
                + basePath
                + "' must start with / and not end with / (like /api/realtime)");
      }
      this.basePath = basePath;
      return this;
    }

    /** The HS256 secret (at least 32 bytes), or null to check no tokens. */
    public Builder secret(String secret) {
      if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException(
            "the token secret is "
                + secret.getBytes(StandardCharsets.UTF_8).length
                + " bytes: HS256 needs at least "
                + MIN_SECRET_BYTES
                + " (for example the output of 'openssl rand -base64 48')");
      }
      this.secret = secret;
      return this;
    }

    public Builder insecure(boolean insecure) {
      this.insecure = insecure;
      return this;
    }

    public Builder allowedOrigins(List<String> origins) {
      Objects.requireNonNull(origins, "origins");
      if (origins.isEmpty()) {
        throw new IllegalArgumentException(
            "allowed origins is empty: list origins like https://app.example.com, or * for all");
      }
      for (String o : origins) {
        if (!o.equals("*") && !o.matches("https?://[^/\\s]+")) {
          throw new IllegalArgumentException(
              "allowed origin '"
                  + o
                  + "' is not * or scheme://host[:port] (like https://a.example)");
        }
      }
      this.allowedOrigins = List.copyOf(origins);
      return this;
    }

    /** How often a stream gets a heartbeat; {@link Duration#ZERO} for none. */
    public Builder heartbeat(Duration heartbeat) {
      if (heartbeat.isNegative() || (!heartbeat.isZero() && heartbeat.toMillis() < 10)) {
        throw new IllegalArgumentException(
            "heartbeat " + heartbeat + " is under 10 ms: use 10 ms or more, or 0 for none");
      }
      this.heartbeat = heartbeat;
      return this;
    }

    public Builder maxDuration(Duration maxDuration) {
      if (maxDuration.isNegative()) {
        throw new IllegalArgumentException("max duration " + maxDuration + " is negative");
      }
      this.maxDuration = maxDuration;
      return this;
    }

    public Builder writeDelay(Duration delay) {
      if (delay.isNegative() || delay.compareTo(MAX_WRITE_DELAY) > 0) {
        throw new IllegalArgumentException(
            "write delay "
                + delay
                + " is out of range: give 0 to "
                + MAX_WRITE_DELAY.toMillis()
                + " ms");
      }
      this.writeDelay = delay;
      return this;
    }

    public Builder maxBufferedBytes(int bytes) {
      if (bytes < 4096) {
        throw new IllegalArgumentException("max buffered bytes " + bytes + " is under 4096");
      }
      this.maxBufferedBytes = bytes;
      return this;
    }

    public Builder maxRequestBytes(int bytes) {
      if (bytes < 1024) {
        throw new IllegalArgumentException("max request bytes " + bytes + " is under 1024");
      }
      this.maxRequestBytes = bytes;
      return this;
    }

    public Builder shutdownTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("shutdown timeout " + timeout + " is negative");
      }
      this.shutdownTimeout = timeout;
      return this;
    }

    /** See {@link ServerConfig#idleTimeout()}; at least 100 ms, or zero for no limit. */
    public Builder idleTimeout(Duration timeout) {
      if (timeout.isNegative() || (!timeout.isZero() && timeout.toMillis() < 100)) {
        throw new IllegalArgumentException(
            "idle timeout " + timeout + " is under 100 ms: use 100 ms or more, or 0 for no limit");
      }
      this.idleTimeout = timeout;
      return this;
    }

    public Builder ioThreads(int threads) {
      if (threads < 0 || threads > MAX_IO_THREADS) {
        throw new IllegalArgumentException(
            "io threads "
                + threads
                + " is out of range: give 0 (two per core) to "
                + MAX_IO_THREADS);
      }
      this.ioThreads = threads;
      return this;
    }

    /** Serve the demo pages and the demo job endpoint ({@link ServerConfig#pages()}). */
    public Builder pages(boolean pages) {
      this.pages = pages;
      return this;
    }

    /**
     * Checks the settings together. Serving every channel to anyone is allowed only on loopback
     * unless {@link #insecure(boolean)} says it is meant.
     */
    public ServerConfig build() {
      if (secret == null && !insecure && !isLoopback(host)) {
        throw new IllegalArgumentException(
            "binding "
                + host
                + " without a token secret would let anyone on the network read and write every"
                + " channel: set a secret (--secret or REALTIME_SECRET), or pass --insecure if"
                + " that is what you want");
      }
      return new ServerConfig(this);
    }

    private static boolean isLoopback(String host) {
      if (host.equals("localhost")) return true;
      try {
        return InetAddress.getByName(host).isLoopbackAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("host '" + host + "' cannot be resolved", e);
      }
    }
  }
}
