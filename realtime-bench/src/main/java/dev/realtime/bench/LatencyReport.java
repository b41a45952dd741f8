package dev.realtime.bench;

import java.util.Locale;

/**
 * The one JSON line a latency run prints: percentiles from the intended send time (the headline),
 * from the actual send time ("service_", for diagnosis), the achieved rate, and what else the
 * figures depend on (GC activity, history length, executor, cores, JDK).
 */
final class LatencyReport {
  private LatencyReport() {}

  static String json(
      String bench,
      LatencyArgs args,
      FixedRateSchedule.Run run,
      LatencyRecorder recorder,
      String gc,
      long gaps,
      long errors) {
    int count = args.count();
    LatencyRecorder.Percentiles total = recorder.fromIntended(count);
    LatencyRecorder.Percentiles service = recorder.fromSent(count);
    return String.format(
        Locale.ROOT,
        "{\"bench\":\"%s\",\"target_rate\":%d,\"achieved_rate\":%.0f,\"seconds\":%d,"
            + "\"messages\":%d,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,"
            + "\"service_p50_us\":%.1f,\"service_p99_us\":%.1f,\"service_p999_us\":%.1f,"
            + "\"service_max_us\":%.1f,\"max_emit_lag_us\":%.1f,\"gaps\":%d,\"errors\":%d,"
            + "\"max_length\":%d,\"executor\":\"%s\",\"gc\":%s,\"cores\":%d,\"jdk\":\"%s\"}",
        bench,
        args.rate(),
        count / (run.elapsedNanos() / 1e9),
        args.seconds(),
        count,
        us(total.p50()),
        us(total.p99()),
        us(total.p999()),
        us(total.max()),
        us(service.p50()),
        us(service.p99()),
        us(service.p999()),
        us(service.max()),
        us(run.maxLagNanos()),
        gaps,
        errors,
        args.maxLength(),
        args.executor(),
        gc,
        Runtime.getRuntime().availableProcessors(),
        Runtime.version());
  }

  private static double us(long nanos) {
    return nanos / 1_000.0;
  }
}
