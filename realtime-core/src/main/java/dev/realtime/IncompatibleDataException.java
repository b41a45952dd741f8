package dev.realtime;

/**
 * The engine holds something under a channel's name that is not a channel's log (with Redis: a key
 * of another type, written by someone else), or a log that cannot take another entry (a Redis
 * stream whose ids reached the last possible one). Unlike other engine failures this one lasts: the
 * channel cannot be used, and retrying does not help, until that data is removed or another name is
 * used. Other channels are not affected.
 */
public class IncompatibleDataException extends EngineException {
  private static final long serialVersionUID = 1L;

  public IncompatibleDataException(String message) {
    super(message);
  }

  public IncompatibleDataException(String message, Throwable cause) {
    super(message, cause);
  }
}
