package dev.realtime;

/** A channel or event name that is not accepted; the message says which and what is. */
public class InvalidNameException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  public InvalidNameException(String message) {
    super(message);
  }
}
