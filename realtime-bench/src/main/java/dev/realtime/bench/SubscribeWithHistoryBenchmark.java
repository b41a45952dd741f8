package dev.realtime.bench;

import dev.realtime.Channel;
import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import dev.realtime.Subscription;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of joining a channel with replay: subscribe with {@code history(latest(100))} on a
 * channel of {@value #MESSAGES} messages, wait until the 100 replayed messages have been delivered
 * (the cursor is then at the end of the log, so the subscription is live), then unsubscribe.
 *
 * <p>This is what a client reconnecting to a busy room pays, end to end: resolving the start
 * position, registering the cursor, scheduling its delivery thread and delivering the replay.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class SubscribeWithHistoryBenchmark {
  static final int MESSAGES = 10_000;
  static final int REPLAY = 100;

  Realtime realtime;
  Channel channel;
  DeliveryBarrier barrier;
  Subscribe<Object> request;

  @Setup(Level.Trial)
  public void setUp() {
    realtime = BenchRealtime.create(MESSAGES);
    channel = realtime.channel("bench-subscribe");
    BenchRealtime.fill(channel, MESSAGES);
    barrier = new DeliveryBarrier();
    // Built once: Subscribe is immutable, and building it is not what is measured.
    request =
        Subscribe.toAll()
            .history(HistoryQuery.latest(REPLAY))
            .onData(message -> {}) // replaced per operation
            .onGap(barrier.gapCounter())
            .onError(barrier.errorCounter());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    realtime.close();
    System.out.printf(
        "%n[subscribeWithHistory] gaps=%d errors=%d%n", barrier.gaps(), barrier.errors());
    if (barrier.gaps() != 0 || barrier.errors() != 0) {
      throw new IllegalStateException("subscriptions saw gaps or errors: the figure is invalid");
    }
  }

  @Benchmark
  public Subscription subscribeReplay100() {
    // A fresh receiver counts from zero; the barrier opens once it has the 100 replayed messages.
    barrier.expect(1, REPLAY);
    Subscription subscription = channel.subscribe(request.onData(barrier.receiver()));
    barrier.await();
    subscription.unsubscribe();
    return subscription;
  }
}
