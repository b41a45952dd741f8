package dev.realtime.redis;

/**
 * Tells whether bytes are exactly one JSON value (RFC 8259), without building anything: the check
 * the stream reader makes on every entry's {@code data}, because the original stores strings raw
 * and only text that is not JSON must be read as a string. A full parser per entry cost more
 * allocation than the rest of the read path together; this is a single pass with no allocation.
 * {@code JsonShapeTest} compares it with Jackson on seeded random inputs.
 */
final class JsonShape {
  private static final int MAX_DEPTH = 500; // as Jackson's default nesting limit

  private final byte[] b;
  private int i;

  private JsonShape(byte[] b) {
    this.b = b;
  }

  static boolean isOneValue(byte[] utf8) {
    JsonShape s = new JsonShape(utf8);
    try {
      s.ws();
      if (!s.value(0)) return false;
      s.ws();
      return s.i == utf8.length;
    } catch (ArrayIndexOutOfBoundsException end) {
      return false;
    }
  }

  /**
   * Where the one JSON value that starts exactly at {@code from} ends (the index just past it), or
   * -1 when no well-formed value starts there: how a published envelope's {@code data} is found
   * without parsing it into anything.
   */
  static int valueEnd(byte[] utf8, int from) {
    JsonShape s = new JsonShape(utf8);
    s.i = from;
    try {
      return s.value(0) ? s.i : -1;
    } catch (ArrayIndexOutOfBoundsException end) {
      return -1;
    }
  }

  private void ws() {
    while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) i++;
  }

  private boolean value(int depth) {
    if (i >= b.length || depth > MAX_DEPTH) return false;
    switch (b[i]) {
      case '{':
        return object(depth + 1);
      case '[':
        return array(depth + 1);
      case '"':
        return string();
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

  private boolean object(int depth) {
    i++; // {
    ws();
    if (b[i] == '}') {
      i++;
      return true;
    }
    for (; ; ) {
      ws();
      if (b[i] != '"' || !string()) return false;
      ws();
      if (b[i++] != ':') return false;
      ws();
      if (!value(depth)) return false;
      ws();
      byte c = b[i++];
      if (c == '}') return true;
      if (c != ',') return false;
    }
  }

  private boolean array(int depth) {
    i++; // [
    ws();
    if (b[i] == ']') {
      i++;
      return true;
    }
    for (; ; ) {
      ws();
      if (!value(depth)) return false;
      ws();
      byte c = b[i++];
      if (c == ']') return true;
      if (c != ',') return false;
    }
  }

  private boolean string() {
    i++; // opening quote
    for (; ; ) {
      int c = b[i++] & 0xFF;
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\') {
        int e = b[i++];
        if (e == 'u') {
          for (int k = 0; k < 4; k++) {
            if (Character.digit(b[i++], 16) < 0) return false;
          }
        } else if ("\"\\/bfnrt".indexOf(e) < 0) {
          return false;
        }
      }
      // Bytes >= 0x80 are UTF-8 continuation or lead bytes: the stream holds UTF-8 text, and
      // whether it is well formed is the decoder's concern, not JSON's shape.
    }
  }

  private boolean literal(String word) {
    for (int k = 0; k < word.length(); k++) {
      if (b[i++] != word.charAt(k)) return false;
    }
    return true;
  }

  private boolean number() {
    int start = i;
    if (i < b.length && b[i] == '-') i++;
    if (i >= b.length) return false;
    if (b[i] == '0') {
      i++;
    } else if (b[i] >= '1' && b[i] <= '9') {
      while (i < b.length && isDigit(b[i])) i++;
    } else {
      return false;
    }
    if (i < b.length && b[i] == '.') {
      i++;
      if (i >= b.length || !isDigit(b[i])) return false;
      while (i < b.length && isDigit(b[i])) i++;
    }
    if (i < b.length && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < b.length && (b[i] == '+' || b[i] == '-')) i++;
      if (i >= b.length || !isDigit(b[i])) return false;
      while (i < b.length && isDigit(b[i])) i++;
    }
    return i > start;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }
}
