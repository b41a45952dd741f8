package dev.realtime.server.bench;

import java.util.Arrays;

/**
 * Counts of non-negative values (microseconds here) in log-linear buckets: exact below 128, then 64
 * buckets per power of two, so a percentile read back is at most 1.6 % above the true value. One
 * array of 2,304 longs, allocated once; recording is an index computation and an increment, cheap
 * enough for every delivery on the client's event loop. Not thread-safe: one writer, merged
 * afterwards.
 */
public final class LatencyHistogram {
  private static final int LINEAR = 128;
  private static final int SUB_BITS = 6; // 64 buckets per power of two from 128 up
  private static final int SUB = 1 << SUB_BITS;
  private static final int MAX_EXPONENT = 40; // 2^41 µs is 25 days: everything above is clamped
  static final int BUCKETS = LINEAR + (MAX_EXPONENT - 7 + 1) * SUB;

  private final long[] counts = new long[BUCKETS];
  private long total;
  private long max;

  public void record(long value) {
    long v = Math.max(0, value);
    counts[index(v)]++;
    total++;
    if (v > max) max = v;
  }

  public long count() {
    return total;
  }

  public long max() {
    return max;
  }

  /**
   * The value at or below which {@code percent} of the recorded values lie (nearest rank, the
   * bucket's upper bound but never above the maximum recorded), or -1 when nothing was recorded.
   */
  public long percentile(double percent) {
    if (total == 0) return -1;
    long rank = Math.max(1, (long) Math.ceil(percent / 100.0 * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) return Math.min(upperBound(i), max);
    }
    return max;
  }

  public void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) counts[i] += other.counts[i];
    total += other.total;
    max = Math.max(max, other.max);
  }

  /** The non-empty buckets as {@code [index, count, index, count, ...]}, to send elsewhere. */
  public long[] toPairs() {
    long[] pairs = new long[2 * BUCKETS];
    int n = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (counts[i] == 0) continue;
      pairs[n++] = i;
      pairs[n++] = counts[i];
    }
    return Arrays.copyOf(pairs, n);
  }

  /** The inverse of {@link #toPairs()}, with the maximum recorded value. */
  public static LatencyHistogram fromPairs(long[] pairs, long max) {
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      int index = (int) pairs[i];
      if (index < 0 || index >= BUCKETS) {
        throw new IllegalArgumentException("histogram bucket " + index + " is not 0 to " + BUCKETS);
      }
      h.counts[index] += pairs[i + 1];
      h.total += pairs[i + 1];
    }
    h.max = max;
    return h;
  }

  static int index(long v) {
    if (v < LINEAR) return (int) v;
    int exponent = 63 - Long.numberOfLeadingZeros(v); // 7 or more
    if (exponent > MAX_EXPONENT) return BUCKETS - 1;
    int shift = exponent - SUB_BITS;
    int sub = (int) (v >>> shift) - SUB; // 0 to 63
    return LINEAR + (exponent - 7) * SUB + sub;
  }

  /** The largest value bucket {@code i} holds. */
  static long upperBound(int i) {
    if (i < LINEAR) return i;
    int exponent = (i - LINEAR) / SUB + 7;
    int sub = (i - LINEAR) % SUB;
    return ((long) (SUB + sub + 1) << (exponent - SUB_BITS)) - 1;
  }
}
