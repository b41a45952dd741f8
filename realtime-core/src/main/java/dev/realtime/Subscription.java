package dev.realtime;

/** A live subscription to one channel. Unsubscribing releases everything it holds. */
public interface Subscription extends AutoCloseable {

  String channel();

  /**
   * The id of the last message this subscription has passed (delivered or filtered out), or {@code
   * 0-0} before the first: resume from it with {@link Subscribe#after(String)}.
   */
  String position();

  /** Whether messages are still being delivered. */
  boolean isActive();

  /**
   * Stops delivery; returns at once. A callback already running finishes; no later one starts.
   * Idempotent.
   */
  void unsubscribe();

  /** Same as {@link #unsubscribe()}. */
  @Override
  default void close() {
    unsubscribe();
  }
}
