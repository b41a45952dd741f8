package dev.realtime.bench;

import dev.realtime.Gap;
import dev.realtime.Message;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Lets the benchmark thread wait until each subscriber has received a given number of messages, so
 * that a benchmark measures messages <em>delivered</em>, not just appended.
 *
 * <p>Why not spin on counters: the machine has 2 cores, and a waiter that spins for the whole
 * delivery would take one of them from the subscribers it waits for. So the waiter spins only
 * briefly (short operations finish within it) and then parks; the last subscriber to arrive unparks
 * it. The subscriber's per-message cost is a plain increment and one volatile read.
 *
 * <p>Gaps and errors are counted, not thrown: a subscription with a gap skipped messages, so it
 * would never reach its target, and {@link #await} fails with the counts after a timeout instead of
 * hanging the benchmark.
 */
final class DeliveryBarrier {
  private static final int SPINS = 2_000; // roughly 20-50 µs of PAUSE before parking
  private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong gaps = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private volatile long target;
  private volatile Thread waiter;

  /** A new subscriber's onData; counts from zero. */
  Receiver receiver() {
    return new Receiver();
  }

  /** An onGap handler that counts: a gap in a benchmark means it measured the wrong thing. */
  Consumer<Gap> gapCounter() {
    return gap -> gaps.incrementAndGet();
  }

  /** An onError handler that counts. */
  Consumer<Throwable> errorCounter() {
    return error -> errors.incrementAndGet();
  }

  long gaps() {
    return gaps.get();
  }

  long errors() {
    return errors.get();
  }

  /**
   * Arms the barrier before the messages are emitted: {@code subscribers} receivers must each reach
   * {@code total} received messages (counted since each receiver was created).
   */
  void expect(int subscribers, long total) {
    waiter = Thread.currentThread();
    pending.set(subscribers); // before target: a receiver that sees the new target finds it set
    target = total;
  }

  /** Waits until every expected receiver arrived. */
  void await() {
    for (int i = 0; i < SPINS; i++) {
      if (pending.get() == 0) return;
      Thread.onSpinWait();
    }
    long deadline = System.nanoTime() + TIMEOUT_NANOS;
    while (pending.get() != 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new IllegalStateException(
            pending.get()
                + " subscriber(s) did not receive "
                + target
                + " messages within 60 s (gaps="
                + gaps.get()
                + ", errors="
                + errors.get()
                + "): delivery is stuck or messages were skipped");
      }
      LockSupport.parkNanos(this, left);
    }
  }

  private void arrive() {
    if (pending.decrementAndGet() == 0) LockSupport.unpark(waiter);
  }

  /** One subscriber's onData. Its callbacks never overlap, so plain fields are enough. */
  final class Receiver implements Consumer<Message<?>> {
    private long received;
    private long runs;
    private Thread lastThread;

    @Override
    public void accept(Message<?> message) {
      // Diagnostic: the default executor starts a new virtual thread each time an idle
      // subscription is woken, so thread changes count delivery runs (received / runs is how many
      // messages one wake-up delivered on average).
      Thread current = Thread.currentThread();
      if (current != lastThread) {
        lastThread = current;
        runs++;
      }
      if (++received == target) arrive();
    }

    long received() {
      return received;
    }

    long runs() {
      return runs;
    }
  }
}
