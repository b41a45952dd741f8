package dev.realtime;

/**
 * The engine failed: storage unreachable, closed, or holding data this library cannot read. An emit
 * that throws this may not be assumed stored.
 */
public class EngineException extends RealtimeException {
  private static final long serialVersionUID = 1L;

  public EngineException(String message) {
    super(message);
  }

  public EngineException(String message, Throwable cause) {
    super(message, cause);
  }
}
