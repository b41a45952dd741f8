package dev.realtime.redis;

import dev.realtime.EngineException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * A connection for commands, with at-most-once semantics: it never re-sends a command after a
 * reconnect (its client has auto-reconnect off), because a re-sent XADD whose first attempt did
 * reach Redis would store an event twice. A command in flight when the connection breaks fails
 * instead.
 *
 * <p>While the connection is down, the first command after an outage starts a reconnect and is sent
 * as soon as it is open, without blocking its caller (a Netty event loop, Lettuce's or the HTTP
 * server's, may be the caller), so the first emit or read after Redis is back already goes through.
 * Commands that come while that attempt is under way, or within {@code retryAfter} after a failed
 * one, fail fast instead of piling up behind an attempt that may take the connect timeout.
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
    this.lastAttemptNanos = System.nanoTime() - retryAfter.toNanos();
  }

  /** Connects now, waiting for it: for the engine's start, where failing loudly is right. */
  synchronized void connect() {
    connection = client.connect(RedisEngine.CODEC, uri);
  }

  /**
   * Runs {@code command} on the open connection, or on the connection a reconnect opens first if
   * one is due (see the class); a command is sent at most once either way.
   */
  <T> CompletableFuture<T> send(
      Function<RedisAsyncCommands<String, byte[]>, CompletableFuture<T>> command) {
    StatefulRedisConnection<String, byte[]> c = connection;
    if (c != null && c.isOpen()) return command.apply(c.async());
    return reconnect().thenCompose(opened -> command.apply(opened.async()));
  }

  private synchronized CompletableFuture<StatefulRedisConnection<String, byte[]>> reconnect() {
    if (closed)
      return CompletableFuture.failedFuture(new EngineException("the Redis engine is closed"));
    StatefulRedisConnection<String, byte[]> c = connection;
    if (c != null && c.isOpen()) return CompletableFuture.completedFuture(c);
    if (c != null) {
      c.closeAsync();
      connection = null;
      if (lastFailure == null) lastFailure = new IllegalStateException("the connection was lost");
    }
    long now = System.nanoTime();
    if (connecting || now - lastAttemptNanos < retryAfter.toNanos()) {
      return CompletableFuture.failedFuture(unreachable());
    }
    connecting = true;
    lastAttemptNanos = now;
    return client
        .connectAsync(RedisEngine.CODEC, uri)
        .toCompletableFuture()
        .handle(
            (opened, error) -> {
              synchronized (this) {
                connecting = false;
                if (error == null && closed) {
                  opened.closeAsync();
                  throw new EngineException("the Redis engine is closed");
                }
                if (error != null) {
                  lastFailure =
                      error instanceof CompletionException && error.getCause() != null
                          ? error.getCause()
                          : error;
                  throw unreachable();
                }
                connection = opened;
                lastFailure = null;
                return opened;
              }
            });
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
