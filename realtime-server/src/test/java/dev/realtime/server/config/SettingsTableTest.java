package dev.realtime.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.History;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's table of the settings of {@code ./realtime serve} is exactly {@link
 * SettingsTable#markdown()}, in README.md and in the template it is rendered from; and the README's
 * YAML example is a file that {@link SettingsResolver} accepts.
 */
class SettingsTableTest {
  static final Path README = Path.of("../README.md");
  static final Path TEMPLATE = Path.of("../scripts/README.template.md");
  static final String SECTION = "### Settings of ./realtime serve\n";

  @TempDir Path dir;

  @Test
  void theReadmeAndItsTemplateHoldExactlyTheGeneratedTable() throws IOException {
    String table = SettingsTable.markdown();
    for (Path file : List.of(TEMPLATE, README)) {
      assertThat(tableIn(Files.readString(file)))
          .as(
              "the settings table in %s; paste this under '%s' in scripts/README.template.md, then"
                  + " run python3 scripts/render-readme.py:%n%s",
              file, SECTION.strip(), table)
          .isEqualTo(table);
    }
  }

  @Test
  void theTableHasARowPerSettingUnderItsGroup() {
    List<String> rows = SettingsTable.markdown().lines().toList();
    assertThat(rows).hasSize(2 + Setting.Group.values().length + Setting.values().length);
    for (Setting s : Setting.values()) {
      int row =
          indexOf(rows, "| `" + s.key() + "` / `--" + s.key() + "` | `" + s.envVar() + "` | ");
      int group = indexOf(rows, "| **" + s.group().title() + "** |");
      assertThat(row).as(s.key()).isGreaterThan(group);
      assertThat(rows.subList(group + 1, row)).noneMatch(r -> r.startsWith("| **"));
    }
  }

  @Test
  void theDefaultsShownAreTheRealOnes() {
    assertThat(Setting.PORT.defaultText()).isEqualTo("8080");
    assertThat(Setting.HEARTBEAT.defaultText()).isEqualTo("15s");
    assertThat(Setting.SHUTDOWN_TIMEOUT.defaultText()).isEqualTo("10s");
    assertThat(Setting.MAX_DURATION.defaultText()).isEqualTo("0 (no limit)");
    assertThat(Setting.MAX_REQUEST_BYTES.defaultText()).isEqualTo("1052672 (1 MiB + 4 KiB)");
    assertThat(Setting.HISTORY_MAX_LENGTH.defaultText()).isEqualTo("10000 (0 = unlimited)");
    assertThat(Setting.HISTORY_EXPIRE_AFTER.defaultText()).isEqualTo("never");
    assertThat(Setting.REDIS.defaultValue()).isNull();
    // Every default that has a value resolves to what the server uses when nothing is given.
    ServeSettings defaults = SettingsResolver.resolve(Map.of(), Map.of(), null);
    for (Setting s : Setting.values()) {
      if (s.defaultValue() == null) continue;
      ServeSettings given = SettingsResolver.resolve(Map.of(s, s.defaultValue()), Map.of(), null);
      assertThat(given.summary()).as(s.key()).startsWith(s.key() + "=" + s.defaultValue() + " ");
      assertThat(given.server())
          .as(s.key())
          .usingRecursiveComparison()
          .isEqualTo(defaults.server());
      assertThat(given.history()).as(s.key()).isEqualTo(defaults.history());
    }
  }

  @Test
  void namesFollowFromTheConstant() {
    assertThat(Setting.MAX_BUFFERED_BYTES.key()).isEqualTo("max-buffered-bytes");
    assertThat(Setting.MAX_BUFFERED_BYTES.flag()).isEqualTo("--max-buffered-bytes");
    assertThat(Setting.MAX_BUFFERED_BYTES.envVar()).isEqualTo("REALTIME_MAX_BUFFERED_BYTES");
    assertThat(Setting.ofKey("redis-key-prefix")).contains(Setting.REDIS_KEY_PREFIX);
    assertThat(Setting.ofKey("REDIS")).isEmpty();
    assertThat(Arrays.stream(Setting.values()).map(Setting::envVar))
        .doesNotContain(SettingsResolver.CONFIG_ENV);
  }

  @Test
  void theReadmeYamlExampleResolves() throws IOException {
    String readme = Files.readString(README);
    String section = readme.substring(readme.indexOf(SECTION));
    int start = section.indexOf("```yaml\n") + "```yaml\n".length();
    Path file = dir.resolve("realtime.yaml");
    Files.writeString(file, section.substring(start, section.indexOf("```\n", start)));
    String secret = "a-secret-of-at-least-32-bytes-as-REALTIME_SECRET-gives-it";

    ServeSettings s = SettingsResolver.resolve(Map.of(), Map.of("REALTIME_SECRET", secret), file);

    assertThat(s.server().host()).isEqualTo("0.0.0.0");
    assertThat(s.server().secret()).isEqualTo(secret);
    assertThat(s.server().allowedOrigins())
        .containsExactly("https://app.example.com", "https://admin.example.com");
    assertThat(s.redisUrl()).isEqualTo("redis://localhost:6379");
    assertThat(s.history()).isEqualTo(History.maxLength(50_000).expireAfter(Duration.ofDays(7)));
    assertThat(s.server().maxBufferedBytes()).isEqualTo(4 << 20);
  }

  /** The lines from the table's header to the first line that is not a table row. */
  private static String tableIn(String markdown) {
    int start = markdown.indexOf(SettingsTable.HEADER);
    if (start < 0) return "(no line starting with " + SettingsTable.HEADER + ")";
    StringBuilder table = new StringBuilder();
    for (String line : markdown.substring(start).lines().toList()) {
      if (!line.startsWith("|")) break;
      table.append(line).append('\n');
    }
    return table.toString();
  }

  private static int indexOf(List<String> rows, String prefix) {
    for (int i = 0; i < rows.size(); i++) if (rows.get(i).startsWith(prefix)) return i;
    throw new AssertionError("no row starts with " + prefix);
  }
}
