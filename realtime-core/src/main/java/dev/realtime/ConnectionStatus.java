package dev.realtime;

/**
 * Whether a subscription's engine is reachable, as told to {@link Subscribe#onStatus}. The
 * in-memory engine is always {@link #CONNECTED}; an engine on a network (Redis) goes {@link
 * #RECONNECTING} when it loses its server and {@link #RECONNECTED} once it is back, after which the
 * subscription catches up from its position: nothing still in history is lost.
 */
public enum ConnectionStatus {
  /** Told once when the subscription starts. */
  CONNECTED,
  /** The engine lost its connection; delivery pauses. */
  RECONNECTING,
  /** The engine is back; delivery resumes from where it stopped. */
  RECONNECTED
}
