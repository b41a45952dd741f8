package dev.realtime.redis;

import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import dev.realtime.spi.LogState;
import dev.realtime.spi.Payload;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns what the read script returns into entries and a {@link LogState}, and stream entries into
 * {@link LogEntry}s: {@code data} is JSON text when this library or a careful writer stored it; the
 * original stores strings raw, so text that is not one JSON value is read as a string (as the
 * original's own reader does). An entry without {@code data} or {@code event} keeps its place but
 * is marked malformed, so subscribers skip and report it instead of stopping.
 */
final class StreamReads {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private StreamReads() {}

  /** The script arguments for {@code range}. */
  static String[] arguments(Range range) {
    String from = range.from().equals(EntryId.ZERO) && !range.fromExclusive() ? "-" : bound(range);
    String to = range.to().equals(EntryId.MAX) ? "+" : range.to().toString();
    return new String[] {
      range.newest() ? "desc" : "asc", from, to, Integer.toString(range.limit())
    };
  }

  private static String bound(Range range) {
    return (range.fromExclusive() ? "(" : "") + range.from();
  }

  @SuppressWarnings("unchecked")
  static ReadResult parse(String channel, List<Object> reply, boolean newestFirst) {
    List<Object> raw = (List<Object>) reply.get(0);
    EntryId first = EntryId.parse((String) reply.get(1));
    EntryId last = EntryId.parse((String) reply.get(2));
    EntryId deleted = EntryId.parse((String) reply.get(3));
    long length = ((Number) reply.get(4)).longValue();
    long added = ((Number) reply.get(5)).longValue();
    // Trimming leaves "max-deleted-entry-id" alone: when fewer entries remain than were added,
    // everything before the first retained one is gone (or, for an emptied stream, all of it).
    EntryId trimmed = added > length ? (length > 0 ? first.predecessor() : last) : EntryId.ZERO;
    EntryId removed = deleted.compareTo(trimmed) >= 0 ? deleted : trimmed;
    List<LogEntry> entries = new ArrayList<>(raw.size());
    for (Object item : raw) entries.add(entry(channel, (List<Object>) item));
    if (newestFirst) Collections.reverse(entries);
    return new ReadResult(entries, new LogState(length > 0 ? first : EntryId.ZERO, last, removed));
  }

  @SuppressWarnings("unchecked")
  private static LogEntry entry(String channel, List<Object> item) {
    EntryId id = EntryId.parse((String) item.get(0));
    List<Object> fields = (List<Object>) item.get(1);
    String data = null, event = null, storedChannel = null;
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String name = (String) fields.get(i);
      String value = (String) fields.get(i + 1);
      switch (name) {
        case "data" -> data = value;
        case "event" -> event = value;
        case "channel" -> storedChannel = value;
        default -> {}
      }
    }
    if (event == null || data == null) {
      return new LogEntry(
          id,
          event == null ? "" : event,
          channel,
          Payload.malformed(
              "the stream entry has no '"
                  + (event == null ? "event" : "data")
                  + "' field (fields: "
                  + fields
                  + ")"));
    }
    return new LogEntry(id, event, channel, payload(data));
  }

  /** Stored data as JSON: JSON text as is, anything else as the string it is. */
  static Payload payload(String data) {
    byte[] utf8 = data.getBytes(StandardCharsets.UTF_8);
    if (isOneJsonValue(utf8)) return Payload.ofJson(utf8);
    return Payload.ofJson(JSON.writeValueAsBytes(data));
  }

  private static boolean isOneJsonValue(byte[] utf8) {
    if (utf8.length == 0) return false;
    try (JsonParser parser = JSON.createParser(utf8)) {
      if (parser.nextToken() == null) return false;
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (JacksonException e) {
      return false;
    }
  }
}
