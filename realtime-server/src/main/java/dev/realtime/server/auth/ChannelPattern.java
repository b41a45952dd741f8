package dev.realtime.server.auth;

import java.util.Objects;

/**
 * A glob over channel names, as a token grants them: {@code *} matches any run of characters
 * (including none) and every other character stands for itself, so {@code room.1}, {@code a,b},
 * {@code (x)} and {@code [y]} are literal names, not regular expressions. There is no escape: a
 * channel whose name contains {@code *} is granted by a pattern that matches it with the star.
 *
 * <p>Matching is the two-pointer star algorithm, never {@code java.util.regex}: a token's patterns
 * come from whoever minted it and are run against every channel a client names, so a pattern like
 * {@code *a*a*a*a*b} must not take exponential time. The worst case is O(glob × channel), with both
 * bounded by the token's size and the 256-byte channel name limit.
 */
public final class ChannelPattern {
  private static final String ACCEPTED =
      "give a channel name, or a glob like room-* where * matches any characters";

  private final String glob;

  /** The glob with runs of stars collapsed to one (they match the same names). */
  private final String compact;

  private ChannelPattern(String glob) {
    this.glob = glob;
    this.compact = glob.replaceAll("\\*{2,}", "*");
  }

  /**
   * The pattern of {@code glob}.
   *
   * @throws IllegalArgumentException when it is empty or contains a control character
   */
  public static ChannelPattern of(String glob) {
    Objects.requireNonNull(glob, "glob");
    if (glob.isEmpty()) throw new IllegalArgumentException("channel pattern is empty: " + ACCEPTED);
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "channel pattern '"
                + printable(glob)
                + "' contains the control character U+"
                + String.format("%04X", (int) c)
                + " at index "
                + i
                + ": "
                + ACCEPTED
                + " (no control characters)");
      }
    }
    return new ChannelPattern(glob);
  }

  /** Whether {@code channel} is one of the names this pattern stands for. */
  public boolean matches(String channel) {
    String p = compact;
    int n = channel.length(), m = p.length();
    int c = 0, g = 0; // next character of the channel and of the glob
    int star = -1, resume = 0; // the last star seen, and where its match would grow from
    while (c < n) {
      if (g < m && p.charAt(g) == '*') {
        star = g++;
        resume = c;
      } else if (g < m && p.charAt(g) == channel.charAt(c)) {
        g++;
        c++;
      } else if (star >= 0) {
        g = star + 1; // let the last star take one more character and retry what follows it
        c = ++resume;
      } else {
        return false;
      }
    }
    while (g < m && p.charAt(g) == '*') g++;
    return g == m;
  }

  /** The glob as given. */
  public String glob() {
    return glob;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChannelPattern other && glob.equals(other.glob);
  }

  @Override
  public int hashCode() {
    return glob.hashCode();
  }

  @Override
  public String toString() {
    return glob;
  }

  /** {@code s} with control characters escaped, safe to put in a message or a log line. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), 300));
    for (int i = 0; i < s.length() && b.length() < 300; i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.length() < s.length() && b.length() >= 300 ? b + "..." : b.toString();
  }
}
