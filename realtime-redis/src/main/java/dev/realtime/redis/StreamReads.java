package dev.realtime.redis;

import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import dev.realtime.spi.LogState;
import dev.realtime.spi.Payload;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
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

  private static final byte[] DATA = ascii("data");
  private static final byte[] EVENT = ascii("event");

  /**
   * What a channel's feed learns from one read besides the entries: the key's time to live in ms
   * (-2: no key, -1: none), whether the stream still holds the id the feed asked about, and if not,
   * the newest id it holds before that one (ZERO: none).
   */
  record FeedRead(ReadResult result, long pttl, boolean held, EntryId before, long redisMillis) {}

  /** The script arguments for {@code range}. */
  static byte[][] arguments(Range range) {
    return arguments(range, null);
  }

  /** The script arguments for {@code range}, asking also whether the stream holds {@code check}. */
  static byte[][] arguments(Range range, EntryId check) {
    String from = range.from().equals(EntryId.ZERO) && !range.fromExclusive() ? "-" : bound(range);
    String to = range.to().equals(EntryId.MAX) ? "+" : range.to().toString();
    byte[] mode = ascii(range.newest() ? "desc" : "asc");
    byte[] count = ascii(Integer.toString(range.limit()));
    return check == null
        ? new byte[][] {mode, ascii(from), ascii(to), count}
        : new byte[][] {mode, ascii(from), ascii(to), count, ascii(check.toString())};
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static EntryId id(Object reply) {
    return EntryId.parse(new String((byte[]) reply, StandardCharsets.US_ASCII));
  }

  private static String bound(Range range) {
    return (range.fromExclusive() ? "(" : "") + range.from();
  }

  @SuppressWarnings("unchecked")
  static ReadResult parse(String channel, List<Object> reply, boolean newestFirst) {
    List<Object> raw = (List<Object>) reply.get(0);
    EntryId first = id(reply.get(1));
    EntryId last = id(reply.get(2));
    EntryId deleted = id(reply.get(3));
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

  /** A feed's read: {@link #parse} and what the script found besides (see {@link FeedRead}). */
  static FeedRead parseFeedRead(String channel, List<Object> reply, boolean newestFirst) {
    return new FeedRead(
        parse(channel, reply, newestFirst),
        ((Number) reply.get(6)).longValue(),
        ((Number) reply.get(7)).longValue() == 1,
        id(reply.get(8)),
        redisMillis(Long.parseLong(new String((byte[]) reply.get(9), StandardCharsets.US_ASCII))));
  }

  /** Redis's clock as the read script gave it, or this process's where the ACL refused TIME. */
  private static long redisMillis(long reported) {
    return reported > 0 ? reported : System.currentTimeMillis();
  }

  @SuppressWarnings("unchecked")
  private static LogEntry entry(String channel, List<Object> item) {
    EntryId id = id(item.get(0));
    List<Object> fields = (List<Object>) item.get(1);
    byte[] data = null, event = null;
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      byte[] name = (byte[]) fields.get(i);
      byte[] value = (byte[]) fields.get(i + 1);
      if (Arrays.equals(name, DATA)) data = value;
      else if (Arrays.equals(name, EVENT)) event = value;
    }
    if (event == null || data == null) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < fields.size(); i += 2) {
        names.add(new String((byte[]) fields.get(i), StandardCharsets.UTF_8));
      }
      return new LogEntry(
          id,
          event == null ? "" : new String(event, StandardCharsets.UTF_8),
          channel,
          Payload.malformed(
              "the stream entry has no '"
                  + (event == null ? "event" : "data")
                  + "' field (fields: "
                  + names
                  + ")"));
    }
    return new LogEntry(id, new String(event, StandardCharsets.UTF_8), channel, payload(data));
  }

  /**
   * Stored data as JSON: JSON text as is, any other text as the string it is, and bytes that are
   * not UTF-8 text as a malformed entry (skipped and reported, never forwarded to a transport).
   */
  static Payload payload(byte[] utf8) {
    // One JSON value is UTF-8 text already (JsonShape checks strings, and nothing else may hold a
    // byte above 0x7F), so only what is not JSON needs the separate check.
    if (JsonShape.isOneValue(utf8)) return Payload.ofJson(utf8);
    int bad = JsonShape.invalidUtf8At(utf8);
    if (bad >= 0) {
      return Payload.malformed(
          "its data is not UTF-8 text (byte "
              + bad
              + " of "
              + utf8.length
              + " begins no valid UTF-8 sequence)");
    }
    return Payload.ofJson(JSON.writeValueAsBytes(new String(utf8, StandardCharsets.UTF_8)));
  }
}
