package dev.realtime.spi;

/**
 * What an engine knows about a channel's log at the moment of a read; core decides from it whether
 * a cursor has lost messages.
 *
 * @param firstId the oldest retained id, or {@link EntryId#ZERO} when the log is empty
 * @param lastId the newest id ever appended to this log, or ZERO when none was
 * @param removedThrough the newest id ever removed from this log by trimming or expiry, or ZERO
 *     when nothing was removed (or the engine cannot tell)
 */
public record LogState(EntryId firstId, EntryId lastId, EntryId removedThrough) {

  public static final LogState EMPTY = new LogState(EntryId.ZERO, EntryId.ZERO, EntryId.ZERO);

  public boolean isEmpty() {
    return firstId.equals(EntryId.ZERO);
  }
}
