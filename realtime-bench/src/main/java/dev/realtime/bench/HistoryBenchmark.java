package dev.realtime.bench;

import dev.realtime.Channel;
import dev.realtime.HistoryMessage;
import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import java.util.List;
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
 * Reading 1000 messages of history from a channel holding {@value #MESSAGES}, on the in-memory
 * engine: the oldest 1000 ({@link HistoryQuery#limit}) and the newest 1000 ({@link
 * HistoryQuery#latest}). The two take different index paths (lower bound from the head vs. newest
 * before the tail), so both are measured.
 *
 * <p>The channel is not written to during the measurement: this is the cost of one read, without
 * lock contention. Run with {@code -bm sample} for percentiles instead of the mean.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@State(Scope.Benchmark)
public class HistoryBenchmark {
  static final int MESSAGES = 10_000;

  private static final HistoryQuery OLDEST = HistoryQuery.limit(1000);
  private static final HistoryQuery NEWEST = HistoryQuery.latest(1000);

  Realtime realtime;
  Channel channel;

  @Setup(Level.Trial)
  public void setUp() {
    // History holds exactly what was emitted: nothing is trimmed, so "oldest" is message 0.
    realtime = BenchRealtime.create(MESSAGES);
    channel = realtime.channel("bench-history");
    BenchRealtime.fill(channel, MESSAGES);
    check(channel.history(OLDEST), 0);
    check(channel.history(NEWEST), MESSAGES - 1000);
  }

  /** A benchmark of a query that returns the wrong messages would be worthless. */
  private static void check(List<HistoryMessage> messages, long firstSeq) {
    if (messages.size() != 1000 || ((Tick) messages.get(0).data()).seq() != firstSeq) {
      throw new IllegalStateException(
          "expected 1000 messages from seq " + firstSeq + ", got " + messages.size());
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    realtime.close();
  }

  @Benchmark
  public List<HistoryMessage> oldest1000() {
    return channel.history(OLDEST);
  }

  @Benchmark
  public List<HistoryMessage> latest1000() {
    return channel.history(NEWEST);
  }
}
