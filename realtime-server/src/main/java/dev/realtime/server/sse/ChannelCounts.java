package dev.realtime.server.sse;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many open streams each channel has, for {@code GET /stats}. A stream counts from when it is
 * admitted until its connection closes; a channel leaves the map when its last stream goes, so the
 * map holds only channels that are being watched.
 */
public final class ChannelCounts {
  private final ConcurrentHashMap<String, Integer> streams = new ConcurrentHashMap<>();

  void opened(List<String> channels) {
    for (String c : channels) streams.merge(c, 1, Integer::sum);
  }

  void closed(List<String> channels) {
    for (String c : channels) streams.computeIfPresent(c, (k, n) -> n == 1 ? null : n - 1);
  }

  /** Each watched channel and its number of open streams, at one moment per channel. */
  public Map<String, Integer> snapshot() {
    return Map.copyOf(streams);
  }
}
