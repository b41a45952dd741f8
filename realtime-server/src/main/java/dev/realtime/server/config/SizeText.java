package dev.realtime.server.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes as people write them: plain bytes ({@code 1048576}) or a number with a unit, {@code
 * KiB}/{@code MiB} (1024 and 1024²) or {@code KB}/{@code MB} (1000 and 1000²), case-insensitive, a
 * blank before the unit allowed. The binary and decimal units are kept apart on purpose: reading
 * {@code 1MB} as 1 MiB would make a limit 4.9% larger than the one written down.
 */
final class SizeText {
  /** What {@link #parse} accepts, for error messages. */
  static final String ACCEPTED = "a size in bytes like 1048576, 512KiB, 1MiB, 64KB or 1MB";

  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(b|kib|mib|kb|mb)?");

  private SizeText() {}

  /**
   * Parses {@code text} into bytes.
   *
   * @throws IllegalArgumentException when it is no size or is over {@link Integer#MAX_VALUE} bytes
   */
  static int parse(String text) {
    Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not " + ACCEPTED);
    }
    long unit =
        switch (m.group(2) == null ? "b" : m.group(2)) {
          case "kib" -> 1024;
          case "mib" -> 1024 * 1024;
          case "kb" -> 1000;
          case "mb" -> 1000 * 1000;
          default -> 1;
        };
    long bytes = Long.parseLong(m.group(1)) * unit; // at most 10^12 * 2^20: fits in a long
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "'" + text + "' is " + bytes + " bytes, over the largest size, 2147483647 bytes");
    }
    return (int) bytes;
  }

  /** {@code 1048576} as {@code 1 MiB}, {@code 1052672} as {@code 1 MiB + 4 KiB}: for the README. */
  static String describe(long bytes) {
    long mib = bytes >> 20;
    long kib = (bytes & ((1 << 20) - 1)) >> 10;
    if (bytes % 1024 != 0) return bytes + " bytes";
    if (mib == 0) return kib + " KiB";
    return kib == 0 ? mib + " MiB" : mib + " MiB + " + kib + " KiB";
  }
}
