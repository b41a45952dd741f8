package dev.realtime.server.bench;

import tools.jackson.databind.json.JsonMapper;

/**
 * What a group of SSE connections received, summed over its connections; {@link #merge} adds two
 * groups. Travels from a child process to the parent as one JSON line.
 *
 * @param held connections that got their {@code connected} frame
 * @param expected the deliveries due: for each held connection, the events emitted to its channel
 * @param connectionsWithLoss connections with anything missing, duplicated or out of order
 * @param untracked connections that skipped too many events to tell late from duplicate
 * @param disconnected held connections the server ended before the bench did
 * @param drained whether every event due arrived before the drain wait gave up (otherwise some of
 *     what is missing may only have been late)
 * @param lastReceiveMicros when the last event arrived ({@link EpochMicros}), 0 if none did
 * @param latencyPairs emit-to-receive latency in µs ({@link LatencyHistogram#toPairs()})
 */
public record ClientReport(
    int held,
    int connectErrors,
    String firstError,
    long deliveries,
    long expected,
    long missing,
    long duplicates,
    long outOfOrder,
    int connectionsWithLoss,
    int untracked,
    long disconnected,
    long gapFrames,
    long errorFrames,
    long reconnectFrames,
    long otherFrames,
    long unparsable,
    boolean drained,
    long lastReceiveMicros,
    long[] latencyPairs,
    long latencyMaxMicros) {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  public LatencyHistogram latency() {
    return LatencyHistogram.fromPairs(latencyPairs, latencyMaxMicros);
  }

  public ClientReport merge(ClientReport o) {
    LatencyHistogram h = latency();
    h.add(o.latency());
    return new ClientReport(
        held + o.held,
        connectErrors + o.connectErrors,
        firstError != null ? firstError : o.firstError,
        deliveries + o.deliveries,
        expected + o.expected,
        missing + o.missing,
        duplicates + o.duplicates,
        outOfOrder + o.outOfOrder,
        connectionsWithLoss + o.connectionsWithLoss,
        untracked + o.untracked,
        disconnected + o.disconnected,
        gapFrames + o.gapFrames,
        errorFrames + o.errorFrames,
        reconnectFrames + o.reconnectFrames,
        otherFrames + o.otherFrames,
        unparsable + o.unparsable,
        drained && o.drained,
        Math.max(lastReceiveMicros, o.lastReceiveMicros),
        h.toPairs(),
        h.max());
  }

  public String toJson() {
    return JSON.writeValueAsString(this);
  }

  public static ClientReport fromJson(String json) {
    return JSON.readValue(json, ClientReport.class);
  }
}
