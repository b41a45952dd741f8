package dev.realtime.server.sse;

import dev.realtime.server.http.JsonText;
import dev.realtime.spi.LogEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of every Server-Sent Events frame the server writes. A user event is encoded once per
 * log entry ({@link LogEntry#memo}) and the same array goes to every connection:
 *
 * <pre>
 * id: 1700000000000-0
 * data: {"id":"1700000000000-0","data":{...},"event":"chat.message","channel":"room-1"}
 * (blank line)
 * </pre>
 *
 * Control frames are the original's {@code {"type": ...}} objects on a {@code data:} line.
 */
public final class SseFrames {
  /** The memo key of event frames. */
  private static final Object EVENT_FRAME = new Object();

  /** The last chunk of a chunked response: the stream's end. */
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private SseFrames() {}

  /**
   * The whole frame of a user event, {@code id:} line first. {@link #dataOffset} tells where the
   * {@code data:} line starts, for connections that write their own {@code id:} line.
   */
  public static byte[] event(LogEntry entry) {
    return entry.memo(EVENT_FRAME, SseFrames::encodeEvent);
  }

  /** Where the {@code data:} line of {@link #event(LogEntry)} starts. */
  public static int dataOffset(LogEntry entry) {
    return 5 + entry.idText().length();
  }

  private static byte[] encodeEvent(LogEntry e) {
    byte[] data = e.data().json();
    ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + 96);
    String id = e.idText();
    ascii(out, "id: ");
    ascii(out, id);
    ascii(out, "\ndata: {\"id\":\"");
    ascii(out, id);
    ascii(out, "\",\"data\":");
    writeOnOneLine(out, data);
    ascii(out, ",\"event\":");
    quoted(out, e.event()); // written by others, an event name may hold anything
    ascii(out, ",\"channel\":");
    quoted(out, e.channel());
    ascii(out, "}\n\n");
    return out.toByteArray();
  }

  /**
   * {@code data: {"type":"connected","channel":"a","cursor":"<id>","heartbeatMs":15000}},
   * optionally with an {@code id:} line. The cursor is where the channel starts: the original's
   * React client keeps it as the channel's {@code last_ack} until an event moves it, so a channel
   * that delivered nothing before a reconnect resumes from an id instead of from a time on some
   * clock. {@code heartbeatMs} is how often the stream's heartbeat comes (0: never), so a client
   * can tell a dead connection by its silence whatever the server's setting.
   */
  public static byte[] connected(String channel, String cursor, String idLine, long heartbeatMs) {
    return control(
        idLine,
        "{\"type\":\"connected\",\"channel\":"
            + quote(channel)
            + ",\"cursor\":"
            + quote(cursor)
            + ",\"heartbeatMs\":"
            + heartbeatMs
            + "}");
  }

  /** History no longer holds what came after {@code afterId}: the client missed messages. */
  public static byte[] gap(String channel, String afterId, String resumedFrom) {
    return control(
        null,
        "{\"type\":\"gap\",\"channel\":"
            + quote(channel)
            + ",\"afterId\":"
            + quote(afterId)
            + ",\"resumedFrom\":"
            + (resumedFrom == null ? "null" : quote(resumedFrom))
            + "}");
  }

  public static byte[] reconnect(long nowMillis) {
    return control(null, "{\"type\":\"reconnect\",\"timestamp\":" + nowMillis + "}");
  }

  public static byte[] error(String message) {
    return control(null, "{\"type\":\"error\",\"error\":" + quote(message) + "}");
  }

  /**
   * The heartbeat: a {@code : ping} comment line (for proxies; EventSource ignores it) and, in the
   * same frame, the original's {@code {"type":"ping","timestamp":<ms>}} data line, which the
   * original React client needs at least every 75 s or it reconnects.
   */
  public static byte[] ping(long nowMillis) {
    return (": ping\ndata: {\"type\":\"ping\",\"timestamp\":" + nowMillis + "}\n\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A frame as one HTTP/1.1 chunk ({@code <hex length>CRLF <frame> CRLF}), in a direct buffer: an
   * open stream writes raw chunks (its HTTP encoder is gone, see {@code HttpPipeline#streamOnly}),
   * and one direct buffer shared by every connection is written without a copy per connection.
   */
  public static ByteBuf chunk(byte[] frame) {
    return chunk(frame, 0, frame.length, null);
  }

  /** {@code prefix} (may be null) and {@code frame[offset, offset+length)} as one chunk. */
  public static ByteBuf chunk(byte[] frame, int offset, int length, byte[] prefix) {
    int size = length + (prefix == null ? 0 : prefix.length);
    String head = Integer.toHexString(size);
    ByteBuf b = Unpooled.directBuffer(head.length() + size + 4);
    b.writeCharSequence(head, StandardCharsets.US_ASCII);
    b.writeByte('\r').writeByte('\n');
    if (prefix != null) b.writeBytes(prefix);
    b.writeBytes(frame, offset, length);
    b.writeByte('\r').writeByte('\n');
    return b;
  }

  /** The zero-length chunk that ends the response. */
  public static ByteBuf lastChunk() {
    return Unpooled.wrappedBuffer(LAST_CHUNK);
  }

  private static byte[] control(String idLine, String json) {
    String frame = (idLine == null ? "" : "id: " + idLine + "\n") + "data: " + json + "\n\n";
    return frame.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Valid JSON holds raw line breaks only as whitespace between tokens (inside strings they must be
   * escaped), so turning them into spaces keeps the value and keeps the {@code data:} line whole.
   * This library stores compact JSON; data written by others may be pretty-printed.
   */
  private static void writeOnOneLine(ByteArrayOutputStream out, byte[] json) {
    for (byte b : json) {
      if (b == '\n' || b == '\r') {
        for (int i = 0; i < json.length; i++) {
          out.write(json[i] == '\n' || json[i] == '\r' ? ' ' : json[i]);
        }
        return;
      }
    }
    out.write(json, 0, json.length);
  }

  /** A JSON string literal; JSON escaping keeps line breaks out of the frame's data line. */
  static String quote(String s) {
    return JsonText.quote(s);
  }

  private static void quoted(ByteArrayOutputStream out, String s) {
    utf8(out, quote(s));
  }

  private static void ascii(ByteArrayOutputStream out, String s) {
    for (int i = 0; i < s.length(); i++) out.write(s.charAt(i));
  }

  private static void utf8(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b, 0, b.length);
  }
}
