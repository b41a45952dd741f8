package dev.realtime.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What {@code GET /metrics} reports, in Prometheus text: open streams, subscriptions, emits,
 * deliveries, slow consumers dropped, and how long an event took from its emit (its id's time) to
 * being handed to a connection's socket. Counting is a few adds per event, cheap enough for the
 * delivery path.
 */
public final class ServerMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicInteger streams = new AtomicInteger();
  private final AtomicInteger subscriptions = new AtomicInteger();
  private final Counter emits;
  private final Counter deliveries;
  private final Counter slowConsumers;
  private final Counter rejectedRequests;
  private final Timer emitToWrite;
  private final Counter laggingStreams;

  public ServerMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("realtime_process_resident_memory", ServerMetrics::residentBytes)
        .description("Resident set size of the server process (VmRSS)")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("realtime_process_pid", () -> ProcessHandle.current().pid())
        .description("The server's process id (for tools on the same machine)")
        .register(registry);
    Gauge.builder("realtime_open_streams", streams, AtomicInteger::get)
        .description("SSE streams open now")
        .register(registry);
    Gauge.builder("realtime_subscriptions", subscriptions, AtomicInteger::get)
        .description("Channel subscriptions of open streams")
        .register(registry);
    emits = Counter.builder("realtime_emits").description("Events emitted").register(registry);
    deliveries =
        Counter.builder("realtime_deliveries")
            .description("Events written to streams")
            .register(registry);
    slowConsumers =
        Counter.builder("realtime_slow_consumers_dropped")
            .description("Streams closed because the client did not read fast enough")
            .register(registry);
    laggingStreams =
        Counter.builder("realtime_stream_lagged")
            .description(
                "Times a stream's channel left the shared live feed because its socket backed up"
                    + " (it follows the log on its own until it catches up)")
            .register(registry);
    rejectedRequests =
        Counter.builder("realtime_rejected_requests")
            .description("Requests answered with a 4xx or 5xx status")
            .register(registry);
    emitToWrite =
        Timer.builder("realtime_emit_to_write")
            .description(
                "From an event's emit (its id's time) to its frame being queued on a socket")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
  }

  public void streamOpened(int channels) {
    streams.incrementAndGet();
    subscriptions.addAndGet(channels);
  }

  public void streamClosed(int channels) {
    streams.decrementAndGet();
    subscriptions.addAndGet(-channels);
  }

  public int openStreams() {
    return streams.get();
  }

  public int subscriptions() {
    return subscriptions.get();
  }

  public void emitted(int events) {
    emits.increment(events);
  }

  public double emits() {
    return emits.count();
  }

  public void delivered(long emittedAtMillis) {
    delivered(emittedAtMillis, 1);
  }

  /**
   * An event emitted before its stream opened (history replayed, a resume catching up) was written:
   * counted, but its emit-to-write time is not recorded, since it says how old the history was, not
   * how late the delivery.
   */
  public void deliveredFromHistory() {
    deliveries.increment();
  }

  /** How many emit-to-write times were recorded. */
  public long emitToWriteCount() {
    return emitToWrite.count();
  }

  /**
   * {@code count} connections were written one event: counted {@code count} times, its
   * emit-to-write time recorded once (when the last of them was written).
   */
  public void delivered(long emittedAtMillis, int count) {
    deliveries.increment(count);
    long lag = System.currentTimeMillis() - emittedAtMillis;
    emitToWrite.record(Math.max(0, lag), TimeUnit.MILLISECONDS);
  }

  public double deliveries() {
    return deliveries.count();
  }

  public void slowConsumerDropped() {
    slowConsumers.increment();
  }

  public double slowConsumersDropped() {
    return slowConsumers.count();
  }

  public void lagged() {
    laggingStreams.increment();
  }

  public double laggedCount() {
    return laggingStreams.count();
  }

  public void rejected() {
    rejectedRequests.increment();
  }

  public double rejectedRequests() {
    return rejectedRequests.count();
  }

  /** VmRSS from /proc/self/status, or -1 where there is no /proc. */
  public static double residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  /** The Prometheus text exposition. */
  public String scrape() {
    return registry.scrape();
  }
}
