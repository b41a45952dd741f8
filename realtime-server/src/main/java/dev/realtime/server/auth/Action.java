package dev.realtime.server.auth;

/**
 * What a request wants to do with its channels. {@link #HISTORY} is checked against the token's
 * {@code subscribe} patterns: whoever may watch a channel live may also read what it missed.
 */
public enum Action {
  /** Open a stream of a channel's live events (and, with a start id, its history first). */
  SUBSCRIBE,
  /** Emit an event to a channel. */
  PUBLISH,
  /** Read a channel's stored history; needs subscribe permission. */
  HISTORY
}
