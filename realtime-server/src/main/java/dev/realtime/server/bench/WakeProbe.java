package dev.realtime.server.bench;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * How late this machine wakes a thread that sleeps 200 µs, measured for a moment before a
 * benchmark: the floor under every latency the benchmark then reports. On a shared VM it moves by a
 * factor of ten within an hour (descheduled vCPUs), so a latency figure without it cannot be
 * compared with another. {@code scripts/WakeLatency.java} measures the same, and how often a
 * running thread loses the CPU, standing alone.
 */
public record WakeProbe(double lateP50Ms, double lateP99Ms, double lateMaxMs) {
  static final long SLEEP_NANOS = 200_000;

  /**
   * Sleeps {@code sleeps} times on the calling thread (200 µs each) and reports how late it woke.
   */
  public static WakeProbe measure(int sleeps) {
    if (sleeps < 1) throw new IllegalArgumentException("sleeps < 1: " + sleeps);
    long[] late = new long[sleeps];
    for (int i = 0; i < sleeps; i++) {
      long due = System.nanoTime() + SLEEP_NANOS;
      for (long now; (now = System.nanoTime()) < due; ) LockSupport.parkNanos(due - now);
      late[i] = System.nanoTime() - due;
    }
    Arrays.sort(late);
    return new WakeProbe(
        late[sleeps / 2] / 1e6,
        late[Math.min(sleeps - 1, sleeps * 99 / 100)] / 1e6,
        late[sleeps - 1] / 1e6);
  }
}
