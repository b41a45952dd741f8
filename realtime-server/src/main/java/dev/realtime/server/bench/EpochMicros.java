package dev.realtime.server.bench;

import java.time.Instant;

/**
 * Wall-clock microseconds since the epoch, read from {@link System#nanoTime()} against one
 * calibration at class load. The emitter stamps each event with it and the receiving process
 * subtracts it from its own reading, so both must be the same clock to the microsecond: every JVM
 * on a machine reads the same monotonic clock, and the calibration of two processes differs by the
 * microsecond or so between the two readings here. Cheaper than {@link Instant#now()} (no
 * allocation) and never steps backwards when NTP adjusts the wall clock during a run.
 */
public final class EpochMicros {
  private static final long BASE_NANOS;
  private static final long BASE_MICROS;

  static {
    Instant now = Instant.now();
    BASE_NANOS = System.nanoTime();
    BASE_MICROS = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  private EpochMicros() {}

  public static long now() {
    return BASE_MICROS + (System.nanoTime() - BASE_NANOS) / 1_000;
  }
}
