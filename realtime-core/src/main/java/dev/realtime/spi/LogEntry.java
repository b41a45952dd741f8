package dev.realtime.spi;

import java.util.function.Function;

/** One entry of a channel's log, as an engine stores it: {@code {id, event, channel, data}}. */
public final class LogEntry {
  private final EntryId id;
  private final String event;
  private final String channel;
  private final Payload data;
  private volatile Memo memo;

  private record Memo(Object key, Object value) {}

  public LogEntry(EntryId id, String event, String channel, Payload data) {
    this.id = id;
    this.event = event;
    this.channel = channel;
    this.data = data;
  }

  public EntryId id() {
    return id;
  }

  /** {@link #id()} as {@code <ms>-<seq>}. */
  public String idText() {
    return id.toString();
  }

  public String event() {
    return event;
  }

  public String channel() {
    return channel;
  }

  public Payload data() {
    return data;
  }

  /**
   * What {@code encode} makes of this entry, computed once per {@code key} and kept: a transport
   * passes its encoder as the key and writes the same bytes to every connection, however many
   * deliver the entry at once (the first computes under the entry's monitor, the others wait for
   * it). One slot: a different key replaces the value.
   */
  @SuppressWarnings("unchecked")
  public <V> V memo(Object key, Function<? super LogEntry, ? extends V> encode) {
    Memo m = memo;
    if (m != null && m.key == key) return (V) m.value;
    synchronized (this) {
      m = memo;
      if (m != null && m.key == key) return (V) m.value;
      V value = encode.apply(this);
      memo = new Memo(key, value);
      return value;
    }
  }

  @Override
  public String toString() {
    return "LogEntry{" + id + ", " + event + ", " + channel + ", " + data + "}";
  }
}
