package dev.realtime.bench;

import java.util.concurrent.TimeUnit;

/**
 * Sends stamps at a fixed rate without coordinated omission: message {@code i} has its send time
 * fixed up front at {@code start + i / rate}, and the stamp carries that time, so the receiver
 * measures latency from it. A sender that stalls (a GC pause, a slow send) then sends the delayed
 * messages late, and their latency shows the stall, instead of the stall vanishing because nothing
 * was sent during it.
 *
 * <p>The sender spins rather than sleeps between messages, because at 100,000 msg/s the gap (10 µs)
 * is far below what a sleep can hit; that spinning takes one core for the whole run.
 */
final class FixedRateSchedule {
  private FixedRateSchedule() {}

  /** Where the stamps go: an emit to a channel, or a bare hand-off for comparison. */
  interface Sender {
    void send(Stamp stamp);
  }

  /** How a run went: its duration and how far behind its schedule the sender ever was. */
  record Run(long elapsedNanos, long maxLagNanos) {}

  /**
   * Sends {@code count} stamps at {@code rate} per second, numbered from 0 when {@code record} (the
   * receiver records them) and -1 otherwise (warm-up).
   */
  static Run run(int rate, long count, boolean record, Sender sender) {
    long start = System.nanoTime();
    long maxLag = 0;
    for (long i = 0; i < count; i++) {
      long intended = start + i * 1_000_000_000L / rate;
      long now = System.nanoTime();
      while (now < intended) {
        Thread.onSpinWait();
        now = System.nanoTime();
      }
      maxLag = Math.max(maxLag, now - intended);
      sender.send(new Stamp(record ? i : -1, intended, now));
    }
    return new Run(System.nanoTime() - start, maxLag);
  }

  /** Waits until the recorder has received {@code expected} stamps in all; fails after 60 s. */
  static void awaitReceived(LatencyRecorder recorder, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (recorder.received() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the receiver got " + recorder.received() + " of " + expected + " messages in 60 s");
      }
      Thread.sleep(1);
    }
  }
}
