package dev.realtime.server.cli;

import dev.realtime.Channel;
import dev.realtime.Schema;
import dev.realtime.Subscribe;
import dev.realtime.Subscription;
import dev.realtime.redis.RedisEngine;
import dev.realtime.server.bench.WakeProbe;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code realtime bench emit}: C emitters on one Realtime over one Redis engine, and one subscriber
 * on the same channel in the same process. Prints one JSON line.
 *
 * <p>Closed loop by default: each emitter emits, waits for the id, emits again; emit latency is
 * measured from the call to the returned id, emit-to-delivery from the call to the subscriber's
 * {@code onData}. With {@code --rate R} the emitters follow a fixed schedule instead (message k is
 * due {@code k / R} seconds after the measurement starts, shared round-robin among the emitters),
 * and both latencies are measured from the time a message was due, so an emitter that falls behind
 * shows up in them rather than slowing the load down (no coordinated omission). The warm-up runs at
 * the same rate; whatever of it is still unsent when the measurement starts is dropped, so a cold
 * start does not spill into the figures.
 *
 * <p>Each run uses a fresh channel, {@code realtime-bench-<uuid>}, with unlimited history (a plain
 * XADD, as {@code redis-benchmark} runs it in docs/BENCHMARKS.md), and deletes its stream when
 * done.
 */
@Command(
    name = "emit",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures emits per second, emit latency and emit-to-delivery latency (one subscriber in"
          + " this process) against a Redis; prints one JSON line.",
      "Example: realtime bench emit --redis redis://localhost:6379 --concurrency 8 --seconds 10"
    })
final class BenchEmitCommand implements Callable<Integer> {
  static final String EVENT = "bench";
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The data of one bench event: when it was sent (ns after the run's origin) and padding. */
  public record Stamp(long t, String p) {}

  enum Threads {
    virtual,
    platform,
    /** One platform thread sends every message at its time with emitAsync (open loop only). */
    paced
  }

  @Spec CommandSpec spec;

  @Mixin RedisOption redis;

  @Option(
      names = "--concurrency",
      paramLabel = "C",
      defaultValue = "1",
      description = "Concurrent emitters (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--seconds",
      paramLabel = "S",
      defaultValue = "10",
      description = "Measured seconds (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--payload-bytes",
      paramLabel = "B",
      defaultValue = "100",
      description = "Size of each event's JSON data, at least 32 (default ${DEFAULT-VALUE}).")
  int payloadBytes;

  @Option(
      names = "--rate",
      paramLabel = "R",
      defaultValue = "0",
      description =
          "Emit R events per second in all, on a fixed schedule (open loop); 0, the default,"
              + " emits as fast as each emitter gets its id back (closed loop).")
  int rate;

  @Option(
      names = "--warmup",
      paramLabel = "S",
      defaultValue = "5",
      description =
          "Seconds of load before measuring, not counted (default ${DEFAULT-VALUE}: on two cores"
              + " the JIT is still compiling the emit path after 1 s).")
  int warmup;

  @Option(
      names = "--threads",
      paramLabel = "KIND",
      defaultValue = "virtual",
      description =
          "Emitter threads: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}). With --rate,"
              + " paced is one platform thread that sleeps until each message is due and sends"
              + " it with emitAsync, at most C in flight: it keeps time better than C sleeping"
              + " emitters.")
  Threads threads;

  @Option(
      names = "--no-subscriber",
      description = "Emit only, without the subscriber (to see what delivery costs).")
  boolean noSubscriber;

  @Override
  public Integer call() throws Exception {
    validate();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String channelName = "realtime-bench-" + UUID.randomUUID();
    Schema schema = Schema.builder().event(EVENT, Stamp.class).build();
    AtomicReference<Throwable> asyncError = new AtomicReference<>();
    // Half a second, before anything else runs: how noisy the machine is today.
    WakeProbe machine = WakeProbe.measure(2_500);
    Run run;
    RedisOption.Connection c = redis.connect(schema, e -> asyncError.compareAndSet(null, e));
    try {
      run = new Run(c.realtime().channel(channelName), asyncError);
      run.execute();
    } finally {
      deleteStream(c.engine(), channelName, err);
      c.close();
    }
    ObjectNode report = run.report(channelName);
    report.put("machine_wake_late_p50_ms", round3(machine.lateP50Ms()));
    report.put("machine_wake_late_p99_ms", round3(machine.lateP99Ms()));
    out.println(JSON.writeValueAsString(report));
    out.flush();
    String problem = run.problem();
    if (problem != null) {
      err.println("realtime: " + problem);
      err.flush();
      return 1;
    }
    return 0;
  }

  private static BigDecimal round3(double ms) {
    return BigDecimal.valueOf(ms).setScale(3, RoundingMode.HALF_UP);
  }

  private void validate() {
    range("--concurrency", concurrency, 1, 10_000);
    range("--seconds", seconds, 1, 3_600);
    range("--warmup", warmup, 0, 3_600);
    range("--payload-bytes", payloadBytes, 32, 1 << 20);
    range("--rate", rate, 0, 10_000_000);
    if (threads == Threads.paced && rate == 0) {
      throw UserError.usage("--threads paced needs --rate R: it sends on a schedule");
    }
  }

  private static void range(String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw UserError.usage(option + " " + value + " is out of range: give " + min + " to " + max);
    }
  }

  /** Deletes what the run wrote (under the key prefix, over the engine's own connection). */
  private void deleteStream(RedisEngine engine, String channel, PrintWriter err) {
    try {
      engine.delete(channel);
    } catch (RuntimeException e) {
      String key = redis.keyPrefix + channel;
      err.println(
          "realtime: could not delete the bench stream '"
              + key
              + "' ("
              + e.getMessage()
              + "); delete it with: redis-cli DEL "
              + key);
    }
  }

  /** One benchmark run: the emitters, the subscriber and what they measured. */
  private final class Run {
    private final Channel channel;
    private final AtomicReference<Throwable> asyncError;
    private final long measureFrom = warmup * 1_000_000_000L; // ns after origin
    private final long stopAt = measureFrom + seconds * 1_000_000_000L;
    private final String padding = "x".repeat(payloadBytes);
    private final Emitter[] emitters = new Emitter[threads == Threads.paced ? 1 : concurrency];
    private final Delivery delivery = new Delivery();
    private volatile long origin;
    private volatile boolean stop;
    private long undelivered;
    private volatile long gaps;

    Run(Channel channel, AtomicReference<Throwable> asyncError) {
      this.channel = channel;
      this.asyncError = asyncError;
    }

    void execute() throws InterruptedException {
      Subscription subscription = null;
      if (!noSubscriber) {
        subscription =
            channel.subscribe(
                Subscribe.to(Stamp.class)
                    .onData(m -> delivery.record(System.nanoTime() - origin, m.data().t()))
                    .onGap(g -> gaps++)
                    .onError(e -> asyncError.compareAndSet(null, e)));
      }
      try {
        ThreadFactory factory =
            threads == Threads.virtual
                ? Thread.ofVirtual().name("bench-emitter-", 0).factory()
                : Thread.ofPlatform().name("bench-emitter-", 0).factory();
        CountDownLatch go = new CountDownLatch(1);
        Thread[] running = new Thread[emitters.length];
        for (int i = 0; i < emitters.length; i++) {
          Emitter e = new Emitter(i, go);
          emitters[i] = e;
          running[i] = factory.newThread(e);
          running[i].start();
        }
        origin = System.nanoTime();
        go.countDown();
        for (Thread t : running) t.join();
        if (subscription != null) awaitDelivery();
      } finally {
        if (subscription != null) subscription.unsubscribe();
      }
    }

    /** Waits until every emitted event arrived, or until nothing arrived for 5 s. */
    private void awaitDelivery() throws InterruptedException {
      long emitted = 0;
      for (Emitter e : emitters) emitted += e.emitted + e.pacedEmitted.get();
      long seen = -1, lastProgress = System.nanoTime();
      while (delivery.received() < emitted) {
        long now = System.nanoTime();
        long received = delivery.received();
        if (received != seen) {
          seen = received;
          lastProgress = now;
        } else if (now - lastProgress > 5_000_000_000L) {
          break;
        }
        Thread.sleep(1);
      }
      undelivered = emitted - delivery.received();
    }

    /** The data of an event sent at {@code t}, padded to {@code --payload-bytes} of JSON. */
    Stamp stamp(long t) {
      int digits = t < 10 ? 1 : (int) Math.log10(t) + 1;
      int pad = Math.max(0, payloadBytes - 13 - digits); // {"t":<digits>,"p":"<pad>"}
      return new Stamp(t, padding.substring(0, pad));
    }

    /** One closed-loop (or, with --rate, scheduled) emitter. */
    private final class Emitter implements Runnable {
      private final int index;
      private final CountDownLatch go;
      final LongList latencies = new LongList();
      final LongList lags = new LongList(); // how late each measured emit started (rate mode)
      long emitted; // every successful emit, warm-up included
      final AtomicLong pacedEmitted = new AtomicLong(); // the same, counted by paced completions
      long maxLag;
      volatile RuntimeException failure; // volatile: paced completions set it too

      Emitter(int index, CountDownLatch go) {
        this.index = index;
        this.go = go;
      }

      @Override
      public void run() {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        long o = origin;
        if (threads == Threads.paced) {
          try {
            runPaced(o);
          } catch (InterruptedException | RuntimeException | Error e) {
            failure = new IllegalStateException("the pacing thread failed: " + e, e);
            stop = true;
          }
          return;
        }
        if (rate == 0) {
          for (; ; ) {
            long start = System.nanoTime() - o;
            if (start >= stopAt || !emit(o, start, start >= measureFrom)) return;
          }
        }
        double interval = 1e9 / rate;
        // Warm-up on the schedule k / R, abandoned at the start of the measurement: what it still
        // owes then is dropped, so a slow start (JIT, connections) does not spill into the figures.
        for (long k = index; ; k += concurrency) {
          long due = (long) (k * interval);
          if (due >= measureFrom || System.nanoTime() - o >= measureFrom) break;
          waitUntil(o, due);
          if (!emit(o, due, false)) return;
        }
        // The measured schedule: message j is due at the start of the measurement plus j / R.
        for (long j = index; ; j += concurrency) {
          long due = measureFrom + (long) (j * interval);
          if (due >= stopAt) return;
          long start = waitUntil(o, due);
          maxLag = Math.max(maxLag, start - due);
          lags.add(start - due);
          if (!emit(o, due, true)) return;
        }
      }

      /**
       * The paced schedule: this one thread sleeps until each message is due and sends it with
       * {@code emitAsync}; completions record the latency from the schedule. At most {@code
       * --concurrency} emits are in flight: past that the thread waits, and the wait shows as lag.
       */
      private void runPaced(long o) throws InterruptedException {
        double interval = 1e9 / rate;
        Semaphore inFlight = new Semaphore(concurrency);
        boolean going = true;
        for (long k = 0; going; k++) {
          long due = (long) (k * interval);
          if (due >= measureFrom || System.nanoTime() - o >= measureFrom) break;
          waitUntil(o, due);
          going = emitAsync(o, due, false, inFlight);
        }
        for (long j = 0; going; j++) {
          long due = measureFrom + (long) (j * interval);
          if (due >= stopAt) break;
          long start = waitUntil(o, due);
          maxLag = Math.max(maxLag, start - due);
          lags.add(start - due);
          going = emitAsync(o, due, true, inFlight);
        }
        // Every completion recorded (the acquire also publishes what the callbacks wrote).
        if (!inFlight.tryAcquire(concurrency, 30, TimeUnit.SECONDS)) {
          failure = new IllegalStateException("emits were still unanswered 30 s after the last");
        }
      }

      /** Sends one paced message; false when the run is over. */
      private boolean emitAsync(long o, long due, boolean measure, Semaphore inFlight) {
        if (stop) return false;
        inFlight.acquireUninterruptibly();
        CompletableFuture<String> sent;
        try {
          sent = channel.emitAsync(EVENT, stamp(due));
        } catch (RuntimeException e) {
          inFlight.release();
          failure = e;
          stop = true;
          return false;
        }
        sent.whenComplete(
            (id, e) -> {
              if (e != null) {
                if (failure == null) failure = new RuntimeException(e.getMessage(), e);
                stop = true;
              } else {
                long latency = System.nanoTime() - o - due;
                if (measure) {
                  synchronized (latencies) {
                    latencies.add(latency);
                  }
                }
                pacedEmitted.incrementAndGet();
              }
              inFlight.release(); // publishes measured[j] to the thread that acquires them all
            });
        return true;
      }

      /**
       * Emits the event due at {@code due} (ns after origin) and, if {@code measured}, records its
       * latency from then; false when the run is over.
       */
      private boolean emit(long o, long due, boolean measured) {
        if (stop) return false;
        try {
          channel.emit(EVENT, stamp(due));
        } catch (RuntimeException e) {
          failure = e;
          stop = true; // Redis went away, say: end the run and report it
          return false;
        }
        long end = System.nanoTime() - o;
        emitted++;
        if (measured) latencies.add(end - due);
        return true;
      }

      private static long waitUntil(long origin, long due) {
        for (; ; ) {
          long now = System.nanoTime() - origin;
          if (now >= due) return now;
          LockSupport.parkNanos(due - now);
        }
      }
    }

    /** The subscriber's side; its callbacks never overlap. */
    private final class Delivery {
      private final LongList latencies = new LongList();
      private volatile long received;

      void record(long now, long sent) {
        if (sent >= measureFrom && sent < stopAt) latencies.add(now - sent);
        received = received + 1; // one writer; volatile publishes the list to the reader
      }

      long received() {
        return received;
      }
    }

    ObjectNode report(String channelName) {
      LongList emits = new LongList();
      for (Emitter e : emitters) {
        synchronized (e.latencies) {
          emits.addAll(e.latencies);
        }
      }
      long[] emitNs = emits.sorted();
      long[] deliveryNs = delivery.latencies.sorted();
      ObjectNode r = JSON.createObjectNode();
      r.put("channel", channelName);
      r.put("concurrency", concurrency);
      r.put("seconds", seconds);
      r.put("warmup_seconds", warmup);
      r.put("payload_bytes", payloadBytes);
      if (rate > 0) r.put("rate", rate);
      else r.putNull("rate");
      r.put("threads", threads.name());
      r.put("latency_from", rate > 0 ? "schedule" : "emit call");
      r.put("emits", emitNs.length);
      r.put(
          "emits_per_sec",
          BigDecimal.valueOf(emitNs.length / (double) seconds).setScale(1, RoundingMode.HALF_UP));
      r.put("emit_p50_ms", ms(percentile(emitNs, 50)));
      r.put("emit_p99_ms", ms(percentile(emitNs, 99)));
      r.put("emit_p999_ms", ms(percentile(emitNs, 99.9)));
      r.put("emit_max_ms", ms(percentile(emitNs, 100)));
      if (noSubscriber) {
        r.putNull("delivered");
        r.putNull("delivery_p50_ms");
        r.putNull("delivery_p99_ms");
        r.putNull("delivery_p999_ms");
        r.putNull("delivery_max_ms");
      } else {
        r.put("delivered", deliveryNs.length);
        r.put("delivery_p50_ms", ms(percentile(deliveryNs, 50)));
        r.put("delivery_p99_ms", ms(percentile(deliveryNs, 99)));
        r.put("delivery_p999_ms", ms(percentile(deliveryNs, 99.9)));
        r.put("delivery_max_ms", ms(percentile(deliveryNs, 100)));
      }
      if (rate > 0) {
        long lag = 0;
        for (Emitter e : emitters) lag = Math.max(lag, e.maxLag);
        r.put("max_emitter_lag_ms", ms(lag));
        // How late emitters started their messages: the part of the latency that is the load
        // generator's own (waking up on time), not the engine's.
        LongList lags = new LongList();
        for (Emitter e : emitters) lags.addAll(e.lags);
        long[] lagNs = lags.sorted();
        r.put("emitter_lag_p50_ms", ms(percentile(lagNs, 50)));
        r.put("emitter_lag_p99_ms", ms(percentile(lagNs, 99)));
      }
      return r;
    }

    /** What went wrong in the run, or null. */
    String problem() {
      for (Emitter e : emitters) {
        if (e.failure != null) return "the benchmark stopped: " + e.failure.getMessage();
      }
      Throwable t = asyncError.get();
      if (t != null) return "the subscriber failed: " + t.getMessage();
      if (gaps > 0) return "the subscriber lost messages (" + gaps + " gaps)";
      if (undelivered > 0) {
        return undelivered + " emitted events never reached the subscriber (waited 5 s)";
      }
      return null;
    }
  }

  /** Nearest-rank percentile of sorted values; -1 when there are none. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) return -1;
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
  }

  private static BigDecimal ms(long ns) {
    if (ns < 0) return null;
    return BigDecimal.valueOf(ns).movePointLeft(6).setScale(3, RoundingMode.HALF_UP);
  }

  /** A growable array of longs (latencies of one thread). */
  static final class LongList {
    private long[] values = new long[1024];
    private int size;

    void add(long v) {
      if (size == values.length) values = Arrays.copyOf(values, size * 2);
      values[size++] = v;
    }

    void addAll(LongList other) {
      for (int i = 0; i < other.size; i++) add(other.values[i]);
    }

    long[] sorted() {
      long[] copy = Arrays.copyOf(values, size);
      Arrays.sort(copy);
      return copy;
    }
  }
}
