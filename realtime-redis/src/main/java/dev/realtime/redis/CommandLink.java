package dev.realtime.redis;

import dev.realtime.EngineException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>Every connection it opens loads the link's scripts ({@code SCRIPT LOAD}) before any command is
 * sent on it, so that after a restart or a failover a script call does not find the script missing
 * (which for an append would mean failing it: see {@link LuaScript}). When Redis refuses {@code
 * SCRIPT LOAD} (an ACL without it), the connection sends the scripts' text instead.
 */
final class CommandLink implements AutoCloseable {
  private final RedisClient client;
  private final RedisURI uri;
  private final Duration retryAfter;
  private final List<LuaScript> scripts;
  private volatile Session session;
  private long lastAttemptNanos;
  private boolean connecting;
  private Throwable lastFailure;
  private boolean closed;

  /** {@code scripts}: what every connection of this link loads before its first command. */
  CommandLink(RedisClient client, RedisURI uri, Duration retryAfter, LuaScript... scripts) {
    this.client = client;
    this.uri = uri;
    this.retryAfter = retryAfter;
    this.scripts = List.of(scripts);
    this.lastAttemptNanos = System.nanoTime() - retryAfter.toNanos();
  }

  /**
   * Connects now and loads the scripts, waiting up to {@code timeout} for them: for the engine's
   * start, where failing loudly is right.
   */
  synchronized void connect(Duration timeout) throws Exception {
    Session opened = new Session(client.connect(RedisEngine.CODEC, uri), scripts);
    session = opened;
    opened.load().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Runs {@code command} on the open connection, or on the connection a reconnect opens first if
   * one is due (see the class); a command is sent at most once either way.
   */
  <T> CompletableFuture<T> send(Function<Session, CompletableFuture<T>> command) {
    Session s = session;
    if (s != null && s.connection.isOpen()) return closingOnTimeout(s, command.apply(s));
    return reconnect(command);
  }

  /**
   * After a command timed out, a PING on its connection (with the same timeout) tells a busy Redis
   * from a dead path: one that does not answer either closes the connection, so the next command
   * reconnects. A connection that stopped passing bytes without being closed (a network partition,
   * a failover to another address, a stalled proxy) would otherwise time out every command for good
   * while a new one would work; a Redis busy for a while (a long script) keeps it, and the commands
   * behind the one that timed out get their answers. Commands in flight on a closed connection fail
   * as possibly carried out, as after any drop.
   */
  private <T> CompletableFuture<T> closingOnTimeout(Session s, CompletableFuture<T> sent) {
    sent.whenComplete(
        (result, error) -> {
          if (error == null || !(unwrap(error) instanceof RedisCommandTimeoutException)) return;
          if (!s.checking.compareAndSet(false, true)) return; // one check at a time
          s.commands()
              .ping()
              .whenComplete(
                  (pong, pingError) -> {
                    s.checking.set(false);
                    if (pingError != null
                        && unwrap(pingError) instanceof RedisCommandTimeoutException) {
                      s.connection.closeAsync();
                    }
                  });
        });
    return sent;
  }

  private synchronized <T> CompletableFuture<T> reconnect(
      Function<Session, CompletableFuture<T>> command) {
    if (closed)
      return CompletableFuture.failedFuture(new EngineException("the Redis engine is closed"));
    Session s = session;
    if (s != null && s.connection.isOpen()) return closingOnTimeout(s, command.apply(s));
    if (s != null) {
      s.connection.closeAsync();
      session = null;
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
        .thenCompose(
            connection -> {
              Session opened = new Session(connection, scripts);
              return opened
                  .load()
                  .whenComplete(
                      (loaded, error) -> {
                        if (error != null) connection.closeAsync();
                      });
            })
        .handle(
            (opened, error) -> {
              synchronized (this) {
                connecting = false;
                if (error == null && closed) {
                  opened.connection.closeAsync();
                  throw new EngineException("the Redis engine is closed");
                }
                if (error != null) {
                  lastFailure = unwrap(error);
                  throw unreachable();
                }
                lastFailure = null;
                // The command that reconnected is written before the session is published: a
                // command of another thread, sent once it sees the session, cannot overtake it
                // (one thread's emits are stored in the order it made them, AppendBatcher).
                CompletableFuture<T> sent;
                try {
                  sent = closingOnTimeout(opened, command.apply(opened));
                } catch (RuntimeException e) {
                  sent = CompletableFuture.failedFuture(e);
                }
                session = opened;
                return sent;
              }
            })
        .thenCompose(sent -> sent);
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
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
    if (session != null) session.connection.close();
  }

  /** An open connection, and whether the link's scripts are loaded on it. */
  static final class Session {
    private static final int NOT_LOADED = 0; // scripts go as text until a SCRIPT LOAD goes through
    private static final int LOADED = 1; // EVALSHA
    private static final int REFUSED = 2; // an ACL refuses SCRIPT LOAD: text, always

    /** How long after a SCRIPT LOAD that failed for another reason (BUSY, LOADING) to try again. */
    static final long RELOAD_AFTER_NANOS = 1_000_000_000L;

    final StatefulRedisConnection<String, byte[]> connection;
    private final List<LuaScript> scripts;
    private final AtomicInteger state = new AtomicInteger(NOT_LOADED);
    private final AtomicBoolean loading = new AtomicBoolean();
    final AtomicBoolean checking = new AtomicBoolean(); // a PING after a timeout is under way
    private volatile long nextLoadNanos;

    private Session(StatefulRedisConnection<String, byte[]> connection, List<LuaScript> scripts) {
      this.connection = connection;
      this.scripts = scripts;
    }

    RedisAsyncCommands<String, byte[]> commands() {
      return connection.async();
    }

    /**
     * Whether {@code script} can be run by its SHA1 here: a SCRIPT LOAD of it went through. While
     * not, a new SCRIPT LOAD is sent now and then (one that failed for a passing reason).
     */
    boolean hasLoaded(LuaScript script) {
      int s = state.get();
      if (s == LOADED) return scripts.contains(script);
      if (s == NOT_LOADED && System.nanoTime() - nextLoadNanos >= 0) load();
      return false;
    }

    /**
     * Loads every script, unless a load is under way; completes with this session once Redis
     * answered, or exceptionally when the connection failed. An ACL's refusal (NOPERM) leaves the
     * session sending the text for good; another error reply (BUSY, LOADING) for a second, then it
     * is tried again.
     */
    CompletableFuture<Session> load() {
      if (!loading.compareAndSet(false, true)) return CompletableFuture.completedFuture(this);
      nextLoadNanos = System.nanoTime() + RELOAD_AFTER_NANOS;
      CompletableFuture<?>[] loads = new CompletableFuture<?>[scripts.size()];
      for (int i = 0; i < loads.length; i++) loads[i] = scripts.get(i).loadInto(commands());
      return CompletableFuture.allOf(loads)
          .handle(
              (done, error) -> {
                loading.set(false);
                Throwable cause = error == null ? null : unwrap(error);
                if (cause == null) {
                  state.compareAndSet(NOT_LOADED, LOADED);
                } else if (cause instanceof RedisCommandExecutionException refused) {
                  String why = String.valueOf(refused.getMessage());
                  if (why.startsWith("NOPERM") || why.startsWith("ERR unknown command")) {
                    state.set(REFUSED);
                  }
                } else {
                  throw new CompletionException(cause);
                }
                return this;
              });
    }

    /**
     * A call found a script gone while the connection stayed open: calls send the text until a new
     * SCRIPT LOAD has gone through (it is ahead of every later call on the connection, so once it
     * is answered they can use the SHA1 again).
     */
    void lost() {
      if (state.compareAndSet(LOADED, NOT_LOADED)) {
        nextLoadNanos = System.nanoTime();
        load();
      }
    }
  }
}
