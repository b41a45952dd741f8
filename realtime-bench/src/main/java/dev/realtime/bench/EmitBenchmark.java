package dev.realtime.bench;

import dev.realtime.Channel;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import dev.realtime.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Emit throughput on the in-memory engine, in messages per second.
 *
 * <ul>
 *   <li>{@link #emitOnly}: one {@code emit} per operation, no subscriber: the cost of validate,
 *       encode, append and trim, nothing else.
 *   <li>{@link #emitAndDeliver}: emits {@value #BATCH} messages and then waits until every
 *       subscriber has received all of them. The score is messages delivered per second <em>to each
 *       subscriber</em> (multiply by {@code subscribers} for total deliveries), which is what a
 *       user of a channel sees; an emit-only figure with subscribers would only say how fast the
 *       log grows while they fall behind. With 0 subscribers it is emit-only again, in batches.
 * </ul>
 *
 * <p>Subscribers use the default executor (a virtual thread per busy subscription), as users do.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class EmitBenchmark {
  /**
   * Messages per {@link #emitAndDeliver} operation: large enough that the park/unpark at the end of
   * a batch (tens of µs) is noise, small enough that a subscriber lags at most this far.
   */
  static final int BATCH = 10_000;

  /**
   * History kept per channel. Live delivery reads from history, so a subscriber more than this far
   * behind would lose messages (a gap). The barrier keeps subscribers within {@value #BATCH} of the
   * emitter, so 10x that can never be reached; gaps are counted anyway and fail the run.
   */
  static final long MAX_LENGTH = 10L * BATCH;

  private static final Tick TICK = new Tick(42, "hello, world");

  /** A channel without subscribers. */
  @State(Scope.Benchmark)
  public static class Bare {
    Realtime realtime;
    Channel channel;

    @Setup(Level.Trial)
    public void setUp() {
      realtime = BenchRealtime.create(MAX_LENGTH);
      channel = realtime.channel("bench-emit");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      realtime.close();
    }
  }

  /** A channel with {@code subscribers} live subscriptions that count what they receive. */
  @State(Scope.Benchmark)
  public static class Subscribed {
    @Param({"0", "1", "100"})
    int subscribers;

    Realtime realtime;
    Channel channel;
    DeliveryBarrier barrier;
    final List<Subscription> subscriptions = new ArrayList<>();
    final List<DeliveryBarrier.Receiver> receivers = new ArrayList<>();
    long emitted;

    @Setup(Level.Trial)
    public void setUp() {
      realtime = BenchRealtime.create(MAX_LENGTH);
      channel = realtime.channel("bench-deliver");
      barrier = new DeliveryBarrier();
      for (int i = 0; i < subscribers; i++) {
        DeliveryBarrier.Receiver receiver = barrier.receiver();
        receivers.add(receiver);
        subscriptions.add(
            channel.subscribe(
                Subscribe.toAll()
                    .onData(receiver)
                    .onGap(barrier.gapCounter())
                    .onError(barrier.errorCounter())));
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      subscriptions.forEach(Subscription::unsubscribe);
      realtime.close();
      // Printed into JMH's output, so a figure that came with gaps or errors is seen to be wrong.
      long runs = receivers.stream().mapToLong(DeliveryBarrier.Receiver::runs).sum();
      System.out.printf(
          "%n[emitAndDeliver subscribers=%d] emitted=%d gaps=%d errors=%d delivery runs=%d"
              + " (%.1f messages per run)%n",
          subscribers,
          emitted,
          barrier.gaps(),
          barrier.errors(),
          runs,
          runs == 0 ? 0.0 : (double) emitted * subscribers / runs);
      if (barrier.gaps() != 0 || barrier.errors() != 0) {
        throw new IllegalStateException("subscribers saw gaps or errors: the figure is invalid");
      }
    }
  }

  @Benchmark
  public String emitOnly(Bare state) {
    return state.channel.emit(Tick.EVENT, TICK);
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void emitAndDeliver(Subscribed state) {
    state.emitted += BATCH;
    state.barrier.expect(state.subscribers, state.emitted);
    Channel channel = state.channel;
    for (int i = 0; i < BATCH; i++) channel.emit(Tick.EVENT, TICK);
    state.barrier.await();
  }
}
