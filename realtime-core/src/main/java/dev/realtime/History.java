package dev.realtime;

import java.time.Duration;
import java.util.Objects;

/**
 * How much of each channel's log is kept: at most {@link #maxLength()} entries (the oldest are
 * trimmed first), and the whole log is dropped once nothing was emitted to it for {@link
 * #expireAfter()} (every emit restarts that timer, as Redis's {@code EXPIRE} after each {@code
 * XADD} does).
 *
 * <pre>{@code
 * History.maxLength(10_000).expireAfter(Duration.ofDays(7))
 * }</pre>
 *
 * <p>Live delivery reads from the same log, so a subscriber that falls more than {@code maxLength}
 * entries behind has lost messages and is told so (see {@link Subscribe#onGap}).
 */
public final class History {
  /** The default maximum number of entries kept per channel. */
  public static final long DEFAULT_MAX_LENGTH = 10_000;

  /** The longest {@link #expireAfter}: 1,000 years of 365 days (engines add it to the clock). */
  public static final Duration MAX_EXPIRE_AFTER = Duration.ofDays(365_000);

  /** Keep the newest {@value #DEFAULT_MAX_LENGTH} entries of each channel, without expiry. */
  public static final History DEFAULT = new History(DEFAULT_MAX_LENGTH, null);

  private final long maxLength;
  private final Duration expireAfter;

  private History(long maxLength, Duration expireAfter) {
    this.maxLength = maxLength;
    this.expireAfter = expireAfter;
  }

  /** Keep at most {@code maxLength} entries per channel. */
  public static History maxLength(long maxLength) {
    if (maxLength < 1) {
      throw new IllegalArgumentException(
          "maxLength < 1: live delivery reads from history, so at least one entry must be kept");
    }
    return new History(maxLength, null);
  }

  /** Keep every entry (until expiry, if one is set). Memory then grows with the log. */
  public static History unlimited() {
    return new History(0, null);
  }

  /** Drop a channel's history once nothing was emitted to it for {@code idle}. */
  public History expireAfter(Duration idle) {
    Objects.requireNonNull(idle, "idle");
    if (idle.isNegative() || idle.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException(
          "expireAfter " + idle + " is under 1 ms: use 1 ms or more");
    }
    if (idle.compareTo(MAX_EXPIRE_AFTER) > 0) {
      throw new IllegalArgumentException(
          "expireAfter "
              + idle
              + " is over the most accepted, "
              + MAX_EXPIRE_AFTER.toDays()
              + " days: for history that never expires, leave expireAfter out");
    }
    return new History(maxLength, idle);
  }

  /** The maximum number of entries per channel, or 0 when unlimited. */
  public long maxLength() {
    return maxLength;
  }

  public boolean isLengthLimited() {
    return maxLength > 0;
  }

  /** The idle time after which a channel's history is dropped, or null when it never expires. */
  public Duration expireAfter() {
    return expireAfter;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof History h
        && h.maxLength == maxLength
        && Objects.equals(h.expireAfter, expireAfter);
  }

  @Override
  public int hashCode() {
    return Objects.hash(maxLength, expireAfter);
  }

  @Override
  public String toString() {
    return "History{maxLength="
        + (maxLength == 0 ? "unlimited" : maxLength)
        + ", expireAfter="
        + (expireAfter == null ? "never" : expireAfter)
        + "}";
  }
}
