package dev.realtime.redis;

import dev.realtime.spi.EntryId;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;

/**
 * The result of a blocking emit ({@code Engine.appendAwaited}): its emitter waits in {@link #join}
 * or {@link #get}. When the emit went to Redis alone, with nothing else under way, an emitter on a
 * platform thread keeps its CPU for up to the engine's {@code spinWait} before it parks, yielding
 * to whatever else is runnable meanwhile: a Redis on the same host answers within that time, and an
 * emitter that never parked needs no other thread to wake it (a futex wake-up, and on a virtual
 * machine often an idle CPU's wake-up too, each about as long as the round trip itself). Measured
 * at concurrency 1: 1.6 to 1.75 times the emits per second, with or without a subscriber in the
 * same process (docs/BENCHMARKS.md, seventh session). Spinning stops as soon as other emits are
 * under way (their replies are completed on another thread). An interrupt is noticed once the spin
 * ends, at most the budget later. A virtual thread parks at once: yielding would unmount it, and
 * spinning would hold a carrier that other virtual threads (the engine's deliveries among them)
 * need; both were measured to delay deliveries.
 */
final class AwaitedEmit extends CompletableFuture<EntryId> {
  private final Spinning spinning;
  private volatile boolean alone;

  AwaitedEmit(Spinning spinning) {
    this.spinning = spinning;
  }

  /** It went to Redis in a call of its own, with no other call outstanding. */
  void sentAlone() {
    alone = true;
  }

  boolean isAlone() {
    return alone;
  }

  @Override
  public EntryId join() {
    spin();
    return super.join();
  }

  @Override
  public EntryId get() throws InterruptedException, ExecutionException {
    spin();
    return super.get();
  }

  private void spin() {
    if (alone && !isDone() && !Thread.currentThread().isVirtual()) spinning.await(this);
  }

  /**
   * The engine's spin budget, and whether spinning has been paying off lately: each wait that got
   * its reply in time earns a credit (up to {@link #MAX_CREDIT}), each that did not costs {@link
   * #MISS_COST}; out of credit, the next {@link #SKIP} lone emits park at once, then spinning is
   * tried again. A few misses in a hundred (a scheduling hiccup) keep it on; a Redis that never
   * answers within the budget turns it off but for a few spins in a hundred emits.
   */
  static final class Spinning {
    static final int MAX_CREDIT = 16;
    static final int MISS_COST = 4;
    static final int SKIP = 100;

    private final long budgetNanos;
    private final BooleanSupplier crowded;
    // Hints, read and written by emitters without a lock: a lost update only shifts a decision.
    private int credit = MAX_CREDIT;
    private int skip;
    private int spins; // for tests
    private int misses; // for tests

    /**
     * @param crowded whether other emits are under way or waiting now: the reply then goes to
     *     another thread to complete (see AppendBatcher), so the emitter stops spinning and parks,
     *     without counting a miss
     */
    Spinning(long budgetNanos, BooleanSupplier crowded) {
      this.budgetNanos = budgetNanos;
      this.crowded = crowded;
    }

    Spinning(long budgetNanos) {
      this(budgetNanos, () -> false);
    }

    boolean enabled() {
      return budgetNanos > 0;
    }

    /** Waits for {@code reply} on this CPU for up to the budget, unless spinning does not pay. */
    void await(CompletableFuture<?> reply) {
      if (budgetNanos <= 0) return;
      if (skip > 0) {
        skip--;
        return;
      }
      spins++;
      long deadline = System.nanoTime() + budgetNanos;
      while (!reply.isDone()) {
        if (crowded.getAsBoolean()) return;
        if (System.nanoTime() - deadline > 0) {
          misses++;
          credit -= MISS_COST;
          if (credit <= 0) {
            credit = MAX_CREDIT / 2;
            skip = SKIP;
          }
          return;
        }
        // Not Thread.onSpinWait(): a thread delivering to a subscriber in this process may need
        // this CPU, and a pure spin delayed its deliveries (p99 0.15 ms to 1.5-3 ms at
        // concurrency 1); yielding kept them as they were, with as many emits per second.
        Thread.yield();
      }
      if (credit < MAX_CREDIT) credit++;
    }

    int spins() {
      return spins;
    }

    int misses() {
      return misses;
    }
  }
}
