package dev.realtime;

/**
 * One delivered event: {@code {id, event, channel, data}}, with {@code data} converted to the type
 * the schema registered for the event.
 *
 * <p>Subscribers of one process share the data object when its type is immutable (strings, numbers,
 * enums, records of those; untyped data comes as unmodifiable maps and lists); data of a mutable
 * type is decoded for each subscriber, so changing it affects no one else.
 */
public record Message<T>(String id, String event, String channel, T data) {}
