package dev.realtime.spi;

/**
 * Which entries of a log to read. Results are always returned oldest first.
 *
 * @param from lower bound
 * @param fromExclusive whether {@code from} itself is excluded (cursor reads are exclusive)
 * @param to inclusive upper bound
 * @param limit maximum number of entries; 0 reads only the log's {@link LogState}
 * @param newest when more than {@code limit} entries match, keep the newest rather than the oldest
 */
public record Range(EntryId from, boolean fromExclusive, EntryId to, int limit, boolean newest) {

  public Range {
    if (limit < 0) throw new IllegalArgumentException("limit < 0");
  }

  /**
   * The entries after a cursor, oldest first: the delivery loop's read. An engine may answer such a
   * read (exclusive, to {@link EntryId#MAX}) from what its fan-out has brought so far, behind the
   * log by the fan-out's delay, as the Redis engine's feed does: the delivery loop reads again when
   * told of more. A read that must see everything stored (history) is inclusive.
   */
  public static Range after(EntryId cursor, int limit) {
    return new Range(cursor, true, EntryId.MAX, limit, false);
  }

  /** The oldest {@code limit} entries with {@code from <= id <= to}. */
  public static Range oldest(EntryId from, EntryId to, int limit) {
    return new Range(from, false, to, limit, false);
  }

  /** The newest {@code limit} entries with {@code from <= id <= to}. */
  public static Range newest(EntryId from, EntryId to, int limit) {
    return new Range(from, false, to, limit, true);
  }

  /** No entries, just the log's state. */
  public static Range stateOnly() {
    return new Range(EntryId.ZERO, false, EntryId.MAX, 0, false);
  }

  /** Whether {@code id} lies within the bounds (ignoring the limit). */
  public boolean contains(EntryId id) {
    int c = id.compareTo(from);
    return (fromExclusive ? c > 0 : c >= 0) && id.compareTo(to) <= 0;
  }
}
