package dev.realtime.server.auth;

import java.util.List;
import java.util.Objects;

/**
 * What an {@link Authorizer} decided: {@link #allow()} the request as it is, {@link #deny(int,
 * String)} it with a 4xx and a message for the client, or {@link #narrow(List)} it to some of the
 * channels it asked for. Immutable.
 *
 * <p>A narrowed list must be a non-empty subset of the requested channels; that can only be checked
 * against the request, so {@link ChannelAccess#applyDecision} does it, not this class.
 */
public final class AuthDecision {
  private static final AuthDecision ALLOW = new AuthDecision(true, 200, null, null);

  private final boolean allowed;
  private final int status;
  private final String message;
  private final List<String> channels;

  private AuthDecision(boolean allowed, int status, String message, List<String> channels) {
    this.allowed = allowed;
    this.status = status;
    this.message = message;
    this.channels = channels;
  }

  /** Go on with the request as it is. */
  public static AuthDecision allow() {
    return ALLOW;
  }

  /**
   * Refuse the request: the client gets {@code status} and {@code message} as they are, so say what
   * was wrong and what would be accepted.
   *
   * @throws IllegalArgumentException when {@code status} is not 400 to 499
   */
  public static AuthDecision deny(int status, String message) {
    Objects.requireNonNull(message, "message");
    if (status < 400 || status > 499) {
      throw new IllegalArgumentException(
          "deny status " + status + " is not a 4xx: give 400 to 499 (403 for 'not allowed')");
    }
    return new AuthDecision(false, status, message, null);
  }

  /** Go on with only {@code channels}, which must be some of the requested ones. */
  public static AuthDecision narrow(List<String> channels) {
    return new AuthDecision(true, 200, null, List.copyOf(channels));
  }

  /** Whether the request may go on (possibly narrowed). */
  public boolean allowed() {
    return allowed;
  }

  /** The status to answer a denied request with; 200 when allowed. */
  public int status() {
    return status;
  }

  /** The message for the client of a denied request; null when allowed. */
  public String message() {
    return message;
  }

  /** The channels to go on with, or null for the requested ones, unchanged. */
  public List<String> channels() {
    return channels;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AuthDecision d
        && allowed == d.allowed
        && status == d.status
        && Objects.equals(message, d.message)
        && Objects.equals(channels, d.channels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(allowed, status, message, channels);
  }

  @Override
  public String toString() {
    if (!allowed) return "AuthDecision.deny(" + status + ", " + message + ")";
    return channels == null ? "AuthDecision.allow()" : "AuthDecision.narrow(" + channels + ")";
  }
}
