package dev.realtime.redis;

import dev.realtime.EngineException;
import dev.realtime.History;
import dev.realtime.IncompatibleDataException;
import dev.realtime.spi.Append;
import dev.realtime.spi.EntryId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Sends concurrent emits to Redis several at a time: at most {@code maxInFlight} script calls are
 * outstanding, and emits that arrive meanwhile ride together in the next call (up to {@code
 * maxBatch}). A lone emit goes out at once, so batching adds no latency; under load one script call
 * carries many events, which is what lets the engine approach Redis's own pipelined ceiling (one
 * round trip and one script invocation per event cannot).
 *
 * <p>Each event of a batch is still its own atomic XADD + PEXPIRE + PUBLISH inside the script and
 * gets its own id or its own error: the batch shares only the round trip.
 *
 * <p>What waits is bounded: once {@code maxBacklogBytes} of emits are queued or in flight (a Redis
 * slower than the emit rate, or one that stalls for the command timeout), further emits fail at
 * once with an {@link EngineException} rather than pile up in the heap until it runs out. (The
 * bytes of a call that timed out are released at once, while its connection may hold them until it
 * is closed: behind a stall the heap may hold up to about twice the bound.)
 */
final class AppendBatcher {
  /** {@code awaited}: only the emitting thread waits for the result (see Engine.appendAwaited). */
  private record Pending(
      Append append, CompletableFuture<EntryId> result, boolean awaited, long bytes) {}

  /**
   * What one queued emit is counted as besides its data and names: the queue node, the future and
   * the script arguments built for it.
   */
  static final int BOOKKEEPING_BYTES = 256;

  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger inFlight = new AtomicInteger();

  /** Bytes of the emits queued or in flight, released as each one completes. */
  private final AtomicLong backlog = new AtomicLong();

  private final long maxBacklogBytes;
  private final int maxInFlight;
  private final int maxBatch;
  private final String keyPrefix;
  private final byte[] envelopeTail;
  private final BiFunction<byte[][], byte[][], CompletableFuture<List<Object>>> send;
  private final BiFunction<String, Throwable, EngineException> failure;
  private final Executor completions;
  private final AwaitedEmit.Spinning spinning;

  AppendBatcher(
      int maxInFlight,
      int maxBatch,
      long maxBacklogBytes,
      String keyPrefix,
      byte[] envelopeTail,
      BiFunction<byte[][], byte[][], CompletableFuture<List<Object>>> send,
      BiFunction<String, Throwable, EngineException> failure,
      Executor completions,
      long spinNanos) {
    this.maxInFlight = maxInFlight;
    this.maxBatch = maxBatch;
    this.maxBacklogBytes = maxBacklogBytes;
    this.keyPrefix = keyPrefix;
    this.envelopeTail = envelopeTail;
    this.send = send;
    this.failure = failure;
    this.completions = completions;
    this.spinning =
        new AwaitedEmit.Spinning(spinNanos, () -> inFlight.get() > 1 || !queue.isEmpty());
  }

  CompletableFuture<EntryId> append(Append append, boolean awaited) {
    long bytes = bytes(append);
    // Reserved only when admitted (a refused emit's bytes never count, not even for a moment, so
    // a concurrent emit cannot be refused because of it). An emit larger than the bound on its
    // own is still taken when nothing else waits: the bound is on how much piles up behind a
    // Redis that does not keep up, not on one event's size.
    for (long before = backlog.get(); ; before = backlog.get()) {
      if (before > 0 && before + bytes > maxBacklogBytes) {
        return CompletableFuture.failedFuture(
            new EngineException(
                "emit to channel '"
                    + append.channel()
                    + "' refused: "
                    + before
                    + " bytes of emits already wait for Redis, and this one ("
                    + bytes
                    + " bytes) would pass maxBacklogBytes ("
                    + maxBacklogBytes
                    + "); Redis is not keeping up with the emit rate, so retry later (nothing of"
                    + " it was stored) or raise maxBacklogBytes"));
      }
      if (backlog.compareAndSet(before, before + bytes)) break;
    }
    // Only an emitter on a platform thread may spin (see AwaitedEmit); a virtual one gets the
    // plain future, so its path is exactly what it was without spinning.
    CompletableFuture<EntryId> result =
        awaited && spinning.enabled() && !Thread.currentThread().isVirtual()
            ? new AwaitedEmit(spinning)
            : new CompletableFuture<>();
    queue.add(new Pending(append, result, awaited, bytes));
    drain();
    return result;
  }

  private void drain() {
    for (; ; ) {
      int n = inFlight.get();
      if (n >= maxInFlight || queue.isEmpty()) return;
      if (!inFlight.compareAndSet(n, n + 1)) continue;
      // Taking a batch and writing it to the connection happen under one lock, so batches reach
      // Redis in the order their emits were queued: one thread's emits are stored in the order it
      // made them, even when they ride in different batches.
      synchronized (this) {
        List<Pending> batch = new ArrayList<>();
        Pending p;
        while (batch.size() < maxBatch && (p = queue.poll()) != null) batch.add(p);
        if (batch.isEmpty()) {
          inFlight.decrementAndGet(); // someone else took them; look again
          continue;
        }
        if (n == 0 && batch.size() == 1 && batch.get(0).result() instanceof AwaitedEmit alone) {
          alone.sentAlone(); // its emitter may spin for the reply: nothing else is under way
        }
        sendBatch(batch);
      }
    }
  }

  /** What an emit holds while it waits: its data, its names and {@link #BOOKKEEPING_BYTES}. */
  static long bytes(Append append) {
    return (long) append.data().json().length
        + 2L * (append.channel().length() + append.event().length())
        + BOOKKEEPING_BYTES;
  }

  /** Bytes of the emits queued or in flight (for tests). */
  long backlogBytes() {
    return backlog.get();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static final byte[] ZERO = {'0'};

  private static byte[] decimal(long n) {
    return n == 0 ? ZERO : utf8(Long.toString(n));
  }

  private void sendBatch(List<Pending> batch) {
    byte[][] keys = new byte[batch.size()][];
    byte[][] args = new byte[1 + batch.size() * 6][];
    args[0] = envelopeTail;
    for (int i = 0; i < batch.size(); i++) {
      Append a = batch.get(i).append();
      History h = a.retention();
      byte[] channel = utf8(a.channel());
      byte[] key = keyPrefix.isEmpty() ? channel : utf8(keyPrefix + a.channel());
      keys[i] = key;
      int at = 1 + i * 6;
      args[at] = a.data().json(); // the JSON encoded once at emit, sent as is
      args[at + 1] = utf8(a.event());
      args[at + 2] = channel;
      args[at + 3] = key; // the Pub/Sub channel has the stream's name
      args[at + 4] = decimal(h.maxLength());
      args[at + 5] = decimal(h.expireAfter() == null ? 0 : h.expireAfter().toMillis());
    }
    CompletableFuture<List<Object>> call;
    try {
      call = send.apply(keys, args);
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    boolean lone = batch.size() == 1 && batch.get(0).awaited();
    call.whenComplete(
        (reply, error) -> {
          if (lone && inFlight.get() == 1 && queue.isEmpty()) {
            // The only emit under way, and only its blocked emitter waits for it: complete it
            // right on Lettuce's event loop, one thread hand-off less (+10-18 % emits/s at
            // concurrency 1). Not when others wait: a woken emitter would then send its next emit
            // alone instead of joining the batch that the completing thread takes below (-13 % at
            // concurrency 32), and waking several emitters there delays the loop's next read.
            inFlight.decrementAndGet();
            complete(batch, reply, error);
            // An emit queued since the check, with the in-flight limit reached, left sending it
            // to this completion.
            if (!queue.isEmpty()) offLoop(this::drain);
            return;
          }
          // Off Lettuce's event loop: callers' continuations and the next batch (sending may
          // have to reconnect, a blocking call) must not run there.
          offLoop(
              () -> {
                // Blocking emitters woken here mostly emit again at once. This call keeps its
                // slot for one yield, which lets emitters woken on this scheduler run first (a
                // heuristic: nothing waits for them), so their next emits queue and go out
                // together in the drain below instead of the first of them going out alone:
                // +12 % emits/s at concurrency 32 (docs/BENCHMARKS.md, seventh session).
                // Async emits' continuations ran inside complete(): nothing to wait for.
                boolean wakesEmitters = anyAwaited(batch);
                if (!wakesEmitters) inFlight.decrementAndGet();
                try {
                  complete(batch, reply, error);
                  if (wakesEmitters) Thread.yield();
                } finally {
                  // Whatever complete() did, the slot comes back and queued emits go out.
                  if (wakesEmitters) inFlight.decrementAndGet();
                  drain();
                }
              });
        });
  }

  private static boolean anyAwaited(List<Pending> batch) {
    for (Pending p : batch) {
      if (p.awaited()) return true;
    }
    return false;
  }

  private void offLoop(Runnable task) {
    try {
      completions.execute(task);
    } catch (RejectedExecutionException closed) {
      // The engine is closed: each send fails at once, and its completion drains the next batch.
      // Run here, that would recurse once per batch on this stack, and a long queue would
      // overflow it (leaving a batch taken and never completed): a thread of its own instead.
      Thread.ofVirtual().name("realtime-redis-closing").start(task);
    }
  }

  /** Completes every emit of the batch; never throws, so no emitter is left waiting. */
  private void complete(List<Pending> batch, List<Object> reply, Throwable error) {
    for (int i = 0; i < batch.size(); i++) {
      Pending pending = batch.get(i);
      backlog.addAndGet(-pending.bytes()); // before the caller hears: its next emit has the room
      String channel = pending.append().channel();
      if (error != null) {
        EngineException failed;
        try {
          failed = failure.apply("emit to channel '" + channel + "'", error);
        } catch (RuntimeException mapping) {
          failed = new EngineException("emit to channel '" + channel + "' failed: " + error, error);
          failed.addSuppressed(mapping);
        }
        pending.result().completeExceptionally(failed);
        continue;
      }
      try {
        String id = new String((byte[]) reply.get(i), StandardCharsets.UTF_8);
        if (id.startsWith("ERR ")) {
          String what = "emit to channel '" + channel + "' failed: " + id.substring(4);
          pending
              .result()
              .completeExceptionally(
                  isLasting(id) ? new IncompatibleDataException(what) : new EngineException(what));
        } else {
          pending.result().complete(EntryId.parse(id));
        }
      } catch (RuntimeException unexpected) {
        pending
            .result()
            .completeExceptionally(
                new EngineException(
                    "emit to channel '"
                        + channel
                        + "' got a reply from Redis that is not an entry id: "
                        + unexpected,
                    unexpected));
      }
    }
  }

  /**
   * Whether a Redis error about an emit is lasting, the channel's data being in the way (trying
   * again cannot help): a key of another type (append.lua's answer), or a stream that used up the
   * last possible id (another writer's explicit ids). Else it may be transient.
   */
  static boolean isLasting(String redisError) {
    return (redisError.contains("the key ") && redisError.contains(", not a stream"))
        || redisError.contains("WRONGTYPE")
        || redisError.contains("exhausted the last possible ID");
  }
}
