package dev.realtime;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A named channel: emit to it, read its history, subscribe to it. Cheap to obtain; holds no
 * resources of its own.
 */
public interface Channel {

  String name();

  /**
   * Validates, stores and publishes one event; returns its id, {@code <ms>-<seq>}, strictly greater
   * than every earlier id of this channel.
   *
   * @throws InvalidNameException if the event name is not accepted
   * @throws ValidationException if the data does not fit the event's schema
   * @throws PayloadTooLargeException if the encoded data exceeds the configured maximum
   * @throws EngineException if the engine failed; the event may not be assumed stored
   */
  String emit(String event, Object data);

  /** Emits an {@link Event @Event}-annotated object under the name its annotation gives. */
  String emit(Object event);

  /** {@link #emit(String, Object)} without waiting for the engine; validation errors throw. */
  CompletableFuture<String> emitAsync(String event, Object data);

  /** The oldest messages, up to {@value HistoryQuery#DEFAULT_LIMIT}. */
  default List<HistoryMessage> history() {
    return history(HistoryQuery.all());
  }

  /** Past messages selected by {@code query}, oldest first. */
  List<HistoryMessage> history(HistoryQuery query);

  /**
   * Like {@link #history(HistoryQuery)}, without blocking. Its continuations never run on an
   * engine's I/O thread: a result that is not ready at once completes on the Realtime's executor.
   */
  CompletableFuture<List<HistoryMessage>> historyAsync(HistoryQuery query);

  /**
   * Like {@link #historyAsync(HistoryQuery)}, as the stored entries, their data the JSON exactly as
   * written (for transports that pass it on, as {@link Subscribe#onEntry} does for live entries),
   * with how far the read went (see {@link HistoryPage}). Entries that do not fit the schema are
   * left out and reported to the error hook, as there.
   */
  CompletableFuture<HistoryPage> historyPageAsync(HistoryQuery query);

  /**
   * Starts a subscription and returns once it is registered: every message emitted after this
   * returns is delivered (plus the replay it asked for).
   */
  <T> Subscription subscribe(Subscribe<T> request);

  /**
   * {@link #subscribe} without waiting for the engine. Its continuations never run on an engine's
   * I/O thread: a result that is not ready at once completes on the Realtime's executor.
   */
  <T> CompletableFuture<Subscription> subscribeAsync(Subscribe<T> request);

  /**
   * Ends every subscription made on this channel through this Realtime; each is told {@link
   * SubscriptionEnd#CHANNEL_UNSUBSCRIBED} at its {@link Subscribe#onEnd}.
   */
  void unsubscribe();
}
