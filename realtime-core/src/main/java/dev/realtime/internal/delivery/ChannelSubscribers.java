package dev.realtime.internal.delivery;

import dev.realtime.spi.ChannelWatch;
import dev.realtime.spi.Engine;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The local subscriptions of one channel, sharing one engine watch: an append wakes each of their
 * cursors. Exists while the channel has at least one subscription.
 */
final class ChannelSubscribers {
  private final String channel;
  private final Fanout fanout;
  private final CopyOnWriteArrayList<CursorSubscription<?>> subscriptions =
      new CopyOnWriteArrayList<>();
  private ChannelWatch watch; // guarded by the fanout's map entry

  ChannelSubscribers(String channel, Fanout fanout) {
    this.channel = channel;
    this.fanout = fanout;
  }

  String channel() {
    return channel;
  }

  Engine engine() {
    return fanout.engine();
  }

  void open() {
    watch = fanout.engine().watch(channel, this::wakeAll);
  }

  void close() {
    if (watch != null) watch.close();
    watch = null;
  }

  private void wakeAll() {
    for (CursorSubscription<?> s : subscriptions) s.wake();
  }

  void add(CursorSubscription<?> subscription) {
    subscriptions.add(subscription);
  }

  /** Removes and returns whether none is left. */
  boolean removeLocal(CursorSubscription<?> subscription) {
    subscriptions.remove(subscription);
    return subscriptions.isEmpty();
  }

  void remove(CursorSubscription<?> subscription) {
    fanout.remove(this, subscription);
  }

  Iterable<CursorSubscription<?>> all() {
    return subscriptions;
  }

  int size() {
    return subscriptions.size();
  }
}
