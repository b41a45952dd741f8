package dev.realtime.spi;

/** One entry of a channel's log, as an engine stores it: {@code {id, event, channel, data}}. */
public final class LogEntry {
  private final EntryId id;
  private final String event;
  private final String channel;
  private final Payload data;

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

  @Override
  public String toString() {
    return "LogEntry{" + id + ", " + event + ", " + channel + ", " + data + "}";
  }
}
