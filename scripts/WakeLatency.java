import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * How late this machine wakes a sleeping thread, and how often it takes the CPU from a running
 * one: the floor under any latency measured here. Run with a 21+ JDK: {@code java
 * scripts/WakeLatency.java} (docs/BENCHMARKS.md, "Redis engine").
 */
public class WakeLatency {
  public static void main(String[] args) {
    int n = 5_000;
    long[] late = new long[n];
    for (int i = 0; i < n; i++) {
      long due = System.nanoTime() + 200_000; // sleep 200 µs
      for (long now; (now = System.nanoTime()) < due; ) LockSupport.parkNanos(due - now);
      late[i] = System.nanoTime() - due;
    }
    Arrays.sort(late);
    System.out.printf(
        "parkNanos(200 us) woke late by: p50 %.3f p99 %.3f p99.9 %.3f max %.3f ms%n",
        late[n / 2] / 1e6, late[n * 99 / 100] / 1e6, late[n * 999 / 1000] / 1e6, late[n - 1] / 1e6);

    long end = System.nanoTime() + 5_000_000_000L, previous = System.nanoTime(), max = 0;
    int over05 = 0, over1 = 0;
    for (long now; (now = System.nanoTime()) < end; previous = now) {
      long gap = now - previous;
      if (gap > 500_000) over05++;
      if (gap > 1_000_000) over1++;
      max = Math.max(max, gap);
    }
    System.out.printf(
        "a thread spinning for 5 s lost the CPU: %d times > 0.5 ms, %d times > 1 ms, max %.3f ms%n",
        over05, over1, max / 1e6);
  }
}
