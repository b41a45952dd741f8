package dev.realtime.server.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in flags, environment variables and YAML: {@code 500ms}, {@code
 * 30s}, {@code 15m}, {@code 1h}, {@code 7d}, or ISO-8601 ({@code PT1H}, {@code P7D}). A bare {@code
 * 0} is accepted because "0 = none" is how several settings are documented; any other bare number
 * is refused, since nobody can tell whether {@code 30} meant seconds or milliseconds.
 */
public final class DurationText {
  private static final Pattern SHORT = Pattern.compile("(\\d{1,18})\\s*(ms|s|m|h|d)");

  private DurationText() {}

  /**
   * Parses {@code text}; the units are case-insensitive and surrounding blanks are ignored.
   *
   * @throws IllegalArgumentException naming {@code text} and the accepted forms
   */
  public static Duration parse(String text) {
    Objects.requireNonNull(text, "text");
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("0")) return Duration.ZERO;
    try {
      Matcher m = SHORT.matcher(t);
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
      }
      if (t.startsWith("p") || t.startsWith("-p") || t.startsWith("+p")) {
        return Duration.parse(t);
      }
    } catch (ArithmeticException | DateTimeParseException e) {
      // too large for a Duration, or not ISO-8601 after all: reported below like any other text
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not a duration: use 500ms, 30s, 15m, 1h, 7d or ISO-8601 like PT1H");
  }
}
