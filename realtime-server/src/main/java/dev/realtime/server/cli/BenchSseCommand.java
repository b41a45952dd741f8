package dev.realtime.server.cli;

import dev.realtime.server.bench.ChildClients;
import dev.realtime.server.bench.ClientGroup;
import dev.realtime.server.bench.ClientReport;
import dev.realtime.server.bench.Emitter;
import dev.realtime.server.bench.ServerProbe;
import dev.realtime.server.bench.SseClients;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code realtime bench sse}: N Server-Sent Events connections to a running server, spread
 * round-robin over K fresh channels ({@code bench-<run>-<k>}) and over P client processes (this one
 * when P is 1, otherwise child JVMs: one process may open only so many files), then events emitted
 * through the HTTP API at a fixed rate. Each connection checks that it receives every event of its
 * channel exactly once and in order, and how long each took from its emit; the server's heap and
 * RSS are read from its {@code /metrics} before connecting and once every connection is held.
 * Prints one JSON line.
 */
@Command(
    name = "sse",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Holds N SSE connections to a running server, emits R events/s over K channels through its"
          + " HTTP API, and checks every delivery; prints one JSON line.",
      "Example: realtime bench sse --url http://127.0.0.1:8080 --connections 10000 --channels 100"
          + " --rate 1000 --seconds 10"
    })
final class BenchSseCommand implements Callable<Integer> {
  /** Connections per client process when --clients is not given. */
  static final int CONNECTIONS_PER_PROCESS = 15_000;

  static final JsonMapper JSON = JsonMapper.builder().build();

  @Spec CommandSpec spec;

  @Option(
      names = "--url",
      required = true,
      description = "The server, http://host:port (its /metrics is read too).")
  String url;

  @Option(
      names = "--base-path",
      defaultValue = "/api/realtime",
      description = "Where the server's API lives (default ${DEFAULT-VALUE}).")
  String basePath;

  @Option(
      names = "--connections",
      paramLabel = "N",
      defaultValue = "1000",
      description = "SSE connections (default ${DEFAULT-VALUE}).")
  int connections;

  @Option(
      names = "--channels",
      paramLabel = "K",
      defaultValue = "10",
      description = "Channels, one per connection round-robin (default ${DEFAULT-VALUE}).")
  int channels;

  @Option(
      names = "--rate",
      paramLabel = "R",
      defaultValue = "100",
      description =
          "Events emitted per second over all channels (default ${DEFAULT-VALUE}); 0 only holds"
              + " the connections.")
  int rate;

  @Option(
      names = "--seconds",
      paramLabel = "S",
      defaultValue = "10",
      description = "How long to emit (or hold) (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(
      names = "--warmup",
      paramLabel = "S",
      defaultValue = "3",
      description =
          "Seconds of emitting at the same rate before the measured seconds: their events are"
              + " checked like the others, but their latency is not counted (default"
              + " ${DEFAULT-VALUE}).")
  int warmup;

  @Option(
      names = "--payload-bytes",
      paramLabel = "B",
      defaultValue = "100",
      description = "Size of each event's JSON data, at least about 45 (default ${DEFAULT-VALUE}).")
  int payloadBytes;

  @Option(
      names = "--clients",
      paramLabel = "P",
      defaultValue = "0",
      description =
          "Client processes; 1 holds the connections in this one, more start child JVMs"
              + " (default: one per "
              + CONNECTIONS_PER_PROCESS
              + " connections).")
  int clients;

  @Option(
      names = "--server-pid",
      paramLabel = "PID",
      defaultValue = "0",
      description = "The server's pid on this machine: 'jcmd PID GC.run' before each heap reading.")
  long serverPid;

  @Option(
      names = "--emitters",
      paramLabel = "E",
      defaultValue = "4",
      description = "Keep-alive emit connections (default ${DEFAULT-VALUE}).")
  int emitters;

  @Option(
      names = "--connect-timeout",
      paramLabel = "S",
      defaultValue = "120",
      description = "Seconds for all connections to connect (default ${DEFAULT-VALUE}).")
  int connectTimeout;

  @Option(
      names = "--drain-seconds",
      paramLabel = "S",
      defaultValue = "10",
      description =
          "After the last emit, stop waiting for deliveries once none arrived for this long"
              + " (default ${DEFAULT-VALUE}).")
  int drainSeconds;

  static String[] channelNames(String run, int channels) {
    String[] names = new String[channels];
    for (int k = 0; k < channels; k++) names[k] = "bench-" + run + "-" + k;
    return names;
  }

  @Override
  public Integer call() throws Exception {
    validate();
    URI server = server();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String run = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 41), 36);
    String[] names = channelNames(run, channels);
    int processes =
        clients > 0
            ? clients
            : (connections + CONNECTIONS_PER_PROCESS - 1) / CONNECTIONS_PER_PROCESS;
    ServerProbe probe = new ServerProbe(server, serverPid);
    BenchSseResult result = new BenchSseResult(this, run, processes);
    result.before = read(probe);
    List<ClientGroup> groups = new ArrayList<>();
    try {
      long connectStart = System.nanoTime();
      if (processes == 1) {
        groups.add(new SseClients(server, basePath, names, 0, connections, warmupEvents()));
      } else {
        for (int i = 0; i < processes; i++) {
          int first = (int) ((long) connections * i / processes);
          int count = (int) ((long) connections * (i + 1) / processes) - first;
          groups.add(
              ChildClients.start(
                  "client-" + i, count, Main.class.getName(), childArgs(run, first, count), err));
        }
      }
      for (ClientGroup g : groups) {
        result.connected(g.awaitConnected(Duration.ofSeconds(connectTimeout)));
      }
      result.connectNanos = System.nanoTime() - connectStart;
      result.after = read(probe);
      long[] emitted = new long[channels];
      if (rate > 0 && result.held > 0) {
        try (Emitter emitter = new Emitter(server, basePath, names, emitters, payloadBytes)) {
          result.emits = emitter.run(rate, Duration.ofSeconds(warmup), Duration.ofSeconds(seconds));
        }
        emitted = result.emits.emittedPerChannel();
      } else {
        Thread.sleep(TimeUnit.SECONDS.toMillis(seconds)); // idle: only holding
      }
      List<CompletableFuture<ClientReport>> reports = new ArrayList<>();
      for (ClientGroup g : groups) reports.add(g.finish(emitted, Duration.ofSeconds(drainSeconds)));
      for (CompletableFuture<ClientReport> r : reports) {
        try {
          result.add(r.get(10, TimeUnit.MINUTES));
        } catch (ExecutionException e) {
          result.clientFailed(e.getCause().getMessage());
        }
      }
      result.end = read(probe, false);
      if (!result.drained()) result.threadDump = probe.threadDump(run);
    } finally {
      for (ClientGroup g : groups) g.close();
    }
    out.println(JSON.writeValueAsString(result.toJson()));
    out.flush();
    String problem = result.problem();
    if (problem != null) {
      err.println("realtime: " + problem);
      err.flush();
      return UserError.FAILURE;
    }
    return 0;
  }

  private ServerProbe.Reading read(ServerProbe probe) throws InterruptedException {
    return read(probe, true);
  }

  private ServerProbe.Reading read(ServerProbe probe, boolean gc) throws InterruptedException {
    try {
      return gc ? probe.read() : probe.readCounters();
    } catch (java.io.IOException e) {
      throw UserError.failure(
          "cannot read "
              + probe.metricsUri()
              + " ("
              + (e.getMessage() == null ? e.toString() : e.getMessage())
              + "): is the server running there?");
    }
  }

  private List<String> childArgs(String run, int first, int count) {
    return List.of(
        "bench",
        "sse-client",
        "--url",
        url,
        "--base-path",
        basePath,
        "--run",
        run,
        "--channels",
        Integer.toString(channels),
        "--first",
        Integer.toString(first),
        "--count",
        Integer.toString(count),
        "--connect-timeout",
        Integer.toString(connectTimeout),
        "--warmup-events",
        Long.toString(warmupEvents()));
  }

  private long warmupEvents() {
    return (long) rate * warmup;
  }

  private URI server() {
    URI u;
    try {
      u = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw UserError.usage("--url '" + url + "' is not a URL: give http://host:port");
    }
    if (!"http".equals(u.getScheme()) || u.getHost() == null) {
      throw UserError.usage("--url '" + url + "' is not http://host:port (https is not supported)");
    }
    return URI.create("http://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 80));
  }

  private void validate() {
    range("--connections", connections, 1, 1_000_000);
    range("--channels", channels, 1, connections);
    range("--rate", rate, 0, 1_000_000);
    range("--seconds", seconds, 1, 3_600);
    range("--warmup", warmup, 0, 3_600);
    range("--payload-bytes", payloadBytes, 0, 1 << 20);
    range("--clients", clients, 0, Math.min(64, connections));
    range("--emitters", emitters, 1, 64);
    range("--connect-timeout", connectTimeout, 1, 3_600);
    range("--drain-seconds", drainSeconds, 1, 600);
    if (serverPid < 0) throw UserError.usage("--server-pid " + serverPid + " is negative");
  }

  private static void range(String option, int value, int min, int max) {
    if (value < min || value > max) {
      throw UserError.usage(option + " " + value + " is out of range: give " + min + " to " + max);
    }
  }
}
