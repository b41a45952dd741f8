package dev.realtime.server.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  @Test
  void percentilesAreWithinTheBucketWidthOfTheExactOnes() {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("LatencyHistogramTest seed " + seed + " (replay with -Dseed=" + seed + ")");
    Random random = new Random(seed);
    long[] values = new long[100_000];
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 0; i < values.length; i++) {
      values[i] = (long) Math.exp(random.nextDouble() * 20); // 1 µs to 8 minutes
      h.record(values[i]);
    }
    Arrays.sort(values);
    for (double p : new double[] {1, 50, 90, 99, 99.9, 100}) {
      long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
      assertThat((double) h.percentile(p)).as("p%s", p).isCloseTo(exact, within(exact / 60.0 + 1));
      assertThat(h.percentile(p)).isGreaterThanOrEqualTo(exact);
    }
    assertThat(h.max()).isEqualTo(values[values.length - 1]);
  }

  @Test
  void pairsCarryTheCountsAcrossAndAddMerges() {
    LatencyHistogram a = new LatencyHistogram(), b = new LatencyHistogram();
    for (long v = 0; v < 1000; v++) a.record(v);
    b.record(5_000_000);
    LatencyHistogram copy = LatencyHistogram.fromPairs(a.toPairs(), a.max());
    copy.add(b);
    assertThat(copy.count()).isEqualTo(1001);
    assertThat(copy.percentile(50)).isBetween(500L, 508L); // 500 is in the bucket of 500 to 503
    assertThat(copy.percentile(100)).isEqualTo(5_000_000);
    assertThat(new LatencyHistogram().percentile(99)).isEqualTo(-1);
  }

  @Test
  void everyBucketsUpperBoundMapsBackToIt() {
    for (int i = 0; i < LatencyHistogram.BUCKETS; i++) {
      long upper = LatencyHistogram.upperBound(i);
      assertThat(LatencyHistogram.index(upper)).isEqualTo(i);
      assertThat(LatencyHistogram.index(upper + 1))
          .isEqualTo(Math.min(i + 1, LatencyHistogram.BUCKETS - 1));
    }
  }
}
