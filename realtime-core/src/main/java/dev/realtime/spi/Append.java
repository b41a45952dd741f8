package dev.realtime.spi;

import dev.realtime.History;

/**
 * A request to append one event to a channel's log, already validated and encoded.
 *
 * @param retention how much of the channel's log to keep after this append: the engine trims to
 *     {@link History#maxLength()} and (re)starts the channel's expiry timer on every append
 */
public record Append(String channel, String event, Payload data, History retention) {}
