package dev.realtime;

/**
 * One message read from a channel's history: {@code {id, event, channel, data}}, with {@code data}
 * converted to the type the schema registered for the event (or to plain Java values: String,
 * Integer/Long/BigInteger, Double/BigDecimal, Boolean, List, Map, null).
 */
public record HistoryMessage(String id, String event, String channel, Object data) {}
