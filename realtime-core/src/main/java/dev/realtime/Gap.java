package dev.realtime;

/**
 * Messages a subscription could not deliver because history no longer holds them.
 *
 * @param channel the channel
 * @param afterId the last position the subscription had (its last delivered id, or the id it asked
 *     to resume after)
 * @param firstAvailableId the oldest id still in history, or null when history is empty; delivery
 *     continues from here when the subscription has an {@link Subscribe#onGap} handler. When
 *     history still holds messages up to {@code afterId} and lost some after it (deleted one by
 *     one, as Redis's XDEL does), the id just after {@code afterId}: delivery goes on after {@code
 *     afterId}
 */
public record Gap(String channel, String afterId, String firstAvailableId) {}
