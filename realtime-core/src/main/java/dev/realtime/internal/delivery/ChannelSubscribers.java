package dev.realtime.internal.delivery;

import dev.realtime.ConnectionStatus;
import dev.realtime.RealtimeException;
import dev.realtime.spi.ChannelWatch;
import dev.realtime.spi.Engine;
import dev.realtime.spi.WatchListener;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The local subscriptions of one channel, sharing one engine watch: an append wakes each of their
 * cursors. Exists while the channel has at least one subscription.
 */
final class ChannelSubscribers implements WatchListener {
  private final String channel;
  private final Fanout fanout;
  private final CopyOnWriteArrayList<CursorSubscription<?>> subscriptions =
      new CopyOnWriteArrayList<>();
  private ChannelWatch watch; // guarded by the fanout's map entry
  // Why the engine cannot watch the channel (WatchListener.onError), until it can (onWatching):
  // told to every subscription, also to those that join meanwhile (the engine tells it once, maybe
  // before the first one is added)
  private volatile RealtimeException watchError;

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
    watch = fanout.engine().watch(channel, this);
  }

  void close() {
    if (watch != null) watch.close();
    watch = null;
  }

  @Override
  public void onAppend() {
    for (CursorSubscription<?> s : subscriptions) s.wake();
  }

  @Override
  public void onStatus(ConnectionStatus status) {
    for (CursorSubscription<?> s : subscriptions) s.status(status);
  }

  @Override
  public void onError(RealtimeException error) {
    watchError = error;
    for (CursorSubscription<?> s : subscriptions) s.wake(); // each tells its own, on its thread
  }

  @Override
  public void onWatching() {
    watchError = null; // a subscription that joins now is not told of it
  }

  RealtimeException watchError() {
    return watchError;
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
