package dev.realtime.server.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLParser;

/**
 * The YAML file of {@code serve}: one flat mapping from setting keys to values, the keys being
 * exactly those of {@link Setting} ({@code history-max-length: 0}, not {@code history: {max-length:
 * 0}}), so that a key, a flag and an environment variable always name the same thing. Values may be
 * strings, numbers or booleans; {@code allowed-origins} may also be a list. A key without a value
 * ({@code secret:}) counts as not set.
 *
 * <p>It is read token by token rather than into a tree because a tree forgets line numbers, and an
 * error in a config file is found by its line. The whole file is read before any key is checked, so
 * a syntax error is reported as such and not as the odd key it happened to produce first.
 */
final class SettingsFile {
  private static final YAMLMapper YAML = YAMLMapper.builder().build();

  private SettingsFile() {}

  /** One {@code key: value} of the file; {@code text} is null when no value was given. */
  private record Entry(String key, int line, String text, boolean list, boolean mapping) {}

  /**
   * Reads the settings in {@code path}.
   *
   * @param from what named the file ({@code --config} or {@code REALTIME_CONFIG}), for errors
   * @throws IllegalArgumentException when the file is missing, unreadable, not YAML, or names or
   *     shapes a setting wrongly; the message names the file and, where there is one, the line
   */
  static Map<Setting, SettingValue> read(Path path, String from) {
    String name = path.toString();
    String content = readText(path, "config file " + name + " (from " + from + ")");
    Map<Setting, SettingValue> values = new EnumMap<>(Setting.class);
    Map<Setting, Integer> lines = new EnumMap<>(Setting.class);
    for (Entry e : entries(content, name)) {
      String at = "config file " + name + ", line " + e.line() + ": ";
      Setting s =
          Setting.ofKey(e.key())
              .orElseThrow(
                  () -> new IllegalArgumentException(at + unknownKey(e.key(), e.mapping())));
      if (lines.containsKey(s)) {
        throw new IllegalArgumentException(
            at + s.key() + " is set twice (first on line " + lines.get(s) + "): keep one");
      }
      lines.put(s, e.line());
      if (e.mapping()) {
        throw new IllegalArgumentException(
            at + s.key() + " takes one value, not a mapping (settings are flat keys)");
      }
      if (e.list() && s != Setting.ALLOWED_ORIGINS) {
        throw new IllegalArgumentException(
            at + s.key() + " takes one value, not a list (only allowed-origins takes a list)");
      }
      if (e.text() != null) values.put(s, SettingValue.file(s, e.text(), name, e.line()));
    }
    return values;
  }

  private static String readText(Path path, String what) {
    if (Files.isDirectory(path)) {
      throw new IllegalArgumentException(what + " is a directory: give the path of a YAML file");
    }
    try {
      return Files.readString(path);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(what + " does not exist", e);
    } catch (AccessDeniedException e) {
      throw new IllegalArgumentException(what + " cannot be read: permission denied", e);
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(what + " is not UTF-8 text", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " cannot be read: " + e, e);
    }
  }

  private static List<Entry> entries(String content, String name) {
    List<Entry> entries = new ArrayList<>();
    try (JsonParser p = YAML.createParser(content)) {
      JsonToken t = p.nextToken();
      if (t == null) return entries; // empty, or only comments
      if (t != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException(
            "config file "
                + name
                + " must be a mapping of settings, like 'port: 8080' on each line; it starts with"
                + " a "
                + (t == JsonToken.START_ARRAY ? "list" : "single value"));
      }
      while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
        String key = p.currentName();
        int line = p.currentTokenLocation().getLineNr();
        entries.add(entry(p, key, line, name, content));
      }
      // A second document (after ---) would otherwise be dropped in silence, settings and all.
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.VALUE_NULL) continue; // an empty document: nothing is lost
        throw new IllegalArgumentException(
            "config file "
                + name
                + ", line "
                + p.currentTokenLocation().getLineNr()
                + ": a second YAML document (after ---); put every setting in one");
      }
    } catch (JacksonException e) {
      int line = e.getLocation() == null ? -1 : e.getLocation().getLineNr();
      throw new IllegalArgumentException(
          "config file "
              + name
              + (line > 0 ? ", line " + line : "")
              + ": not valid YAML: "
              + problem(e),
          e);
    }
    return entries;
  }

  private static Entry entry(JsonParser p, String key, int line, String name, String content) {
    JsonToken v = p.nextToken();
    if (p instanceof YAMLParser y && y.isCurrentAlias()) {
      throw new IllegalArgumentException(
          "config file "
              + name
              + ", line "
              + line
              + ": "
              + key
              + " is a YAML alias (*name); write the value itself");
    }
    if (v == JsonToken.START_OBJECT) {
      p.skipChildren();
      return new Entry(key, line, null, false, true);
    }
    if (v != JsonToken.START_ARRAY) {
      // YAML's nulls: no value, null, and a plain ~ (which the parser hands over as text; a quoted
      // "~" is the text ~).
      String value = v == JsonToken.VALUE_NULL ? null : p.getString();
      if ("~".equals(value) && isPlain(p, content)) value = null;
      return new Entry(key, line, value, false, false);
    }
    List<String> items = new ArrayList<>();
    while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
      if (v.isStructStart()) {
        throw new IllegalArgumentException(
            "config file "
                + name
                + ", line "
                + line
                + ": "
                + key
                + " is a list of lists or mappings; list plain values, like [a, b]");
      }
      if (v != JsonToken.VALUE_NULL) items.add(p.getString());
    }
    return new Entry(key, line, String.join(",", items), true, false);
  }

  /** Whether the current scalar is written without quotes (its first character is no quote). */
  private static boolean isPlain(JsonParser p, String content) {
    long at = p.currentTokenLocation().getCharOffset();
    if (at < 0 || at >= content.length()) return true;
    char c = content.charAt((int) at);
    return c != '"' && c != '\'';
  }

  /** The lines of a SnakeYAML message that say what is wrong, without its copy of the input. */
  private static String problem(JacksonException e) {
    String message = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
    return message
        .lines()
        .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
        .collect(Collectors.joining("; "));
  }

  private static String unknownKey(String key, boolean mapping) {
    String known =
        Arrays.stream(Setting.values()).map(Setting::key).collect(Collectors.joining(", "));
    List<String> guesses = guesses(key);
    return "unknown setting '"
        + key
        + "'"
        + (guesses.isEmpty() ? "" : " (did you mean " + String.join(" or ", guesses) + "?)")
        + (mapping ? "; settings are flat keys, not nested mappings" : "")
        + "; the settings are "
        + known;
  }

  /**
   * maxDuration, max_duration, MAX-DURATION: max-duration; history: history-max-length, ...; a
   * typo.
   */
  static List<String> guesses(String key) {
    String kebab =
        key.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replace('_', '-').toLowerCase(Locale.ROOT);
    if (Setting.ofKey(kebab).isPresent()) return List.of(kebab);
    List<String> longer =
        Arrays.stream(Setting.values())
            .map(Setting::key)
            .filter(k -> k.startsWith(kebab + "-"))
            .toList();
    if (!longer.isEmpty()) return longer;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Setting s : Setting.values()) {
      int d = distance(kebab, s.key());
      if (d < bestDistance) {
        best = s.key();
        bestDistance = d;
      }
    }
    return bestDistance <= Math.max(2, kebab.length() / 3) ? List.of(best) : List.of();
  }

  /** Levenshtein distance: the fewest one-character edits that turn {@code a} into {@code b}. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) previous[j] = j;
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
