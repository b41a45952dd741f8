package dev.realtime.redis;

import dev.realtime.EngineException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.time.Duration;

/**
 * A connection for commands, with at-most-once semantics: it never re-sends a command after a
 * reconnect (its client has auto-reconnect off), because a re-sent XADD whose first attempt did
 * reach Redis would store an event twice. A command in flight when the connection breaks fails
 * instead.
 *
 * <p>While the connection is down, a caller on an ordinary thread reconnects right there (at most
 * one attempt every {@code retryAfter}, failing fast in between), so the first command after an
 * outage already goes through. On one of Lettuce's own I/O threads, where nothing may block, it
 * fails at once and reconnects in the background instead.
 */
final class CommandLink implements AutoCloseable {
  private final RedisClient client;
  private final RedisURI uri;
  private final Duration retryAfter;
  private volatile StatefulRedisConnection<String, byte[]> connection;
  private long lastAttemptNanos;
  private boolean connecting;
  private Throwable lastFailure;
  private boolean closed;

  CommandLink(RedisClient client, RedisURI uri, Duration retryAfter) {
    this.client = client;
    this.uri = uri;
    this.retryAfter = retryAfter;
  }

  /** Connects now, waiting for it: for the engine's start, where failing loudly is right. */
  synchronized void connect() {
    connection = client.connect(RedisEngine.CODEC, uri);
  }

  /** The commands of an open connection, reconnecting first if needed and allowed. */
  RedisAsyncCommands<String, byte[]> commands() {
    StatefulRedisConnection<String, byte[]> c = connection;
    if (c != null && c.isOpen()) return c.async();
    if (Thread.currentThread() instanceof FastThreadLocalThread) throw reconnectInBackground();
    return reconnectHere();
  }

  private synchronized RedisAsyncCommands<String, byte[]> reconnectHere() {
    if (closed) throw new EngineException("the Redis engine is closed");
    StatefulRedisConnection<String, byte[]> c = connection;
    if (c != null && c.isOpen()) return c.async();
    if (c != null) c.closeAsync();
    connection = null;
    long now = System.nanoTime();
    if (connecting || now - lastAttemptNanos < retryAfter.toNanos()) throw unreachable();
    lastAttemptNanos = now;
    try {
      connection = client.connect(RedisEngine.CODEC, uri);
      lastFailure = null;
      return connection.async();
    } catch (RuntimeException e) {
      lastFailure = e;
      throw unreachable();
    }
  }

  private synchronized EngineException reconnectInBackground() {
    if (closed) return new EngineException("the Redis engine is closed");
    StatefulRedisConnection<String, byte[]> c = connection;
    if (c != null && !c.isOpen()) {
      c.closeAsync();
      connection = null;
      if (lastFailure == null) lastFailure = new IllegalStateException("the connection was lost");
    }
    long now = System.nanoTime();
    if (!connecting && now - lastAttemptNanos >= retryAfter.toNanos()) {
      connecting = true;
      lastAttemptNanos = now;
      client
          .connectAsync(RedisEngine.CODEC, uri)
          .whenComplete(
              (opened, error) -> {
                synchronized (this) {
                  connecting = false;
                  if (error != null) {
                    lastFailure = error;
                  } else if (closed) {
                    opened.closeAsync();
                  } else {
                    connection = opened;
                    lastFailure = null;
                  }
                }
              });
    }
    return unreachable();
  }

  private EngineException unreachable() {
    Throwable cause = lastFailure;
    return new EngineException(
        "Redis at "
            + RedisEngine.describe(uri)
            + " is unreachable"
            + (cause == null ? "" : ": " + cause.getMessage())
            + " (reconnecting)",
        cause);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (connection != null) connection.close();
  }
}
