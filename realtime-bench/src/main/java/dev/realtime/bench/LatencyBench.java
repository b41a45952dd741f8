package dev.realtime.bench;

import dev.realtime.Channel;
import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import dev.realtime.Subscription;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Emit-to-onData latency at a fixed rate, on the in-memory engine: one channel, one subscriber. Not
 * JMH: JMH measures how long calls take, and this needs a load of a given rate, with the latency of
 * each message as seen by its subscriber. Prints one JSON line on stdout.
 *
 * <pre>
 * java -cp realtime-bench/target/benchmarks.jar dev.realtime.bench.LatencyBench \
 *     [--rate 100000] [--seconds 10] [--warmup 3] [--max-length 10000]
 * </pre>
 *
 * <p>The schedule avoids coordinated omission: message {@code i} has its send time fixed up front
 * at {@code start + i / rate}, and its latency is measured from that time. An emitter that stalls
 * (a GC pause, a slow emit) then sends the delayed messages late, and their latency shows the
 * stall, instead of the stall vanishing because nothing was sent during it. The emitter spins
 * rather than sleeps between messages, because at 100,000 msg/s the gap (10 µs) is far below what a
 * sleep can hit; that spinning takes one of the machine's cores for the whole run.
 *
 * <p>Warm-up runs the same load first (so the JIT has compiled the emit and delivery paths), its
 * messages are not recorded, and the measured run starts with a fresh schedule once the subscriber
 * has caught up, so a warm-up backlog cannot leak into the figures.
 */
public final class LatencyBench {
  private LatencyBench() {}

  public static void main(String[] args) throws InterruptedException {
    int rate = intArg(args, "--rate", 100_000);
    int seconds = intArg(args, "--seconds", 10);
    int warmupSeconds = intArg(args, "--warmup", 3);
    // The library's default retention, so the figure is what an unconfigured Realtime gives. It
    // matters: the retained entries are live objects that every young GC copies, so a longer
    // history means longer pauses (see docs/BENCHMARKS.md). A subscriber that stalls for longer
    // than the retained messages last (0.1 s at 100,000 msg/s) is reported as a gap.
    int maxLength = intArg(args, "--max-length", (int) History.DEFAULT_MAX_LENGTH);
    long warmupCount = (long) rate * warmupSeconds;
    long count = (long) rate * seconds;
    if (count > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("rate * seconds too big");

    AtomicLong gaps = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    LatencyRecorder recorder = new LatencyRecorder((int) count);
    try (Realtime realtime = BenchRealtime.create(maxLength)) {
      Channel channel = realtime.channel("bench-latency");
      Subscription subscription =
          channel.subscribe(
              Subscribe.to(Stamp.class)
                  .onData(recorder)
                  .onGap(gap -> gaps.incrementAndGet())
                  .onError(error -> errors.incrementAndGet()));

      System.err.printf("warm-up: %d msg/s for %d s%n", rate, warmupSeconds);
      run(channel, rate, warmupCount, false);
      awaitReceived(recorder, warmupCount);
      Thread.sleep(200); // let the delivery thread go idle, as it would be between bursts

      System.err.printf("measuring: %d msg/s for %d s%n", rate, seconds);
      GcActivity gc = GcActivity.start();
      Run run = run(channel, rate, count, true);
      awaitReceived(recorder, warmupCount + count);
      String gcDuringRun = gc.sinceStart();
      subscription.unsubscribe();

      LatencyRecorder.Percentiles total = recorder.fromIntended((int) count);
      LatencyRecorder.Percentiles service = recorder.fromSent((int) count);
      double achieved = count / (run.elapsedNanos / 1e9);
      System.out.println(
          String.format(
              Locale.ROOT,
              "{\"bench\":\"latency\",\"engine\":\"memory\",\"target_rate\":%d,"
                  + "\"achieved_rate\":%.0f,\"seconds\":%d,\"messages\":%d,"
                  + "\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,"
                  + "\"service_p50_us\":%.1f,\"service_p99_us\":%.1f,\"service_p999_us\":%.1f,"
                  + "\"service_max_us\":%.1f,\"max_emit_lag_us\":%.1f,\"gaps\":%d,\"errors\":%d,"
                  + "\"max_length\":%d,\"gc\":%s,\"cores\":%d,\"jdk\":\"%s\"}",
              rate,
              achieved,
              seconds,
              count,
              us(total.p50()),
              us(total.p99()),
              us(total.p999()),
              us(total.max()),
              us(service.p50()),
              us(service.p99()),
              us(service.p999()),
              us(service.max()),
              us(run.maxLagNanos),
              gaps.get(),
              errors.get(),
              maxLength,
              gcDuringRun,
              Runtime.getRuntime().availableProcessors(),
              Runtime.version()));
    }
  }

  /** How a run went: its duration and how far behind its schedule the emitter ever was. */
  private record Run(long elapsedNanos, long maxLagNanos) {}

  /** Emits {@code count} stamps on a fixed schedule of {@code rate} per second. */
  private static Run run(Channel channel, int rate, long count, boolean record) {
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
      channel.emit(Stamp.EVENT, new Stamp(record ? i : -1, intended, now));
    }
    return new Run(System.nanoTime() - start, maxLag);
  }

  private static void awaitReceived(LatencyRecorder recorder, long expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (recorder.received() < expected) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the subscriber received " + recorder.received() + " of " + expected + " in 60 s");
      }
      Thread.sleep(1);
    }
  }

  private static double us(long nanos) {
    return nanos / 1_000.0;
  }

  /** {@code --name value} or {@code --name=value}; {@code fallback} when absent. */
  private static int intArg(String[] args, String name, int fallback) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(name) && i + 1 < args.length) return Integer.parseInt(args[i + 1]);
      if (args[i].startsWith(name + "="))
        return Integer.parseInt(args[i].substring(name.length() + 1));
    }
    return fallback;
  }
}
