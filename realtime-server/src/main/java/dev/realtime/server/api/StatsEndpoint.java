package dev.realtime.server.api;

import dev.realtime.server.auth.Gatekeeper;
import dev.realtime.server.http.Exchange;
import dev.realtime.server.http.JsonText;
import dev.realtime.server.metrics.ServerMetrics;
import dev.realtime.server.sse.ChannelCounts;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * {@code GET /stats}: the server at a glance, as JSON for the dashboard page: cumulative counters
 * (the page computes rates from two samples), gauges, memory, and the watched channels with their
 * number of open streams, most watched first.
 *
 * <p>With a secret, the caller needs a valid token (401 otherwise) and sees only the channels it
 * may subscribe to; the counters are the server's, as {@code /metrics} shows them.
 */
public final class StatsEndpoint {
  /** The most channels one answer lists; {@code channelCount} says how many there are. */
  static final int MAX_CHANNELS = 100;

  private static final Comparator<Map.Entry<String, Integer>> MOST_WATCHED =
      Map.Entry.<String, Integer>comparingByValue()
          .reversed()
          .thenComparing(Map.Entry.comparingByKey());

  /** A channel and its open streams, as listed. */
  record Watched(String channel, int subscribers) {}

  private final ServerMetrics metrics;
  private final ChannelCounts channels;
  private final IntSupplier connections;
  private final Gatekeeper gate;
  private final long startedAt = System.currentTimeMillis();

  public StatsEndpoint(
      ServerMetrics metrics, ChannelCounts channels, IntSupplier connections, Gatekeeper gate) {
    this.metrics = metrics;
    this.channels = channels;
    this.connections = connections;
    this.gate = gate;
  }

  public void handle(Exchange x) {
    Map<String, Integer> counts = channels.snapshot();
    List<String> names = counts.keySet().stream().toList();
    gate.visible(x.presented(), names)
        .whenComplete(
            (visible, error) -> {
              if (error != null) x.fail(error);
              else x.json(200, JsonText.MAPPER.writeValueAsBytes(stats(counts, visible)));
            });
  }

  private Map<String, Object> stats(Map<String, Integer> counts, List<String> visible) {
    long now = System.currentTimeMillis();
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    Map<String, Object> memory = new LinkedHashMap<>();
    memory.put("heapUsedBytes", heap.getUsed());
    memory.put("heapCommittedBytes", heap.getCommitted());
    memory.put("heapMaxBytes", heap.getMax());
    memory.put("rssBytes", (long) ServerMetrics.residentBytes());

    Map<String, Object> json = new LinkedHashMap<>();
    json.put("time", now);
    json.put("uptimeMs", now - startedAt);
    json.put("connections", connections.getAsInt());
    json.put("streams", metrics.openStreams());
    json.put("subscriptions", metrics.subscriptions());
    json.put("emits", (long) metrics.emits());
    json.put("deliveries", (long) metrics.deliveries());
    json.put("slowConsumersDropped", (long) metrics.slowConsumersDropped());
    json.put("rejectedRequests", (long) metrics.rejectedRequests());
    json.put("threads", ManagementFactory.getThreadMXBean().getThreadCount());
    json.put("memory", memory);
    json.put("channelCount", visible.size());
    json.put(
        "channels",
        visible.stream()
            .map(c -> Map.entry(c, counts.getOrDefault(c, 0)))
            .sorted(MOST_WATCHED)
            .limit(MAX_CHANNELS)
            .map(e -> new Watched(e.getKey(), e.getValue()))
            .toList());
    return json;
  }
}
