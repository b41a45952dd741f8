package dev.realtime;

/**
 * The {@link Realtime} was closed: it takes no more emits, subscriptions or history reads. A server
 * in front of it answers 503 (unavailable), as while its engine is away.
 */
public class RealtimeClosedException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  public RealtimeClosedException(String message) {
    super(message);
  }
}
