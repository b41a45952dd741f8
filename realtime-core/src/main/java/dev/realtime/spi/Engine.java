package dev.realtime.spi;

import java.util.concurrent.CompletableFuture;

/**
 * Storage and fan-out for channels: an append-only log per channel, plus wake-ups on append.
 *
 * <p>That is all an engine does. Replay, live delivery, de-duplication, filtering and gap detection
 * live once, in core, as a cursor loop over {@link #read}; an engine that keeps its log correct
 * gets exactly-once, in-order delivery for free. The behaviour is defined by the engine conformance
 * suite ({@code EngineConformanceTest} in the core test-jar) that every engine runs.
 *
 * <p>Implementations are thread-safe. Futures complete exceptionally with a {@link
 * dev.realtime.RealtimeException} when the engine fails.
 */
public interface Engine extends AutoCloseable {

  /**
   * Appends an event, trims and (re)arms expiry according to its retention, then wakes the
   * channel's watchers. Completes with the new id, strictly greater than every earlier id of the
   * channel; an append either happened entirely or completes exceptionally.
   */
  CompletableFuture<EntryId> append(Append append);

  /**
   * {@link #append} for a caller that waits for the result on its own thread and attaches nothing
   * to the future (a blocking {@code emit}): the engine may complete it on its own I/O thread,
   * which saves the hand-off to another thread that futures other code continues from need.
   */
  default CompletableFuture<EntryId> appendAwaited(Append append) {
    return append(append);
  }

  /** Reads the entries of a channel's log that {@code range} selects, oldest first. */
  CompletableFuture<ReadResult> read(String channel, Range range);

  /**
   * Tells {@code listener} of each append to {@code channel} (from any process the engine spans)
   * and of connection changes, until the returned watch is closed.
   */
  ChannelWatch watch(String channel, WatchListener listener);

  /** Releases the engine's resources; later calls fail. */
  @Override
  void close();
}
