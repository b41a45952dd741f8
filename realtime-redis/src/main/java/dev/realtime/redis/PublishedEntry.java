package dev.realtime.redis;

import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import dev.realtime.spi.Payload;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An entry read back from the Pub/Sub envelope this engine's append script publishes, with the id
 * of the entry just before it in the stream ({@code "prev"}, which the script took inside the same
 * atomic call as the XADD).
 *
 * <p>When a channel's reader has every entry up to exactly {@code prev}, this entry is the next one
 * in the stream: no entry can ever be added between the two, since stream ids only grow. The reader
 * then takes it from the message instead of reading the stream, which saves a round trip and a
 * stream read per wake-up. Anything else (the original's envelope, which has no {@code "prev"}; its
 * pings; an envelope whose {@code prev} is not where the reader is; any byte out of the script's
 * exact layout) is {@link #read read} as null, and the message is only a wake-up, as before: a read
 * of the stream settles it.
 *
 * <p>The layout, byte for byte as {@code append.lua} writes it: {@code
 * {"data":<json>,"event":"<event>","channel":"<channel>","id":"<id>","prev":"<id>","ttl":<ms>
 * <tail>}}, where {@code ttl} is the expiry the emit gave the key ({@code -1}: it set none; {@link
 * #TTL_UNKNOWN} when missing, as in an earlier release's envelope) and the tail names the database
 * outside database 0 (Pub/Sub channels span databases, streams do not: an envelope from another
 * database must not chain). Event and channel names in which Lua's cjson escaped something ({@code
 * /}, control characters) take the slow path, which is correct for them too.
 */
record PublishedEntry(LogEntry entry, EntryId prev, long ttl) {
  private static final byte[] DATA = ascii("{\"data\":");
  private static final byte[] EVENT = ascii(",\"event\":\"");
  private static final byte[] CHANNEL = ascii(",\"channel\":\"");
  private static final byte[] ID = ascii(",\"id\":\"");
  private static final byte[] PREV = ascii(",\"prev\":\"");
  private static final byte[] TTL = ascii(",\"ttl\":");
  private static final byte[] NO_EXPIRY = ascii("-1");

  /** {@link #ttl} of an envelope without it (an earlier release's): nothing known. */
  static final long TTL_UNKNOWN = Long.MIN_VALUE;

  /**
   * The entry in {@code message} if it is this engine's envelope for {@code channel} (whose UTF-8
   * bytes are {@code channelUtf8}) in the reader's database ({@code tail}, from {@link
   * RedisEngine#envelopeTail}); null otherwise.
   */
  static PublishedEntry read(byte[] message, String channel, byte[] channelUtf8, byte[] tail) {
    if (!at(message, 0, DATA)) return null;
    int dataEnd = JsonShape.valueEnd(message, DATA.length);
    if (dataEnd < 0 || !at(message, dataEnd, EVENT)) return null;
    int eventStart = dataEnd + EVENT.length;
    int eventEnd = plainStringEnd(message, eventStart);
    if (eventEnd < 0 || !at(message, eventEnd + 1, CHANNEL)) return null;
    int channelStart = eventEnd + 1 + CHANNEL.length;
    int channelEnd = channelStart + channelUtf8.length;
    if (channelEnd >= message.length
        || !Arrays.equals(message, channelStart, channelEnd, channelUtf8, 0, channelUtf8.length)
        || message[channelEnd] != '"'
        || !at(message, channelEnd + 1, ID)) {
      return null;
    }
    int idStart = channelEnd + 1 + ID.length;
    int idEnd = plainStringEnd(message, idStart);
    if (idEnd < 0 || !at(message, idEnd + 1, PREV)) return null;
    int prevStart = idEnd + 1 + PREV.length;
    int prevEnd = plainStringEnd(message, prevStart);
    if (prevEnd < 0) return null;
    int after = prevEnd + 1;
    long ttl = TTL_UNKNOWN;
    if (at(message, after, TTL)) {
      int digits = after + TTL.length;
      int i = digits;
      if (at(message, digits, NO_EXPIRY)) {
        ttl = -1;
        i += NO_EXPIRY.length;
      } else {
        ttl = 0;
        while (i < message.length && i - digits < 18 && message[i] >= '0' && message[i] <= '9') {
          ttl = ttl * 10 + (message[i++] - '0');
        }
        if (i == digits) return null;
      }
      after = i;
    }
    if (after + 1 + tail.length != message.length
        || !at(message, after, tail)
        || message[message.length - 1] != '}') {
      return null;
    }
    EntryId id = EntryId.tryParse(ascii(message, idStart, idEnd));
    EntryId prev = EntryId.tryParse(ascii(message, prevStart, prevEnd));
    if (id == null || prev == null || !id.isAfter(prev)) return null;
    String event = new String(message, eventStart, eventEnd - eventStart, StandardCharsets.UTF_8);
    byte[] data = Arrays.copyOfRange(message, DATA.length, dataEnd);
    return new PublishedEntry(new LogEntry(id, event, channel, Payload.ofJson(data)), prev, ttl);
  }

  /** Whether {@code message} holds {@code part} at {@code offset}. */
  private static boolean at(byte[] message, int offset, byte[] part) {
    int end = offset + part.length;
    return offset >= 0
        && end <= message.length
        && Arrays.equals(message, offset, end, part, 0, part.length);
  }

  /**
   * The index of the quote closing a JSON string whose characters start at {@code from}, when it
   * has no escape or control character; -1 otherwise.
   */
  private static int plainStringEnd(byte[] message, int from) {
    for (int i = from; i < message.length; i++) {
      byte c = message[i];
      if (c == '"') return i;
      if (c == '\\' || (c >= 0 && c < 0x20)) return -1;
    }
    return -1;
  }

  private static String ascii(byte[] b, int from, int to) {
    return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
