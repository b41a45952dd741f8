package dev.realtime.bench;

/**
 * The payload of {@link LatencyBench}: when the message was meant to be sent and when it really
 * was, both {@link System#nanoTime()} of the emitting thread (same JVM, so comparable with the
 * subscriber's clock).
 *
 * @param seq index into the recorder's preallocated arrays, or -1 for a warm-up message
 * @param intendedNanos the message's slot in the fixed-rate schedule; latency is measured from here
 *     so that an emitter that fell behind cannot hide the delay (coordinated omission)
 * @param sentNanos when emit was actually called; latency from here is the "service time" figure
 */
public record Stamp(long seq, long intendedNanos, long sentNanos) {
  /** The event name {@link BenchRealtime} registers this record under. */
  public static final String EVENT = "bench.stamp";
}
