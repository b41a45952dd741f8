package dev.realtime;

import dev.realtime.spi.EntryId;
import java.time.Instant;
import java.util.Objects;

/**
 * Which past messages of a channel to read.
 *
 * <pre>{@code
 * HistoryQuery.all()                                  // the oldest 1000
 * HistoryQuery.limit(100).start(Instant.now().minus(Duration.ofDays(1)))
 * HistoryQuery.latest(50)                             // the newest 50, oldest first
 * HistoryQuery.limit(1000).after(page.getLast().id())  // the next page
 * HistoryQuery.latest(1000).before(page.getFirst().id()) // the page before, going back
 * }</pre>
 *
 * <p>{@code start} and {@code end} are inclusive Unix-millisecond bounds; {@code after} and {@code
 * before} are exclusive message ids, to page through more than {@value #MAX_LIMIT} messages without
 * missing or repeating one (several messages can share a millisecond, so a time cannot do that).
 * Results are always oldest first. {@code limit} defaults to and is capped at {@value #MAX_LIMIT};
 * by default it keeps the oldest matching messages (as the original does), {@link #latest(int)}
 * keeps the newest.
 *
 * <p>When subscribing with history, replay always takes the newest {@code limit} matching messages
 * and then continues live from there: that is the only choice without a gap between replay and
 * live.
 */
public final class HistoryQuery {
  /** The most messages one query returns. */
  public static final int MAX_LIMIT = 1000;

  /** The limit when none is given. */
  public static final int DEFAULT_LIMIT = MAX_LIMIT;

  private static final HistoryQuery ALL =
      new HistoryQuery(DEFAULT_LIMIT, false, null, null, null, null);

  private final int limit;
  private final boolean latest;
  private final Long start;
  private final Long end;
  private final EntryId after;
  private final EntryId before;

  private HistoryQuery(
      int limit, boolean latest, Long start, Long end, EntryId after, EntryId before) {
    this.limit = limit;
    this.latest = latest;
    this.start = start;
    this.end = end;
    this.after = after;
    this.before = before;
  }

  /** Up to {@value #DEFAULT_LIMIT} messages, the oldest first. */
  public static HistoryQuery all() {
    return ALL;
  }

  /** The oldest {@code limit} matching messages (capped at {@value #MAX_LIMIT}). */
  public static HistoryQuery limit(int limit) {
    return new HistoryQuery(checkLimit(limit), false, null, null, null, null);
  }

  /** The newest {@code limit} matching messages (capped at {@value #MAX_LIMIT}), oldest first. */
  public static HistoryQuery latest(int limit) {
    return new HistoryQuery(checkLimit(limit), true, null, null, null, null);
  }

  private static int checkLimit(int limit) {
    if (limit < 1) throw new IllegalArgumentException("limit < 1: " + limit);
    return Math.min(limit, MAX_LIMIT);
  }

  /** Only messages emitted at or after {@code start}. */
  public HistoryQuery start(Instant start) {
    return start(millis(start));
  }

  /** Unix milliseconds, saturated: an instant past what a long holds is as far as it goes. */
  private static long millis(Instant t) {
    if (t.isAfter(LAST_MILLI)) return Long.MAX_VALUE;
    if (t.isBefore(FIRST_MILLI)) return Long.MIN_VALUE;
    return t.toEpochMilli();
  }

  private static final Instant LAST_MILLI = Instant.ofEpochMilli(Long.MAX_VALUE);
  private static final Instant FIRST_MILLI = Instant.ofEpochMilli(Long.MIN_VALUE);

  /** Only messages emitted at or after this Unix time in milliseconds. */
  public HistoryQuery start(long startMillis) {
    if (startMillis < 0) {
      throw new IllegalArgumentException(
          "start " + startMillis + " is before 1970: a Unix time in milliseconds, 0 or later");
    }
    checkOrder(startMillis, end);
    return new HistoryQuery(limit, latest, startMillis, end, after, before);
  }

  /** Only messages emitted at or before {@code end}. */
  public HistoryQuery end(Instant end) {
    return end(millis(end));
  }

  /** Only messages emitted at or before this Unix time in milliseconds. */
  public HistoryQuery end(long endMillis) {
    if (endMillis < 0) {
      throw new IllegalArgumentException(
          "end " + endMillis + " is before 1970: a Unix time in milliseconds, 0 or later");
    }
    checkOrder(start, endMillis);
    return new HistoryQuery(limit, latest, start, endMillis, after, before);
  }

  /**
   * Only messages after the message with this id, {@code <ms>-<seq>} (exclusive; the message need
   * not exist any more): the last id of a page asks for the next page.
   *
   * @throws IllegalArgumentException if {@code id} is not of that form, or not before {@code
   *     before}
   */
  public HistoryQuery after(String id) {
    EntryId parsed = EntryId.parse(id);
    checkOrder(parsed, before);
    return new HistoryQuery(limit, latest, start, end, parsed, before);
  }

  /**
   * Only messages before the message with this id, {@code <ms>-<seq>} (exclusive): with {@link
   * #latest(int)}, the first id of a page asks for the page before it.
   *
   * @throws IllegalArgumentException if {@code id} is not of that form, or not after {@code after}
   */
  public HistoryQuery before(String id) {
    EntryId parsed = EntryId.parse(id);
    checkOrder(after, parsed);
    return new HistoryQuery(limit, latest, start, end, after, parsed);
  }

  /** The same query with another limit (capped at {@value #MAX_LIMIT}). */
  public HistoryQuery withLimit(int limit) {
    return new HistoryQuery(checkLimit(limit), latest, start, end, after, before);
  }

  private static void checkOrder(EntryId after, EntryId before) {
    if (after != null && before != null && after.compareTo(before) >= 0) {
      throw new IllegalArgumentException(
          "after "
              + after
              + " is not before before "
              + before
              + ": no message can match; after must be an earlier id than before (both are"
              + " exclusive)");
    }
  }

  private static void checkOrder(Long start, Long end) {
    if (start != null && end != null && start > end) {
      throw new IllegalArgumentException(
          "start "
              + start
              + " is after end "
              + end
              + ": no message can match; start must be at or before end (both are inclusive)");
    }
  }

  public int limit() {
    return limit;
  }

  /** Whether the newest rather than the oldest matching messages are kept. */
  public boolean isLatest() {
    return latest;
  }

  /** The inclusive lower bound in Unix milliseconds, or null. */
  public Long startMillis() {
    return start;
  }

  /** The inclusive upper bound in Unix milliseconds, or null. */
  public Long endMillis() {
    return end;
  }

  /** The exclusive lower bound, a message id, or null. */
  public String afterId() {
    return after == null ? null : after.toString();
  }

  /** The exclusive upper bound, a message id, or null. */
  public String beforeId() {
    return before == null ? null : before.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HistoryQuery q
        && q.limit == limit
        && q.latest == latest
        && Objects.equals(q.start, start)
        && Objects.equals(q.end, end)
        && Objects.equals(q.after, after)
        && Objects.equals(q.before, before);
  }

  @Override
  public int hashCode() {
    return Objects.hash(limit, latest, start, end, after, before);
  }

  @Override
  public String toString() {
    return "HistoryQuery{"
        + (latest ? "latest=" : "limit=")
        + limit
        + (start != null ? ", start=" + start : "")
        + (end != null ? ", end=" + end : "")
        + (after != null ? ", after=" + after : "")
        + (before != null ? ", before=" + before : "")
        + "}";
  }
}
