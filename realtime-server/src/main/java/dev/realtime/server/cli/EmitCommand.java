package dev.realtime.server.cli;

import dev.realtime.Schema;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

@Command(
    name = "emit",
    mixinStandardHelpOptions = true,
    description = {
      "Emits one event to a channel, on Redis or through a running server, and prints its id."
          + " On Redis the channel's stream is not trimmed and its expiry is left as it is: the"
          + " application that owns the channel keeps its own retention.",
      "Example: realtime emit --redis redis://localhost:6379 room-1 chat.message"
          + " '{\"user\":\"ada\",\"text\":\"hi\"}'",
      "Example: realtime emit --url http://127.0.0.1:8080 room-1 chat.message '{\"text\":\"hi\"}'"
    })
final class EmitCommand implements Callable<Integer> {
  /**
   * Reads the data exactly: decimals keep every digit, and anything after the value is an error.
   */
  static final JsonMapper JSON =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  static final String ACCEPTED =
      "give one JSON value: an object like '{\"text\":\"hi\"}', an array, a number, true, false,"
          + " null, or a string in double quotes like '\"hello\"'";

  @Spec CommandSpec spec;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Target target;

  @Parameters(index = "0", paramLabel = "CHANNEL", description = "The channel, e.g. room-1.")
  String channel;

  @Parameters(
      index = "1",
      paramLabel = "EVENT",
      description = "The event name: 1 to 128 letters, digits and ._:-")
  String event;

  @Parameters(
      index = "2",
      paramLabel = "JSON",
      description = "The event's data, one JSON value (quote it for the shell).")
  String json;

  @Override
  public Integer call() {
    JsonNode data = parse(json); // before connecting: bad data is the user's, not the server's
    String id;
    if (target.server != null) {
      try (ServerClient c = target.server.connect()) {
        id = c.emit(channel, event, data);
      }
    } else {
      try (RedisOption.Connection c = target.redis.connect(Schema.NONE, e -> {})) {
        id = c.realtime().channel(channel).emit(event, data);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(id);
    out.flush();
    return 0;
  }

  /** The argument as a JSON tree, or a usage error saying what is wrong with it. */
  static JsonNode parse(String text) {
    if (text.isBlank()) throw UserError.usage("the JSON data argument is empty; " + ACCEPTED);
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw UserError.usage("the JSON data argument is empty; " + ACCEPTED);
      }
      return node;
    } catch (JacksonException e) {
      TokenStreamLocation at = e.getLocation();
      String where =
          at == null || at.getColumnNr() < 1
              ? ""
              : " at character "
                  + at.getColumnNr()
                  + (at.getLineNr() > 1 ? " of line " + at.getLineNr() : "");
      throw UserError.usage(
          "the JSON data argument is not valid JSON ("
              + firstLine(e.getOriginalMessage())
              + where
              + "); "
              + ACCEPTED);
    }
  }

  /** Jackson's problem in words: its first line, without its own location (given after it). */
  private static String firstLine(String s) {
    if (s == null) return "unreadable";
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    int marker = line.indexOf(" (start marker at");
    return marker < 0 ? line : line.substring(0, marker);
  }
}
