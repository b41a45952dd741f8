package dev.realtime.bench;

import dev.realtime.Message;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The subscriber of {@link LatencyBench}: stores each measured message's latency in arrays
 * allocated up front, so recording allocates nothing and cannot itself cause the GC pauses it is
 * trying to measure. Latency is taken both from the message's intended send time (the headline,
 * free of coordinated omission) and from its actual send time (service time, for diagnosis).
 */
final class LatencyRecorder implements Consumer<Message<Stamp>> {
  private final long[] fromIntended;
  private final long[] fromSent;
  private final AtomicLong received = new AtomicLong();

  LatencyRecorder(int capacity) {
    fromIntended = new long[capacity];
    fromSent = new long[capacity];
  }

  @Override
  public void accept(Message<Stamp> message) {
    long now = System.nanoTime(); // first thing: everything after it is not latency
    Stamp stamp = message.data();
    long seq = stamp.seq();
    if (seq >= 0) {
      fromIntended[(int) seq] = now - stamp.intendedNanos();
      fromSent[(int) seq] = now - stamp.sentNanos();
    }
    // Release: a reader that sees the count also sees the latencies written before it. Callbacks
    // of one subscription never overlap, so get-then-set loses nothing.
    received.setRelease(received.getPlain() + 1);
  }

  long received() {
    return received.getAcquire();
  }

  /** Percentiles of the first {@code count} latencies from the intended send time. */
  Percentiles fromIntended(int count) {
    return Percentiles.of(fromIntended, count);
  }

  /** Percentiles of the first {@code count} latencies from the actual send time. */
  Percentiles fromSent(int count) {
    return Percentiles.of(fromSent, count);
  }

  /** p50, p99, p99.9 and max, in nanoseconds. */
  record Percentiles(long p50, long p99, long p999, long max) {
    static Percentiles of(long[] values, int count) {
      long[] sorted = Arrays.copyOf(values, count);
      Arrays.sort(sorted);
      return new Percentiles(
          at(sorted, 0.50), at(sorted, 0.99), at(sorted, 0.999), sorted[count - 1]);
    }

    /**
     * The nearest-rank percentile: the smallest value with at least {@code p} of all at or below.
     */
    private static long at(long[] sorted, double p) {
      int rank = (int) Math.ceil(p * sorted.length);
      return sorted[Math.max(0, rank - 1)];
    }
  }
}
