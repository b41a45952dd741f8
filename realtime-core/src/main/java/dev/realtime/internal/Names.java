package dev.realtime.internal;

import dev.realtime.InvalidNameException;

/**
 * The rules for channel and event names, in one place.
 *
 * <p>Channels: any non-empty string of at most 256 UTF-8 bytes without control characters, so
 * digits-only names, commas, slashes, spaces and non-ASCII all work (the original loses some of
 * those). Events: 1 to 128 letters, digits and {@code ._:-}.
 */
public final class Names {
  public static final int MAX_CHANNEL_BYTES = 256;
  public static final int MAX_EVENT_LENGTH = 128;

  private Names() {}

  public static String checkChannel(String name) {
    if (name == null || name.isEmpty()) {
      throw new InvalidNameException(
          "channel name is "
              + (name == null ? "null" : "empty")
              + ": use 1 to 256 UTF-8 bytes without control characters");
    }
    int bytes = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isISOControl(c)) {
        throw new InvalidNameException(
            "channel name '"
                + printable(name)
                + "' contains the control character U+"
                + String.format("%04X", (int) c)
                + " at index "
                + i
                + ": use 1 to 256 UTF-8 bytes without control characters");
      }
      if (Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c)
              && i + 1 < name.length()
              && Character.isLowSurrogate(name.charAt(i + 1)))) {
        // It has no UTF-8 form: stored, it would be a different name ('?') that no URL reaches.
        throw new InvalidNameException(
            "channel name '"
                + printable(name)
                + "' contains the unpaired surrogate U+"
                + String.format("%04X", (int) c)
                + " at index "
                + i
                + ", which is not a character: use 1 to 256 UTF-8 bytes without control"
                + " characters");
      }
      if (c < 0x80) bytes += 1;
      else if (c < 0x800) bytes += 2;
      else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else bytes += 3;
    }
    if (bytes > MAX_CHANNEL_BYTES) {
      throw new InvalidNameException(
          "channel name '"
              + name.substring(0, Math.min(40, name.length()))
              + "...' is "
              + bytes
              + " UTF-8 bytes long: at most "
              + MAX_CHANNEL_BYTES
              + " are accepted");
    }
    return name;
  }

  public static String checkEvent(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_EVENT_LENGTH) {
      throw new InvalidNameException(
          "event name '"
              + (name == null ? "null" : printable(name))
              + "' must be 1 to 128 characters of letters, digits and ._:-");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == ':'
              || c == '-';
      if (!ok) {
        throw new InvalidNameException(
            "event name '"
                + printable(name)
                + "' contains '"
                + printable(String.valueOf(c))
                + "' at index "
                + i
                + ": use 1 to 128 characters of letters, digits and ._:-");
      }
    }
    return name;
  }

  /** The name with control characters escaped, safe to put in a message or a log line. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length() && b.length() < 300; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.append(c).append(s.charAt(++i));
      } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else b.append(c);
    }
    return b.toString();
  }
}
