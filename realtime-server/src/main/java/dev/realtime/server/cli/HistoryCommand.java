package dev.realtime.server.cli;

import dev.realtime.HistoryMessage;
import dev.realtime.HistoryQuery;
import dev.realtime.Schema;
import dev.realtime.spi.EntryId;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = {
      "Prints a channel's history, from Redis or through a running server, as a JSON array of"
          + " {\"id\",\"event\",\"channel\",\"data\"}, oldest first, one message per line.",
      "Example: realtime history --redis redis://localhost:6379 room-1 --latest --limit 50",
      "Example: realtime history --url http://127.0.0.1:8080 room-1 --latest --limit 50",
      "Example: realtime history --url http://127.0.0.1:8080 room-1 --after 1732880000000-3"
    })
final class HistoryCommand implements Callable<Integer> {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  @Parameters(index = "0", paramLabel = "CHANNEL", description = "The channel, e.g. room-1.")
  String channel;

  @Option(
      names = "--limit",
      paramLabel = "N",
      description =
          "At most N messages, 1 to " + HistoryQuery.MAX_LIMIT + " (default ${DEFAULT-VALUE}).",
      defaultValue = "" + HistoryQuery.DEFAULT_LIMIT)
  int limit;

  @Option(
      names = "--start",
      paramLabel = "MS",
      description = "Only messages emitted at or after this Unix time in milliseconds.")
  Long start;

  @Option(
      names = "--end",
      paramLabel = "MS",
      description = "Only messages emitted at or before this Unix time in milliseconds.")
  Long end;

  @Option(
      names = "--after",
      paramLabel = "ID",
      description =
          "Only messages after this message id (<ms>-<seq>, exclusive): the last id printed"
              + " gives the next page.")
  String after;

  @Option(
      names = "--before",
      paramLabel = "ID",
      description =
          "Only messages before this message id (exclusive): with --latest, the first id printed"
              + " gives the page before.")
  String before;

  @Option(
      names = "--latest",
      description =
          "Keep the newest N matching messages instead of the oldest (still printed"
              + " oldest first).")
  boolean latest;

  @Override
  public Integer call() {
    HistoryQuery query = query(); // checked here for both routes: the same messages either way
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<String> messages = new ArrayList<>();
    if (target.server != null) {
      try (ServerClient c = target.server.connect()) {
        messages = c.history(channel, queryString());
      }
    } else {
      try (RedisOption.Connection c =
          target.redis.connect(Schema.NONE, e -> err.println("realtime: " + e.getMessage()))) {
        for (HistoryMessage m : c.realtime().channel(channel).history(query)) {
          ObjectNode node = JSON.createObjectNode();
          node.put("id", m.id());
          node.put("event", m.event());
          node.put("channel", m.channel());
          node.set("data", JSON.valueToTree(m.data()));
          messages.add(JSON.writeValueAsString(node));
        }
      }
    }
    out.println(layout(messages));
    out.flush();
    err.flush();
    return 0;
  }

  /**
   * The array, one compact message per line, so that both routes print the same text and a script
   * may read it either as one JSON value or line by line.
   */
  static String layout(List<String> messages) {
    StringBuilder text = new StringBuilder(messages.isEmpty() ? "[]" : "[\n");
    for (int i = 0; i < messages.size(); i++) {
      text.append("  ").append(messages.get(i));
      text.append(i + 1 < messages.size() ? ",\n" : "\n]");
    }
    return text.toString();
  }

  /** The query of {@code GET .../history}, after {@link #query()} has checked the options. */
  private String queryString() {
    StringBuilder q = new StringBuilder("limit=").append(limit);
    if (latest) q.append("&latest=true");
    if (start != null) q.append("&start=").append(start);
    if (end != null) q.append("&end=").append(end);
    if (after != null) q.append("&after=").append(after);
    if (before != null) q.append("&before=").append(before);
    return q.toString();
  }

  private HistoryQuery query() {
    if (limit < 1 || limit > HistoryQuery.MAX_LIMIT) {
      throw UserError.usage(
          "--limit "
              + limit
              + " is out of range: give 1 to "
              + HistoryQuery.MAX_LIMIT
              + " (one query returns at most "
              + HistoryQuery.MAX_LIMIT
              + " messages; page with --after or --latest --before)");
    }
    checkTime("--start", start);
    checkTime("--end", end);
    if (start != null && end != null && start > end) {
      throw UserError.usage(
          "--start " + start + " is after --end " + end + ": give start <= end (Unix ms)");
    }
    HistoryQuery q = latest ? HistoryQuery.latest(limit) : HistoryQuery.limit(limit);
    if (start != null) q = q.start(start);
    if (end != null) q = q.end(end);
    checkId("--after", after);
    checkId("--before", before);
    if (after != null
        && before != null
        && EntryId.parse(after).compareTo(EntryId.parse(before)) >= 0) {
      throw UserError.usage(
          "--after "
              + after
              + " is not before --before "
              + before
              + ": no message can match; give an earlier --after (both are exclusive)");
    }
    if (after != null) q = q.after(after);
    if (before != null) q = q.before(before);
    return q;
  }

  private static void checkId(String option, String id) {
    if (id != null && EntryId.tryParse(id) == null) {
      throw UserError.usage(
          option
              + " '"
              + id
              + "' is not a message id: give <ms>-<seq>, as a message's \"id\" (for example"
              + " 1732880000000-0)");
    }
  }

  private static void checkTime(String option, Long ms) {
    if (ms != null && ms < 0) {
      throw UserError.usage(
          option + " " + ms + " is negative: give a Unix time in milliseconds, 0 or more");
    }
  }
}
