package dev.realtime;

/**
 * Data that does not fit its event: the wrong Java type, a JSON value that does not match the
 * registered type or JSON Schema, or an event name the schema does not know. Nothing was stored.
 */
public class ValidationException extends RealtimeException {
  private static final long serialVersionUID = 1L;
  private final String event;

  public ValidationException(String event, String message) {
    super(message);
    this.event = event;
  }

  public ValidationException(String event, String message, Throwable cause) {
    super(message, cause);
    this.event = event;
  }

  /** The event whose data was rejected. */
  public String event() {
    return event;
  }
}
