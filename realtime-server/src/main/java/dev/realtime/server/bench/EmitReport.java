package dev.realtime.server.bench;

/**
 * What the emitter did.
 *
 * @param emits events the server accepted (answered 201)
 * @param errors events it answered otherwise, or that were lost with a connection
 * @param unanswered events still without an answer when the emitter gave up waiting
 * @param emittedPerChannel accepted events of each channel: what each connection is owed
 * @param startMicros when the first event was due ({@link EpochMicros})
 * @param lagMicros how late each request went out after it was due, in µs: the pacer's and the emit
 *     connections' own delay, which is not in the emit-to-receive latency (that runs from the
 *     moment the request was written)
 */
public record EmitReport(
    long emits,
    long errors,
    long unanswered,
    String firstError,
    long[] emittedPerChannel,
    long startMicros,
    LatencyHistogram lagMicros) {}
