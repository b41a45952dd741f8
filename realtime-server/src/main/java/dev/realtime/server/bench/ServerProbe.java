package dev.realtime.server.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Reads the server's memory from its {@code GET /metrics}: heap used (the sum of the {@code
 * jvm_memory_used_bytes} series of area {@code heap}) and resident set size ({@code
 * realtime_process_resident_memory_bytes}). Heap used includes whatever garbage has not been
 * collected yet, which at 20,000 connections can be as large as what they hold; given the server's
 * pid, each reading is preceded by {@code jcmd <pid> GC.run} (a full collection), so the difference
 * of two readings is live data.
 */
public final class ServerProbe {
  /**
   * One reading; {@code gc} says whether a full GC ran just before it, or why not. The counters are
   * the server's totals since it started: events emitted, events queued to streams ({@code
   * realtime_deliveries_total}) and slow consumers dropped.
   */
  public record Reading(
      long heapUsedBytes,
      long residentBytes,
      long openStreams,
      long emits,
      long deliveries,
      long slowConsumersDropped,
      String gc) {}

  private final URI metrics;
  private final long pid;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  /**
   * @param server the server's root, {@code http://host:port}
   * @param pid the server's process id (on this machine) for a GC before each reading, or 0
   */
  public ServerProbe(URI server, long pid) {
    this.metrics = server.resolve("/metrics");
    this.pid = pid;
  }

  public URI metricsUri() {
    return metrics;
  }

  /** A reading after a full GC, if the pid is known. */
  public Reading read() throws IOException, InterruptedException {
    return read(pid > 0 ? fullGc() : "not run (no --server-pid)");
  }

  /** A reading of the counters as they are, without a GC. */
  public Reading readCounters() throws IOException, InterruptedException {
    return read("not run");
  }

  private Reading read(String gc) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(30)).GET().build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (r.statusCode() != 200) {
      throw new IOException("GET " + metrics + " answered " + r.statusCode());
    }
    double heap = 0, rss = -1, streams = -1, emits = -1, deliveries = -1, dropped = -1;
    for (String line : r.body().split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        heap += value(line);
      } else if (line.startsWith("realtime_process_resident_memory_bytes ")) {
        rss = value(line);
      } else if (line.startsWith("realtime_open_streams ")) {
        streams = value(line);
      } else if (line.startsWith("realtime_emits_total ")) {
        emits = value(line);
      } else if (line.startsWith("realtime_deliveries_total ")) {
        deliveries = value(line);
      } else if (line.startsWith("realtime_slow_consumers_dropped_total ")) {
        dropped = value(line);
      }
    }
    return new Reading(
        (long) heap,
        (long) rss,
        (long) streams,
        (long) emits,
        (long) deliveries,
        (long) dropped,
        gc);
  }

  private static double value(String line) {
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  /**
   * The server's threads ({@code jcmd <pid> Thread.print}) into a new file, for a run whose
   * deliveries stalled: where they stood when the bench gave up. Null without a pid, or when jcmd
   * failed (then the reason is in the file).
   */
  public Path threadDump(String run) throws IOException, InterruptedException {
    if (pid <= 0) return null;
    Path file = Files.createTempFile("realtime-bench-" + run + "-threads-", ".txt");
    Process p =
        new ProcessBuilder(jcmd().toString(), Long.toString(pid), "Thread.print")
            .redirectErrorStream(true)
            .redirectOutput(file.toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
    return file;
  }

  private static Path jcmd() {
    return Path.of(ChildClients.javaCommand()).resolveSibling("jcmd");
  }

  /** {@code jcmd <pid> GC.run}, with the jcmd next to this process's java. */
  private String fullGc() throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(jcmd().toString(), Long.toString(pid), "GC.run")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "jcmd " + pid + " GC.run did not finish in 60 s";
    }
    if (p.exitValue() != 0) {
      return "jcmd " + pid + " GC.run failed (" + p.exitValue() + "): " + out;
    }
    return "jcmd GC.run";
  }
}
