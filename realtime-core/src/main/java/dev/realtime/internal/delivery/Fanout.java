package dev.realtime.internal.delivery;

import dev.realtime.RealtimeClosedException;
import dev.realtime.RealtimeException;
import dev.realtime.Subscribe;
import dev.realtime.Subscription;
import dev.realtime.SubscriptionEnd;
import dev.realtime.internal.Names;
import dev.realtime.internal.codec.EventCodec;
import dev.realtime.spi.Engine;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The fan-out stage: from an engine's per-channel wake-up to each local subscription's cursor.
 * Keeps one {@link ChannelSubscribers} (and so one engine watch) per channel that has subscriptions
 * in this Realtime, and drops it with the last one.
 */
public final class Fanout {
  private final Engine engine;
  private final EventCodec codec;
  private final ErrorRoute errors;
  private final Executor executor;
  private final ConcurrentHashMap<String, ChannelSubscribers> channels = new ConcurrentHashMap<>();
  private volatile boolean closed;

  public Fanout(Engine engine, EventCodec codec, ErrorRoute errors, Executor executor) {
    this.engine = engine;
    this.codec = codec;
    this.errors = errors;
    this.executor = executor;
  }

  Engine engine() {
    return engine;
  }

  public <T> CompletableFuture<Subscription> subscribe(String channel, Subscribe<T> request) {
    if ((request.onData() == null) == (request.onEntry() == null)) {
      throw new IllegalArgumentException(
          request.onData() == null
              ? "a subscription needs onData: Subscribe.to(...).onData(message -> ...)"
              : "a subscription takes onData or onEntry, not both");
    }
    Set<String> events = eventsOf(request);
    CursorSubscription<T> subscription = register(channel, request, events);
    return StartPosition.resolve(engine, channel, request, events)
        .handle(
            (start, error) -> {
              if (error != null) {
                subscription.unsubscribe();
                Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                throw cause instanceof RuntimeException re
                    ? re
                    : new RealtimeException("subscribing to '" + channel + "' failed", cause);
              }
              subscription.start(start.cursor(), start.trusted());
              return subscription;
            });
  }

  private Set<String> eventsOf(Subscribe<?> request) {
    Set<String> named = request.events();
    if (named != null) named.forEach(Names::checkEvent);
    if (request.type() == null) return named;
    Set<String> typed = new LinkedHashSet<>(codec.eventsAssignableTo(request.type()));
    if (named != null) typed.retainAll(named);
    return typed;
  }

  private <T> CursorSubscription<T> register(
      String channel, Subscribe<T> request, Set<String> events) {
    ErrorRoute route = errors.preferring(request.onError());
    Executor exec = request.executor() != null ? request.executor() : executor;
    var created = new AtomicReference<CursorSubscription<T>>();
    channels.compute(
        channel,
        (name, subscribers) -> {
          if (closed) throw new RealtimeClosedException("realtime is closed: cannot subscribe");
          ChannelSubscribers s = subscribers;
          if (s == null) {
            s = new ChannelSubscribers(name, this);
            s.open();
          }
          CursorSubscription<T> subscription =
              new CursorSubscription<>(
                  s,
                  codec,
                  events,
                  request.onData(),
                  request.onEntry(),
                  request.onGap(),
                  request.onStatus(),
                  request.onEnd(),
                  route,
                  exec);
          s.add(subscription);
          created.set(subscription);
          return s;
        });
    CursorSubscription<T> subscription = created.get();
    if (closed) {
      // close() may have passed over this channel while the compute above was adding it (a map's
      // iteration does not see an entry being computed): take it out again.
      subscription.unsubscribe(SubscriptionEnd.REALTIME_CLOSED);
      throw new RealtimeClosedException("realtime is closed: cannot subscribe");
    }
    return subscription;
  }

  void remove(ChannelSubscribers subscribers, CursorSubscription<?> subscription) {
    channels.computeIfPresent(
        subscribers.channel(),
        (name, current) -> {
          if (current != subscribers || !current.removeLocal(subscription)) return current;
          current.close();
          return null;
        });
  }

  /** Ends every subscription of {@code channel} made through this Realtime. */
  public void unsubscribeAll(String channel) {
    ChannelSubscribers s = channels.get(channel);
    if (s == null) return;
    List<CursorSubscription<?>> all = new ArrayList<>();
    s.all().forEach(all::add);
    all.forEach(sub -> sub.unsubscribe(SubscriptionEnd.CHANNEL_UNSUBSCRIBED));
  }

  /** How many channels have local subscriptions. */
  public int channelCount() {
    return channels.size();
  }

  /** How many local subscriptions {@code channel} has. */
  public int subscriptionCount(String channel) {
    ChannelSubscribers s = channels.get(channel);
    return s == null ? 0 : s.size();
  }

  public void close() {
    closed = true;
    List<CursorSubscription<?>> ended = new ArrayList<>();
    for (String channel : new ArrayList<>(channels.keySet())) {
      channels.computeIfPresent(
          channel,
          (name, s) -> {
            s.all().forEach(ended::add);
            s.close();
            return null;
          });
    }
    // Outside the map's compute: an onEnd run inline (a direct or refusing executor) may touch it.
    ended.forEach(sub -> sub.deactivate(SubscriptionEnd.REALTIME_CLOSED));
  }
}
