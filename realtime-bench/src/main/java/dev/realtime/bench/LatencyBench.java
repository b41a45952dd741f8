package dev.realtime.bench;

import dev.realtime.Channel;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import dev.realtime.Subscription;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Emit-to-onData latency at a fixed rate, on the in-memory engine: one channel, one subscriber. Not
 * JMH: JMH measures how long calls take, and this needs a load of a given rate, with the latency of
 * each message as seen by its subscriber. Prints one JSON line on stdout.
 *
 * <pre>
 * java -cp realtime-bench/target/benchmarks.jar dev.realtime.bench.LatencyBench \
 *     [--rate 100000] [--seconds 10] [--warmup 3] [--max-length 10000] [--executor virtual]
 * </pre>
 *
 * <p>Messages follow a {@link FixedRateSchedule} (no coordinated omission) and carry a {@link
 * Stamp}; the subscriber is a {@link LatencyRecorder}. Warm-up runs the same load first (so the JIT
 * has compiled the emit and delivery paths), its messages are not recorded, and the measured run
 * starts with a fresh schedule once the subscriber has caught up, so a warm-up backlog cannot leak
 * into the figures. {@link HandoffBaseline} runs the same load without the library.
 */
public final class LatencyBench {
  private LatencyBench() {}

  public static void main(String[] argv) throws InterruptedException {
    LatencyArgs args = LatencyArgs.parse(argv);
    AtomicLong gaps = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    LatencyRecorder recorder = new LatencyRecorder(args.count());
    // Closed last (resources close in reverse), once the Realtime has stopped using it.
    try (ExecutorService platform = Executors.newSingleThreadExecutor();
        Realtime realtime = BenchRealtime.create(args.maxLength())) {
      Channel channel = realtime.channel("bench-latency");
      Subscribe<Stamp> request =
          Subscribe.to(Stamp.class)
              .onData(recorder)
              .onGap(gap -> gaps.incrementAndGet())
              .onError(error -> errors.incrementAndGet());
      if (args.executor().equals("platform")) request = request.executor(platform);
      Subscription subscription = channel.subscribe(request);
      FixedRateSchedule.Sender emit = stamp -> channel.emit(Stamp.EVENT, stamp);

      System.err.printf("warm-up: %d msg/s for %d s%n", args.rate(), args.warmupSeconds());
      FixedRateSchedule.run(args.rate(), args.warmupCount(), false, emit);
      FixedRateSchedule.awaitReceived(recorder, args.warmupCount());
      Thread.sleep(200); // let the delivery thread go idle, as it would be between bursts

      System.err.printf("measuring: %d msg/s for %d s%n", args.rate(), args.seconds());
      GcActivity gc = GcActivity.start();
      FixedRateSchedule.Run run = FixedRateSchedule.run(args.rate(), args.count(), true, emit);
      FixedRateSchedule.awaitReceived(recorder, args.warmupCount() + args.count());
      String gcDuringRun = gc.sinceStart();
      subscription.unsubscribe();

      System.out.println(
          LatencyReport.json(
              "latency", args, run, recorder, gcDuringRun, gaps.get(), errors.get()));
    }
  }
}
