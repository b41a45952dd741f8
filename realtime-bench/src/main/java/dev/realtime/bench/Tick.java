package dev.realtime.bench;

/**
 * The payload of the throughput and history benchmarks: a small record, the shape a typical chat or
 * progress event has. A record of immutable components is handed to in-process subscribers as
 * emitted (no JSON decode), so the benchmarks measure the library's own path, not Jackson's parser;
 * the JSON encode on emit is still paid, as every emit pays it.
 */
public record Tick(long seq, String text) {
  /** The event name {@link BenchRealtime} registers this record under. */
  public static final String EVENT = "bench.tick";
}
