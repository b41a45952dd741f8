package dev.realtime.redis;

/**
 * Tells whether bytes are exactly one JSON value (RFC 8259) in well-formed UTF-8, within Jackson's
 * default limits (nesting depth, number length), without building anything: the check the stream
 * reader makes on every entry's {@code data}, because the original stores strings raw and only text
 * that is not JSON must be read as a string. What passes is forwarded to transports as is. A full
 * parser per entry cost more allocation than the rest of the read path together; this is a single
 * pass with no allocation. {@code JsonShapeTest} compares it with Jackson on seeded random inputs.
 */
final class JsonShape {
  private static final int MAX_DEPTH = 500; // as Jackson's default nesting limit
  private static final int MAX_NUMBER_LENGTH = 1000; // as Jackson's default number length limit

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
      if (c >= 0x80) {
        // Strings must be well-formed UTF-8, as for Jackson: a transport forwards this text as is.
        int end = sequenceEnd(b, i - 1);
        if (end < 0) return false;
        i = end;
      }
    }
  }

  /**
   * Where the first byte of {@code utf8} that does not begin a well-formed UTF-8 sequence is (RFC
   * 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or -1 if there is none.
   */
  static int invalidUtf8At(byte[] utf8) {
    for (int at = 0; at < utf8.length; ) {
      if (utf8[at] >= 0) {
        at++;
        continue;
      }
      int end = sequenceEnd(utf8, at);
      if (end < 0) return at;
      at = end;
    }
    return -1;
  }

  /** The index after the multi-byte UTF-8 sequence that starts at {@code at}, or -1. */
  private static int sequenceEnd(byte[] b, int at) {
    int lead = b[at] & 0xFF;
    int length;
    int low = 0x80; // the range of the second byte, which rules out overlong forms and surrogates
    int high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return -1;
    }
    if (at + length > b.length) return -1;
    int second = b[at + 1] & 0xFF;
    if (second < low || second > high) return -1;
    for (int k = 2; k < length; k++) {
      if ((b[at + k] & 0xC0) != 0x80) return -1;
    }
    return at + length;
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
    return i > start && i - start <= MAX_NUMBER_LENGTH;
  }

  private static boolean isDigit(byte c) {
    return c >= '0' && c <= '9';
  }
}
