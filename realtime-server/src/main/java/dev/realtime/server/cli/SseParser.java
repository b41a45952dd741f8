package dev.realtime.server.cli;

/**
 * Turns the lines of a Server-Sent Events stream into frames, as the WHATWG "event stream
 * interpretation" does: {@code data:} lines joined with line feeds, the {@code id:} of the frame,
 * comments ({@code : ping}) and unknown fields skipped, a frame complete at its blank line. A frame
 * cut off by the end of the stream is never returned, so it is neither printed nor acknowledged and
 * the server sends it again after a reconnect.
 *
 * <p>Lines come without their line break; a carriage return left at the end (a CRLF stream split on
 * LF only) is dropped here, so CR, LF and CRLF streams read the same. One instance per connection;
 * not thread-safe.
 */
final class SseParser {
  /**
   * One dispatched frame.
   *
   * @param id the frame's {@code id:} value, or null when it had none
   * @param data the {@code data:} lines joined with {@code \n}, or null when it had none
   */
  record Frame(String id, String data) {}

  private String id;
  private StringBuilder data;

  private boolean started; // a first line was seen: a byte order mark can only lead the stream

  /** Takes one line; returns the frame it completes (a blank line), or null. */
  Frame line(String line) {
    if (!started) {
      started = true;
      if (line.startsWith("\uFEFF")) line = line.substring(1); // as EventSource drops it
    }
    if (line.endsWith("\r")) line = line.substring(0, line.length() - 1);
    if (line.isEmpty()) {
      Frame frame =
          id == null && data == null ? null : new Frame(id, data == null ? null : data.toString());
      id = null;
      data = null;
      return frame;
    }
    if (line.startsWith(":")) return null; // a comment: the server's heartbeat
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) value = value.substring(1);
    switch (field) {
      case "data" ->
          data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      case "id" -> {
        if (value.indexOf('\0') < 0) id = value; // the spec ignores ids holding NUL
      }
      default -> {} // event:, retry: and unknown fields: this server sends none of them
    }
    return null;
  }
}
