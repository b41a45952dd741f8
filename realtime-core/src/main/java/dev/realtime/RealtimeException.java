package dev.realtime;

/**
 * The root of every exception this library throws. Unchecked: a realtime call either did what it
 * said or throws one of the few subclasses, each with a message naming what was wrong and what
 * would have been accepted.
 */
public class RealtimeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RealtimeException(String message) {
    super(message);
  }

  public RealtimeException(String message, Throwable cause) {
    super(message, cause);
  }
}
