package dev.realtime;

/** A live subscription to one channel. Unsubscribing releases everything it holds. */
public interface Subscription extends AutoCloseable {

  String channel();

  /**
   * The id of the last message this subscription has passed (delivered or filtered out), or where
   * it started before the first ({@code 0-0} at the beginning of a log): resume from it with {@link
   * Subscribe#after(String)}, which then reports a {@link Gap} only if history lost messages after
   * it. A message whose callback is still running is not passed yet: read the position for a resume
   * once the callbacks are done (at {@link Subscribe#onEnd}, say), or the resume delivers that
   * message again.
   */
  String position();

  /** Whether messages are still being delivered. */
  boolean isActive();

  /**
   * Stops delivery; returns at once. A callback already running finishes; no later one starts but
   * {@link Subscribe#onEnd}. Idempotent.
   */
  void unsubscribe();

  /** Same as {@link #unsubscribe()}. */
  @Override
  default void close() {
    unsubscribe();
  }
}
