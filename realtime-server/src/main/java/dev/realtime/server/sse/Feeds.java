package dev.realtime.server.sse;

import dev.realtime.Realtime;
import dev.realtime.server.metrics.ServerMetrics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The server's {@link ChannelFeed}s: one per channel that open streams are on, started by the first
 * stream of the channel and stopped when its last one closes. A feed that could not start, or whose
 * subscription ended under the server, is dropped at once, so the next stream of its channel starts
 * a fresh one while the old one's streams are still closing.
 */
final class Feeds {
  private final Realtime realtime;
  private final ServerMetrics metrics;
  private final long writeDelayNanos;
  private final Map<String, ChannelFeed> feeds = new HashMap<>();

  Feeds(Realtime realtime, ServerMetrics metrics, Duration writeDelay) {
    this.realtime = realtime;
    this.metrics = metrics;
    this.writeDelayNanos = writeDelay.toNanos();
  }

  /** The channel's feed, started if it is the first; pair with {@link #release}. */
  ChannelFeed acquire(String channel) {
    ChannelFeed feed;
    boolean created = false;
    synchronized (this) {
      feed = feeds.get(channel);
      if (feed == null) {
        feed = new ChannelFeed(channel, metrics, writeDelayNanos);
        feeds.put(channel, feed);
        created = true;
      }
      feed.refs++;
    }
    if (created) {
      ChannelFeed started = feed;
      started.start(realtime);
      started.ready().exceptionally(e -> forget(started));
      started.lost().thenRun(() -> forget(started));
    }
    return feed;
  }

  /**
   * A feed that could not start, or was lost, is not handed out again (its holders fail or end, and
   * release it).
   */
  private synchronized ChannelFeed forget(ChannelFeed feed) {
    feeds.remove(feed.name(), feed);
    return null;
  }

  void release(ChannelFeed feed) {
    synchronized (this) {
      if (--feed.refs > 0) return;
      feeds.remove(feed.name(), feed);
    }
    feed.stop();
  }
}
