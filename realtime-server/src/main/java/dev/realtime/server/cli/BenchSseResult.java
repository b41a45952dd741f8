package dev.realtime.server.cli;

import dev.realtime.server.bench.ClientGroup;
import dev.realtime.server.bench.ClientReport;
import dev.realtime.server.bench.EmitReport;
import dev.realtime.server.bench.Emitter;
import dev.realtime.server.bench.LatencyHistogram;
import dev.realtime.server.bench.ServerProbe;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** What one {@code bench sse} run found, gathered phase by phase, and its JSON line. */
final class BenchSseResult {
  private final BenchSseCommand options;
  private final String run;
  private final int processes;
  ServerProbe.Reading before;
  ServerProbe.Reading after;
  ServerProbe.Reading end; // after the deliveries: the server's counters
  int held;
  int connectErrors;
  String firstConnectError;
  long connectNanos;
  Path threadDump; // the server's threads when deliveries stalled, or null
  EmitReport emits; // null when nothing was emitted
  private ClientReport received;
  private final List<String> clientFailures = new ArrayList<>();

  BenchSseResult(BenchSseCommand options, String run, int processes) {
    this.options = options;
    this.run = run;
    this.processes = processes;
  }

  void connected(ClientGroup.Connected c) {
    held += c.held();
    connectErrors += c.errors();
    if (firstConnectError == null) firstConnectError = c.firstError();
  }

  void add(ClientReport r) {
    received = received == null ? r : received.merge(r);
  }

  void clientFailed(String why) {
    clientFailures.add(why);
  }

  ObjectNode toJson() {
    ObjectNode r = BenchSseCommand.JSON.createObjectNode();
    r.put("run", run);
    r.put("url", options.url);
    r.put("connections", options.connections);
    r.put("channels", options.channels);
    r.put("clients", processes);
    r.put("rate", options.rate);
    r.put("seconds", options.seconds);
    r.put("warmup_seconds", options.rate > 0 ? options.warmup : 0);
    r.put("payload_bytes", options.payloadBytes);
    r.put("connections_held", held);
    r.put("connect_errors", connectErrors);
    r.put("connect_seconds", round(connectNanos / 1e9, 2));
    if (firstConnectError != null) r.put("first_connect_error", firstConnectError);

    long emitCount = emits == null ? 0 : emits.emits();
    r.put("emits", emitCount);
    r.put("emit_errors", emits == null ? 0 : emits.errors() + emits.unanswered());
    int emitSeconds = options.seconds + options.warmup;
    r.put("emits_per_sec", round(emitCount / (double) emitSeconds, 1));
    LatencyHistogram lag = emits == null ? empty() : emits.lagMicros();
    r.put("emit_lag_p99_ms", ms(lag.percentile(99)));
    r.put("emit_lag_max_ms", ms(lag.count() == 0 ? -1 : lag.max()));

    ClientReport c = received;
    long deliveries = c == null ? 0 : c.deliveries();
    r.put("deliveries", deliveries);
    r.put("expected_deliveries", c == null ? 0 : c.expected());
    double deliverySeconds =
        emits == null || c == null || c.lastReceiveMicros() == 0
            ? emitSeconds
            : Math.max(1e-3, (c.lastReceiveMicros() - emits.startMicros()) / 1e6);
    r.put("delivery_seconds", round(deliverySeconds, 3));
    r.put("deliveries_per_sec", round(deliveries / deliverySeconds, 1));
    LatencyHistogram latency = c == null ? empty() : c.latency();
    r.put("emit_to_receive_p50_ms", ms(latency.percentile(50)));
    r.put("emit_to_receive_p99_ms", ms(latency.percentile(99)));
    r.put("emit_to_receive_p999_ms", ms(latency.percentile(99.9)));
    r.put("emit_to_receive_max_ms", ms(latency.count() == 0 ? -1 : latency.max()));
    r.put("missing", c == null ? 0 : c.missing());
    r.put("duplicates", c == null ? 0 : c.duplicates());
    r.put("out_of_order", c == null ? 0 : c.outOfOrder());
    r.put("connections_with_loss", c == null ? 0 : c.connectionsWithLoss());
    r.put("all_delivered_before_drain_timeout", drained());
    r.put("server_thread_dump", threadDump == null ? null : threadDump.toString());

    ObjectNode e = r.putObject("errors");
    e.put("disconnected", c == null ? 0 : c.disconnected());
    e.put("gap_frames", c == null ? 0 : c.gapFrames());
    e.put("error_frames", c == null ? 0 : c.errorFrames());
    e.put("reconnect_frames", c == null ? 0 : c.reconnectFrames());
    e.put("other_frames", c == null ? 0 : c.otherFrames());
    e.put("unparsable_frames", c == null ? 0 : c.unparsable());
    e.put("untracked_connections", c == null ? 0 : c.untracked());
    e.put("client_failures", clientFailures.size());
    if (emits != null && emits.firstError() != null) e.put("first_emit_error", emits.firstError());
    if (!clientFailures.isEmpty()) e.put("first_client_failure", clientFailures.get(0));

    ObjectNode s = r.putObject("server");
    s.put("heap_bytes_before", before.heapUsedBytes());
    s.put("heap_bytes_held", after == null ? null : after.heapUsedBytes());
    s.put("rss_bytes_before", before.residentBytes());
    s.put("rss_bytes_held", after == null ? null : after.residentBytes());
    s.put("open_streams_held", after == null ? null : after.openStreams());
    s.put("gc_before_reading", before.gc());
    if (after != null && end != null) {
      // What the server counted from the moment every connection was held to the end of the run:
      // events emitted, and events queued to streams. Deliveries it counted but the connections did
      // not receive were lost on the way or were still on their way when the bench stopped waiting.
      s.put("emits_counted", end.emits() - after.emits());
      s.put("deliveries_counted", end.deliveries() - after.deliveries());
      s.put("slow_consumers_dropped", end.slowConsumersDropped() - after.slowConsumersDropped());
    }
    r.put("heap_bytes_per_connection", perConnection(before.heapUsedBytes(), after, true));
    r.put("rss_bytes_per_connection", perConnection(before.residentBytes(), after, false));
    return r;
  }

  private Long perConnection(long beforeValue, ServerProbe.Reading a, boolean heap) {
    if (a == null || held == 0) return null;
    long v = heap ? a.heapUsedBytes() : a.residentBytes();
    if (v < 0 || beforeValue < 0) return null;
    return Math.round((v - beforeValue) / (double) held);
  }

  /** What went wrong, in one line, or null when every connection got every event once in order. */
  String problem() {
    List<String> p = new ArrayList<>();
    if (connectErrors > 0) {
      p.add(connectErrors + " connections failed (first: " + firstConnectError + ")");
    }
    if (emits != null && emits.errors() + emits.unanswered() > 0) {
      p.add(
          emits.errors()
              + " emits failed (first: "
              + emits.firstError()
              + "), "
              + emits.unanswered()
              + " unanswered "
              + Emitter.ANSWER_WAIT_SECONDS
              + " s after the last was due");
    }
    ClientReport c = received;
    if (c != null) {
      if (c.missing() + c.duplicates() + c.outOfOrder() > 0) {
        p.add(
            c.connectionsWithLoss()
                + " connections did not get every event once in order (missing "
                + c.missing()
                + ", duplicates "
                + c.duplicates()
                + ", out of order "
                + c.outOfOrder()
                + ")");
      }
      if (c.disconnected() > 0) p.add(c.disconnected() + " streams ended by the server");
      if (!c.drained()) {
        p.add(
            "deliveries stopped for --drain-seconds before every connection had every event"
                + (threadDump == null ? "" : " (the server's threads then: " + threadDump + ")"));
      }
      long frames = c.gapFrames() + c.errorFrames() + c.reconnectFrames() + c.unparsable();
      if (frames > 0) p.add(frames + " gap, error, reconnect or unparsable frames");
    }
    if (!clientFailures.isEmpty()) p.add("client processes failed: " + clientFailures);
    return p.isEmpty() ? null : String.join("; ", p);
  }

  /** Whether every connection got every event before deliveries stopped for --drain-seconds. */
  boolean drained() {
    return received == null || received.drained();
  }

  private static BigDecimal ms(long micros) {
    if (micros < 0) return null;
    return BigDecimal.valueOf(micros).movePointLeft(3).setScale(3, RoundingMode.HALF_UP);
  }

  private static BigDecimal round(double v, int scale) {
    return BigDecimal.valueOf(v).setScale(scale, RoundingMode.HALF_UP);
  }

  private static LatencyHistogram empty() {
    return new LatencyHistogram();
  }
}
