package dev.realtime.server.config;

/**
 * The README's table of the settings of {@code ./realtime serve}, made from {@link Setting} so that
 * it lists every setting with its real default. {@code SettingsTableTest} fails when the README's
 * copy differs from {@link #markdown()}, and prints what to paste where.
 */
public final class SettingsTable {
  /** The table's header line: how a test (or a person) finds the table in the README. */
  public static final String HEADER =
      "| Setting (YAML key / flag) | Environment variable | Default | What it does |";

  private SettingsTable() {}

  /**
   * The table in Markdown, one section row per {@link Setting.Group} in the groups' order, each
   * line ending in a newline.
   */
  public static String markdown() {
    StringBuilder md = new StringBuilder(HEADER).append("\n|---|---|---|---|\n");
    for (Setting.Group group : Setting.Group.values()) {
      md.append("| **").append(group.title()).append("** | | | |\n");
      for (Setting s : Setting.values()) {
        if (s.group() != group) continue;
        md.append("| `")
            .append(s.key())
            .append("` / `")
            .append(s.flag())
            .append("` | `")
            .append(s.envVar())
            .append("` | ")
            .append(cell(defaultCell(s)))
            .append(" | ")
            .append(cell(s.description()))
            .append(" |\n");
      }
    }
    return md.toString();
  }

  private static String defaultCell(Setting s) {
    if (s.defaultValue() == null) return s.defaultNote();
    String value = "`" + s.defaultValue() + "`";
    return s.defaultNote() == null ? value : value + " (" + s.defaultNote() + ")";
  }

  private static String cell(String text) {
    return text.replace("|", "\\|");
  }
}
