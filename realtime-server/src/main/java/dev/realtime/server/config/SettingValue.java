package dev.realtime.server.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One setting's text as it was given and where it was given. Every parse goes through here so that
 * every error says the same three things in the same order: what was written where, which setting
 * it is, and what would have been accepted:
 *
 * <pre>
 * REALTIME_PORT=abc (environment): port must be a number 0 to 65535
 * --heartbeat=5 (flag): heartbeat must be a duration like 500ms, 30s, 15m, 1h, 7d or PT1H
 * port: abc (file realtime.yaml, line 3): port must be a number 0 to 65535
 * </pre>
 *
 * <p>Hazard: these messages end up in terminals and logs, so the secret is never shown and the
 * password of a Redis URL is masked ({@link #shown()}).
 *
 * @param origin where the value came from, as {@link ServeSettings#sources()} reports it
 * @param quoted how the value was written, as error messages quote it
 */
record SettingValue(Setting setting, String text, String origin, String quoted) {
  static final String DURATION = "a duration like 500ms, 30s, 15m, 1h, 7d or ISO-8601 like PT1H";

  static SettingValue flag(Setting s, String text) {
    return new SettingValue(
        s, text, "flag " + s.flag(), s.flag() + "=" + shown(s, text) + " (flag)");
  }

  static SettingValue environment(Setting s, String text) {
    return new SettingValue(
        s, text, "environment " + s.envVar(), s.envVar() + "=" + shown(s, text) + " (environment)");
  }

  static SettingValue file(Setting s, String text, String file, int line) {
    return new SettingValue(
        s,
        text,
        "file " + file,
        s.key() + ": " + shown(s, text) + " (file " + file + ", line " + line + ")");
  }

  /** The value as logs may show it: the secret hidden, a Redis password masked. */
  String shown() {
    return shown(setting, text);
  }

  /** The text, stripped of surrounding blanks; the secret is kept exactly as given. */
  String string() {
    return setting == Setting.SECRET ? text : text.strip();
  }

  int integer(int min, int max, String accepted) {
    return (int) longInteger(min, max, accepted);
  }

  long longInteger(long min, long max, String accepted) {
    try {
      long n = Long.parseLong(string());
      if (n >= min && n <= max) return n;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw reject(accepted);
  }

  boolean bool() {
    return switch (string().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default -> throw reject("true or false (or yes/no, 1/0)");
    };
  }

  Duration duration() {
    try {
      return DurationText.parse(text);
    } catch (IllegalArgumentException e) {
      throw reject(DURATION);
    }
  }

  int bytes() {
    try {
      return SizeText.parse(text);
    } catch (IllegalArgumentException e) {
      throw reject(SizeText.ACCEPTED + " (at most 2147483647 bytes)");
    }
  }

  /** A comma-separated list, blanks around items ignored; a YAML list arrives joined by commas. */
  List<String> list() {
    return Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /** {@code "<quoted>: <setting> must be <accepted>"}, for the caller to throw. */
  IllegalArgumentException reject(String accepted) {
    return new IllegalArgumentException(quoted + ": " + setting.key() + " must be " + accepted);
  }

  /** {@code "<quoted>: <problem>"}: for messages of ServerConfig, which name the problem. */
  IllegalArgumentException wrap(IllegalArgumentException problem) {
    return new IllegalArgumentException(quoted + ": " + problem.getMessage(), problem);
  }

  private static String shown(Setting s, String text) {
    if (s == Setting.SECRET) return "****";
    if (s != Setting.REDIS) return text;
    // Everything between the scheme and the last '@' may be a password, whatever else the text
    // holds: a password with '/' in it (base64), a mistyped "://", an '@' inside the password.
    int at = text.lastIndexOf('@');
    if (at < 0) return text; // no user info
    int scheme = text.indexOf("://");
    int start = scheme >= 0 && scheme < at ? scheme + 3 : Math.max(0, text.indexOf(':') + 1);
    if (start > at) start = 0;
    String userInfo = text.substring(start, at); // user:password, :password or password
    int colon = userInfo.indexOf(':');
    String user = colon >= 0 ? userInfo.substring(0, colon + 1) : "";
    return text.substring(0, start) + user + "****" + text.substring(at);
  }
}
