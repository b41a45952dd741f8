package dev.realtime.redis;

import dev.realtime.EngineException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;

/**
 * The connection emits and reads go through, with at-most-once semantics: it never re-sends a
 * command after a reconnect (its client has auto-reconnect off), because a re-sent XADD whose first
 * attempt did reach Redis would store an event twice. A command in flight when the connection
 * breaks fails instead; the next command reconnects, at most once per {@code retryAfter}, and fails
 * fast in between, so callers learn of an outage at once.
 */
final class CommandLink implements AutoCloseable {
  private final RedisClient client;
  private final RedisURI uri;
  private final Duration retryAfter;
  private volatile StatefulRedisConnection<String, String> connection;
  private long lastFailureNanos;
  private Throwable lastFailure;
  private boolean closed;

  CommandLink(RedisClient client, RedisURI uri, Duration retryAfter) {
    this.client = client;
    this.uri = uri;
    this.retryAfter = retryAfter;
  }

  /** The commands of an open connection, connecting first if needed. */
  RedisAsyncCommands<String, String> commands() {
    StatefulRedisConnection<String, String> c = connection;
    if (c != null && c.isOpen()) return c.async();
    return reconnect();
  }

  private synchronized RedisAsyncCommands<String, String> reconnect() {
    if (closed) throw new EngineException("the Redis engine is closed");
    StatefulRedisConnection<String, String> c = connection;
    if (c != null && c.isOpen()) return c.async();
    if (c != null) c.closeAsync();
    connection = null;
    long now = System.nanoTime();
    if (lastFailure != null && now - lastFailureNanos < retryAfter.toNanos()) {
      throw unreachable(lastFailure);
    }
    try {
      c = client.connect(uri);
      connection = c;
      lastFailure = null;
      return c.async();
    } catch (RuntimeException e) {
      lastFailure = e;
      lastFailureNanos = now;
      throw unreachable(e);
    }
  }

  private EngineException unreachable(Throwable cause) {
    return new EngineException(
        "Redis at " + RedisEngine.describe(uri) + " is unreachable: " + cause.getMessage(), cause);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (connection != null) connection.close();
  }
}
