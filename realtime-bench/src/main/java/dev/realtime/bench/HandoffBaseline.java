package dev.realtime.bench;

import dev.realtime.Message;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedTransferQueue;

/**
 * The control for {@link LatencyBench}: the same schedule, stamps and recorder, but each stamp is
 * handed straight to a consumer thread through a JDK queue, with no Realtime in between. Whatever
 * latency this shows is the machine's and the JVM's (scheduling, GC, the spinning sender's core),
 * not the library's; the difference between the two runs is what the library adds.
 *
 * <pre>
 * java -cp realtime-bench/target/benchmarks.jar dev.realtime.bench.HandoffBaseline \
 *     [--rate 100000] [--seconds 10] [--warmup 3] [--executor virtual]
 * </pre>
 *
 * <p>The consumer is a virtual thread (as the library's default delivery is) or, with {@code
 * --executor platform}, a platform thread; it blocks in {@code take()} when the queue is empty, as
 * an idle subscription does.
 */
public final class HandoffBaseline {
  private HandoffBaseline() {}

  public static void main(String[] argv) throws InterruptedException {
    LatencyArgs args = LatencyArgs.parse(argv);
    LatencyRecorder recorder = new LatencyRecorder(args.count());
    LinkedTransferQueue<Stamp> queue = new LinkedTransferQueue<>();
    try (ExecutorService consumer =
        args.executor().equals("platform")
            ? Executors.newSingleThreadExecutor()
            : Executors.newVirtualThreadPerTaskExecutor()) {
      consumer.execute(
          () -> {
            try {
              for (; ; ) {
                Stamp stamp = queue.take();
                if (stamp.seq() == Long.MIN_VALUE) return; // end of run
                recorder.accept(new Message<>(null, Stamp.EVENT, null, stamp));
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      FixedRateSchedule.Sender handoff = queue::add;

      System.err.printf("warm-up: %d msg/s for %d s%n", args.rate(), args.warmupSeconds());
      FixedRateSchedule.run(args.rate(), args.warmupCount(), false, handoff);
      FixedRateSchedule.awaitReceived(recorder, args.warmupCount());
      Thread.sleep(200);

      System.err.printf("measuring: %d msg/s for %d s%n", args.rate(), args.seconds());
      GcActivity gc = GcActivity.start();
      FixedRateSchedule.Run run = FixedRateSchedule.run(args.rate(), args.count(), true, handoff);
      FixedRateSchedule.awaitReceived(recorder, args.warmupCount() + args.count());
      String gcDuringRun = gc.sinceStart();
      queue.add(new Stamp(Long.MIN_VALUE, 0, 0));

      System.out.println(
          LatencyReport.json("handoff-baseline", args, run, recorder, gcDuringRun, 0, 0));
    }
  }
}
