package dev.realtime.memory;

import dev.realtime.EngineException;
import dev.realtime.spi.Append;
import dev.realtime.spi.ChannelWatch;
import dev.realtime.spi.Engine;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogState;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import dev.realtime.spi.WatchListener;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The embedded engine: every channel's log in this JVM's memory, nothing to install or run.
 *
 * <p>Appends wake watchers on the appending thread, right after the entry is visible. Expiry is
 * exact, checked on every access; a background sweeper (one daemon thread, started only once an
 * expiring channel exists) also visits expiring channels every second so that memory of idle
 * channels is given back without anyone touching them.
 */
public final class MemoryEngine implements Engine {
  private static final ReadResult NOTHING = new ReadResult(List.of(), LogState.EMPTY);
  static final long SWEEP_INTERVAL_MS = 1000;

  private final ConcurrentHashMap<String, ChannelLog> logs = new ConcurrentHashMap<>();
  private final LongSupplier clock;
  private volatile boolean closed;
  private volatile ScheduledExecutorService sweeper;

  private MemoryEngine(LongSupplier clock) {
    this.clock = clock;
  }

  public static MemoryEngine create() {
    return new MemoryEngine(System::currentTimeMillis);
  }

  /** An engine whose ids and expiry follow {@code millisClock} (for tests and simulations). */
  public static MemoryEngine create(LongSupplier millisClock) {
    return new MemoryEngine(Objects.requireNonNull(millisClock, "millisClock"));
  }

  @Override
  public CompletableFuture<EntryId> append(Append append) {
    if (closed) return CompletableFuture.failedFuture(closedException());
    for (; ; ) {
      ChannelLog log = logs.computeIfAbsent(append.channel(), ChannelLog::new);
      EntryId id = log.append(append, clock.getAsLong());
      if (id == null) { // retired by the sweeper meanwhile
        logs.remove(append.channel(), log);
        continue;
      }
      if (append.retention().expireAfter() != null && sweeper == null) startSweeper();
      log.notifyWatchers();
      return CompletableFuture.completedFuture(id);
    }
  }

  @Override
  public CompletableFuture<ReadResult> read(String channel, Range range) {
    if (closed) return CompletableFuture.failedFuture(closedException());
    ChannelLog log = logs.get(channel);
    return CompletableFuture.completedFuture(
        log == null ? NOTHING : log.read(range, clock.getAsLong()));
  }

  @Override
  public ChannelWatch watch(String channel, WatchListener listener) {
    if (closed) throw closedException();
    // A distinct object per watch, so the same listener may be registered twice.
    WatchListener watcher = listener::onAppend;
    for (; ; ) {
      ChannelLog log = logs.computeIfAbsent(channel, ChannelLog::new);
      if (log.addWatcher(watcher)) {
        return () -> {
          if (log.removeWatcher(watcher)) logs.remove(channel, log);
        };
      }
      logs.remove(channel, log);
    }
  }

  /** How many channels hold a log (entries or watchers) right now. */
  public int channelCount() {
    return logs.size();
  }

  private synchronized void startSweeper() {
    if (sweeper != null || closed) return;
    ScheduledExecutorService s =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "realtime-memory-expiry");
              t.setDaemon(true);
              return t;
            });
    s.scheduleWithFixedDelay(
        this::sweep, SWEEP_INTERVAL_MS, SWEEP_INTERVAL_MS, TimeUnit.MILLISECONDS);
    sweeper = s;
  }

  /** Expires idle channels and drops the ones left empty and unwatched. */
  void sweep() {
    long now = clock.getAsLong();
    logs.forEach(
        (channel, log) -> {
          if (log.needsSweep() && log.sweep(now)) logs.remove(channel, log);
        });
  }

  private static EngineException closedException() {
    return new EngineException("the memory engine is closed");
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (sweeper != null) sweeper.shutdownNow();
    logs.clear();
  }
}
