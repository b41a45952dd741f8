package dev.realtime;

/**
 * A subscription's position is no longer in the channel's history (trimmed by {@code maxLength},
 * expired, or never there), so messages after it may have been lost. Raised instead of skipping
 * them in silence; subscribe with {@link Subscribe#onGap} to skip ahead instead.
 */
public class CursorUnavailableException extends RealtimeException {
  private static final long serialVersionUID = 1L;
  private final transient Gap gap;

  public CursorUnavailableException(Gap gap) {
    super(
        "message id "
            + gap.afterId()
            + " is no longer in the history of channel '"
            + gap.channel()
            + "'"
            + (gap.firstAvailableId() == null
                ? " (the channel's history is empty)"
                : " (oldest available: " + gap.firstAvailableId() + ")")
            + ": messages after it may have been trimmed or expired; resume from an id still in"
            + " history, or subscribe with onGap(...) to continue from the oldest available one");
    this.gap = gap;
  }

  public Gap gap() {
    return gap;
  }
}
