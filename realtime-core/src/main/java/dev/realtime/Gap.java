package dev.realtime;

/**
 * Messages a subscription could not deliver because history no longer holds them.
 *
 * @param channel the channel
 * @param afterId the last position the subscription had (its last delivered id, or the id it asked
 *     to resume after)
 * @param firstAvailableId the oldest id still in history, or null when history is empty; delivery
 *     continues from here when the subscription has an {@link Subscribe#onGap} handler
 */
public record Gap(String channel, String afterId, String firstAvailableId) {}
