package dev.realtime.spi;

import dev.realtime.ConnectionStatus;
import dev.realtime.RealtimeException;

/**
 * What an engine tells the watcher of a channel. Both calls must be cheap and must not block: they
 * may run on the appending thread or on the engine's I/O thread.
 */
public interface WatchListener {

  /**
   * The channel has news: something was appended (by this process or another). Carries no data; the
   * watcher reads the log.
   */
  void onAppend();

  /**
   * The engine's connection changed. After {@link ConnectionStatus#RECONNECTED} the engine also
   * calls {@link #onAppend()}, since appends may have been missed while it was away.
   */
  default void onStatus(ConnectionStatus status) {}

  /**
   * The engine cannot watch the channel for a reason that lasts until someone changes something
   * (Redis refuses the user's SUBSCRIBE, say): appends may not wake this watcher, though reads
   * still work. The watch stays; the engine keeps trying and wakes the watcher once it succeeds.
   */
  default void onError(RealtimeException error) {}

  /** What {@link #onError} reported is over: the engine watches the channel again. */
  default void onWatching() {}
}
