package dev.realtime;

/**
 * Why a subscription ended, as told to {@link Subscribe#onEnd}. Only {@link #UNSUBSCRIBED} comes
 * from the holder of the {@link Subscription}; the others end it from elsewhere, and a transport
 * that forwards a subscription (a server's stream) must then end what it feeds, or its readers wait
 * forever.
 */
public enum SubscriptionEnd {
  /** Its own {@link Subscription#unsubscribe()} (or {@code close()}). */
  UNSUBSCRIBED,
  /** {@link Channel#unsubscribe()} on its channel, through the same Realtime. */
  CHANNEL_UNSUBSCRIBED,
  /** {@link Realtime#close()}. */
  REALTIME_CLOSED,
  /**
   * An error ended it, told to {@link Subscribe#onError} first: history no longer holds its
   * position and it has no {@link Subscribe#onGap} ({@link CursorUnavailableException}).
   */
  FAILED
}
