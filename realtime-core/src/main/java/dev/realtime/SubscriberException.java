package dev.realtime;

/** A subscriber's {@code onData} threw; wraps the cause with the message it was handling. */
public class SubscriberException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  public SubscriberException(String message, Throwable cause) {
    super(message, cause);
  }
}
