package dev.realtime.server.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Reads an event stream's {@code data:} lines straight from the received bytes and tells a {@link
 * Sink} what each one was. A control frame is recognised by its {@code {"type":"...} prefix; in an
 * event frame only the numbers after {@code "seq":} and {@code "t":} (the emitter's data) are read,
 * so no String is built per frame: where the server writes its usual {@code
 * {"id":"<id>","data":{"seq":N,"t":T,...}} they are found at known places after the id, otherwise
 * by searching the line. Other lines ({@code id:}, comments, blank) are skipped. A line split
 * across two reads is carried over in a buffer that exists only while a line is incomplete.
 */
final class SseFrameParser {
  /** What the lines were, in order. */
  interface Sink {
    void connected();

    void event(long seq, long sentMicros);

    void gap();

    void error();

    void reconnect();

    /** A control frame of another type. */
    void otherControl();

    /** A data line that is neither a control frame nor carries {@code "seq"} and {@code "t"}. */
    void unparsable();
  }

  private static final byte[] DATA = ascii("data: ");
  private static final byte[] TYPE = ascii("{\"type\":\"");
  private static final byte[] CONNECTED = ascii("connected\"");
  private static final byte[] GAP = ascii("gap\"");
  private static final byte[] ERROR = ascii("error\"");
  private static final byte[] PING = ascii("ping\"");
  private static final byte[] RECONNECT = ascii("reconnect\"");
  private static final byte[] ID = ascii("{\"id\":\"");
  private static final byte[] DATA_SEQ = ascii("\",\"data\":{\"seq\":");
  private static final byte[] SEQ = ascii("\"seq\":");
  private static final byte[] COMMA_T = ascii(",\"t\":");
  private static final byte[] T = ascii("\"t\":");

  private final Sink sink;
  private ByteBuf partial; // an incomplete line, or null
  private int numberEnd; // where the last number() stopped

  SseFrameParser(Sink sink) {
    this.sink = sink;
  }

  /** Reads {@code in} (without releasing it), telling the sink about every complete line. */
  void read(ByteBuf in) {
    ByteBuf buf = in;
    if (partial != null) {
      partial.writeBytes(in);
      buf = partial;
    }
    int pos = buf.readerIndex();
    int end = buf.writerIndex();
    for (; ; ) {
      int nl = buf.indexOf(pos, end, (byte) '\n');
      if (nl < 0) break;
      if (startsWith(buf, pos, nl, DATA)) dataLine(buf, pos + DATA.length, nl);
      pos = nl + 1;
    }
    if (partial != null) {
      if (pos == end) {
        partial = null;
      } else {
        partial.readerIndex(pos);
        partial.discardReadBytes();
      }
    } else if (pos < end) {
      partial = Unpooled.buffer(end - pos + 256);
      partial.writeBytes(buf, pos, end - pos);
    }
  }

  /** Drops an incomplete line (the connection closed). */
  void reset() {
    partial = null;
  }

  private void dataLine(ByteBuf buf, int from, int to) {
    if (startsWith(buf, from, to, TYPE)) {
      control(buf, from + TYPE.length, to);
      return;
    }
    int s = -1;
    if (startsWith(buf, from, to, ID)) {
      int quote = buf.indexOf(from + ID.length, Math.min(to, from + ID.length + 64), (byte) '"');
      if (quote > 0 && startsWith(buf, quote, to, DATA_SEQ)) s = quote + DATA_SEQ.length;
    }
    if (s < 0) s = after(buf, from, to, SEQ);
    long seq = s < 0 ? -1 : number(buf, s, to);
    int t = -1;
    if (seq >= 0) {
      t =
          startsWith(buf, numberEnd, to, COMMA_T)
              ? numberEnd + COMMA_T.length
              : after(buf, from, to, T);
    }
    long sent = t < 0 ? -1 : number(buf, t, to);
    if (sent < 0) sink.unparsable();
    else sink.event(seq, sent);
  }

  private void control(ByteBuf buf, int at, int to) {
    if (startsWith(buf, at, to, CONNECTED)) sink.connected();
    else if (startsWith(buf, at, to, GAP)) sink.gap();
    else if (startsWith(buf, at, to, ERROR)) sink.error();
    else if (startsWith(buf, at, to, RECONNECT)) sink.reconnect();
    else if (startsWith(buf, at, to, PING)) return; // the heartbeat's data line
    else sink.otherControl();
  }

  private static boolean startsWith(ByteBuf buf, int at, int to, byte[] prefix) {
    if (to - at < prefix.length) return false;
    for (int i = 0; i < prefix.length; i++) {
      if (buf.getByte(at + i) != prefix[i]) return false;
    }
    return true;
  }

  /** The index just after the first {@code pattern} in {@code [from, to)}, or -1. */
  private static int after(ByteBuf buf, int from, int to, byte[] pattern) {
    for (int i = from; i <= to - pattern.length; i++) {
      i = buf.indexOf(i, to - pattern.length + 1, pattern[0]);
      if (i < 0) return -1;
      if (startsWith(buf, i, to, pattern)) return i + pattern.length;
    }
    return -1;
  }

  /**
   * The decimal number starting at {@code at}, or -1 if there is none (or it is too long); {@link
   * #numberEnd} is then where it ended.
   */
  private long number(ByteBuf buf, int at, int to) {
    long n = 0;
    int i = at;
    for (; i < to && i - at < 18; i++) {
      byte b = buf.getByte(i);
      if (b < '0' || b > '9') break;
      n = n * 10 + (b - '0');
    }
    numberEnd = i;
    return i == at || (i < to && buf.getByte(i) >= '0' && buf.getByte(i) <= '9') ? -1 : n;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
