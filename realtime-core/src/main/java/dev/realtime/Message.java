package dev.realtime;

/**
 * One delivered event: {@code {id, event, channel, data}}, with {@code data} converted to the type
 * the schema registered for the event.
 *
 * <p>Subscribers of one process may share the same data object; treat it as read-only.
 */
public record Message<T>(String id, String event, String channel, T data) {}
