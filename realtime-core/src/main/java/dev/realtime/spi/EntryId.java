package dev.realtime.spi;

/**
 * The position of an entry in a channel's log: {@code <ms>-<seq>}, the format of a Redis stream id.
 *
 * <p>Ids are strictly increasing within a channel. {@link #ZERO} ({@code 0-0}) sorts before every
 * real id and stands for "the beginning of the log". The sequence part is compared as an unsigned
 * number, as Redis does, so {@link #lastAt(long)} sorts after every id of that millisecond.
 */
public final class EntryId implements Comparable<EntryId> {

  private final long ms;
  private final long seq;
  private String text; // the <ms>-<seq> form, made on first use: racy but idempotent

  public EntryId(long ms, long seq) {
    this.ms = ms;
    this.seq = seq;
  }

  /** Unix milliseconds of the append (compared unsigned). */
  public long ms() {
    return ms;
  }

  /** The number of the entry within its millisecond (compared unsigned). */
  public long seq() {
    return seq;
  }

  /** Before every real id: a cursor at ZERO has delivered nothing yet. */
  public static final EntryId ZERO = new EntryId(0, 0);

  /** After every real id. */
  public static final EntryId MAX = new EntryId(-1L, -1L);

  /** The first id a millisecond can hold: an inclusive lower bound for a time range. */
  public static EntryId firstAt(long ms) {
    return new EntryId(ms, 0);
  }

  /** The last id a millisecond can hold: an inclusive upper bound for a time range. */
  public static EntryId lastAt(long ms) {
    return new EntryId(ms, -1L);
  }

  /**
   * Parses {@code <ms>-<seq>}, both parts unsigned decimal numbers.
   *
   * @throws IllegalArgumentException naming the value and the accepted form
   */
  public static EntryId parse(String text) {
    EntryId id = tryParse(text);
    if (id == null) {
      throw new IllegalArgumentException(
          "message id '" + text + "' is not of the form <ms>-<seq> (for example 1732880000000-0)");
    }
    return id;
  }

  /** Like {@link #parse} but returns null instead of throwing; for hot paths and network input. */
  public static EntryId tryParse(String text) {
    if (text == null) return null;
    int dash = text.indexOf('-');
    if (dash <= 0 || dash == text.length() - 1 || dash > 20 || text.length() - dash - 1 > 20) {
      return null;
    }
    // ASCII digits only: parseUnsignedLong would take a leading '+' and any Unicode digit too.
    for (int i = 0; i < text.length(); i++) {
      if (i != dash && !isDigit(text.charAt(i))) return null;
    }
    try {
      long ms = Long.parseUnsignedLong(text, 0, dash, 10);
      long seq = Long.parseUnsignedLong(text, dash + 1, text.length(), 10);
      return new EntryId(ms, seq);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The smallest id greater than this one. */
  public EntryId successor() {
    return seq == -1L ? new EntryId(ms + 1, 0) : new EntryId(ms, seq + 1);
  }

  /** The greatest id smaller than this one; ZERO stays ZERO. */
  public EntryId predecessor() {
    if (equals(ZERO)) return ZERO;
    return seq == 0 ? new EntryId(ms - 1, -1L) : new EntryId(ms, seq - 1);
  }

  public boolean isAfter(EntryId other) {
    return compareTo(other) > 0;
  }

  public boolean isBefore(EntryId other) {
    return compareTo(other) < 0;
  }

  @Override
  public int compareTo(EntryId o) {
    int c = Long.compareUnsigned(ms, o.ms);
    return c != 0 ? c : Long.compareUnsigned(seq, o.seq);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EntryId other && other.ms == ms && other.seq == seq;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(ms) * 31 + Long.hashCode(seq);
  }

  /**
   * {@code <ms>-<seq>}; computed once, since emit, every subscriber and every transport need it.
   */
  @Override
  public String toString() {
    String t = text;
    if (t == null) text = t = Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    return t;
  }
}
