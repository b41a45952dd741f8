package dev.realtime;

import dev.realtime.spi.LogEntry;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * What to subscribe to and what to do with it; immutable, each method returns a new value.
 *
 * <pre>{@code
 * channel.subscribe(Subscribe.to("chat.message", "user.joined")
 *     .history(HistoryQuery.latest(50))
 *     .onData(m -> System.out.println(m.event() + ": " + m.data())));
 * }</pre>
 *
 * <p>Delivery is a cursor over the channel's log: the replay and the live messages after it come
 * from one ordered read loop, so each message matching the filter is delivered exactly once, in id
 * order, with no gap between replay and live. Callbacks of one subscription never run concurrently;
 * a slow or throwing callback delays only its own subscription.
 *
 * @param <T> the type of {@link Message#data()}
 */
public final class Subscribe<T> {
  private final Set<String> events; // null: every event (or, with a type, every matching event)
  private final Class<T> type; // null: data typed by the schema, as Object
  private final Consumer<? super Message<T>> onData;
  private final Consumer<? super LogEntry> onEntry;
  private final Consumer<? super Throwable> onError;
  private final Consumer<? super Gap> onGap;
  private final Consumer<? super ConnectionStatus> onStatus;
  private final Consumer<? super SubscriptionEnd> onEnd;
  private final HistoryQuery history;
  private final String afterId;
  private final Long sinceMillis;
  private final Executor executor;

  private Subscribe(
      Set<String> events,
      Class<T> type,
      Consumer<? super Message<T>> onData,
      Consumer<? super LogEntry> onEntry,
      Consumer<? super Throwable> onError,
      Consumer<? super Gap> onGap,
      Consumer<? super ConnectionStatus> onStatus,
      Consumer<? super SubscriptionEnd> onEnd,
      HistoryQuery history,
      String afterId,
      Long sinceMillis,
      Executor executor) {
    this.events = events;
    this.type = type;
    this.onData = onData;
    this.onEntry = onEntry;
    this.sinceMillis = sinceMillis;
    this.onError = onError;
    this.onGap = onGap;
    this.onStatus = onStatus;
    this.onEnd = onEnd;
    this.history = history;
    this.afterId = afterId;
    this.executor = executor;
  }

  /** The named events, with data typed as the schema registers each of them. */
  public static Subscribe<Object> to(String... events) {
    if (events.length == 0) {
      throw new IllegalArgumentException("no event names: name at least one, or use toAll()");
    }
    Set<String> set = new LinkedHashSet<>(Arrays.asList(events));
    return new Subscribe<>(
        Collections.unmodifiableSet(set),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  /** Every event of the channel. */
  public static Subscribe<Object> toAll() {
    return new Subscribe<>(null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /**
   * Every event whose registered type is {@code type} or a subtype of it: pass a sealed interface
   * registered with {@link Schema.Builder#events(Class)} to receive all of its records.
   */
  public static <T> Subscribe<T> to(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return new Subscribe<>(null, type, null, null, null, null, null, null, null, null, null, null);
  }

  /** Called for each message, in order, never concurrently for one subscription. Required. */
  public Subscribe<T> onData(Consumer<? super Message<T>> onData) {
    Objects.requireNonNull(onData, "onData");
    return new Subscribe<>(
        events,
        type,
        onData,
        onEntry,
        onError,
        onGap,
        onStatus,
        onEnd,
        history,
        afterId,
        sinceMillis,
        executor);
  }

  /**
   * For transports that forward stored events as they are (a server writing them to sockets):
   * called with each matching log entry, in order, instead of {@link #onData}. The entry's data is
   * the stored JSON, already checked as {@code onData}'s would be (entries that cannot be read are
   * skipped and reported). Entries are shared by every subscription of the process, so {@link
   * LogEntry#memo} encodes one once for all connections. Set either this or {@code onData}.
   */
  public Subscribe<T> onEntry(Consumer<? super LogEntry> onEntry) {
    Objects.requireNonNull(onEntry, "onEntry");
    return new Subscribe<>(
        events,
        type,
        onData,
        onEntry,
        onError,
        onGap,
        onStatus,
        onEnd,
        history,
        afterId,
        sinceMillis,
        executor);
  }

  /**
   * Called with what went wrong: a {@link SubscriberException} when {@code onData} threw (delivery
   * goes on with the next message), a {@link CursorUnavailableException} when history no longer
   * holds the subscription's position and there is no {@link #onGap} (the subscription ends), or an
   * entry that could not be decoded (it is skipped). Without it, errors go to the {@link
   * Realtime.Builder#onError error hook}.
   */
  public Subscribe<T> onError(Consumer<? super Throwable> onError) {
    Objects.requireNonNull(onError, "onError");
    return new Subscribe<>(
        events,
        type,
        onData,
        onEntry,
        onError,
        onGap,
        onStatus,
        onEnd,
        history,
        afterId,
        sinceMillis,
        executor);
  }

  /**
   * Continue past lost messages instead of ending: when the subscription falls behind the oldest
   * retained message (or resumes from an id that is gone), {@code onGap} is told which and delivery
   * continues from the oldest message still in history.
   */
  public Subscribe<T> onGap(Consumer<? super Gap> onGap) {
    Objects.requireNonNull(onGap, "onGap");
    return new Subscribe<>(
        events,
        type,
        onData,
        onEntry,
        onError,
        onGap,
        onStatus,
        onEnd,
        history,
        afterId,
        sinceMillis,
        executor);
  }

  /**
   * Told whether the engine is reachable: {@link ConnectionStatus#CONNECTED} when the subscription
   * starts, then {@link ConnectionStatus#RECONNECTING} and {@link ConnectionStatus#RECONNECTED}
   * around an outage of a networked engine (after which delivery catches up). Runs in order with
   * {@code onData}, never concurrently with it.
   */
  public Subscribe<T> onStatus(Consumer<? super ConnectionStatus> onStatus) {
    Objects.requireNonNull(onStatus, "onStatus");
    return new Subscribe<>(
        events,
        type,
        onData,
        onEntry,
        onError,
        onGap,
        onStatus,
        onEnd,
        history,
        afterId,
        sinceMillis,
        executor);
  }

  /**
   * Told once when the subscription has ended, whatever ended it ({@link SubscriptionEnd}): its own
   * {@link Subscription#unsubscribe()}, {@link Channel#unsubscribe()} on its channel, {@link
   * Realtime#close()}, or an error that ends it (told to {@link #onError} first). Runs after every
   * other callback of the subscription has returned, never concurrently with one, on its executor
   * (or, when that executor refuses work, on the thread that ended or started it). Not called when
   * subscribing fails: the returned future fails instead. For code that forwards a subscription
   * elsewhere (a server's stream): an end it did not ask for must end what it feeds.
   */
  public Subscribe<T> onEnd(Consumer<? super SubscriptionEnd> onEnd) {
    Objects.requireNonNull(onEnd, "onEnd");
    return new Subscribe<>(
        events,
        type,
        onData,
        onEntry,
        onError,
        onGap,
        onStatus,
        onEnd,
        history,
        afterId,
        sinceMillis,
        executor);
  }

  /** {@code true}: replay up to the newest 1000 messages first; {@code false}: live only. */
  public Subscribe<T> history(boolean replay) {
    return replay
        ? history(HistoryQuery.all())
        : new Subscribe<>(
            events, type, onData, onEntry, onError, onGap, onStatus, onEnd, null, null, null,
            executor);
  }

  /**
   * Replay the newest {@code query.limit()} matching messages at or after {@code query.start}, in
   * order, then continue live. An {@code end} or {@code before} bound is rejected: replay runs into
   * live; so is {@code after}: {@link #after(String)} resumes after an id.
   */
  public Subscribe<T> history(HistoryQuery query) {
    Objects.requireNonNull(query, "query");
    if (query.endMillis() != null || query.beforeId() != null) {
      throw new IllegalArgumentException(
          "a subscription's history cannot have an end or a before: replay continues live; use"
              + " channel.history(query) to read a closed range");
    }
    if (query.afterId() != null) {
      throw new IllegalArgumentException(
          "a subscription's history cannot have an after: use Subscribe.after(\""
              + query.afterId()
              + "\") to resume after a message id");
    }
    return new Subscribe<>(
        events, type, onData, onEntry, onError, onGap, onStatus, onEnd, query, null, null,
        executor);
  }

  /**
   * Resume after a message id (exclusive), for example {@link Subscription#position()} of an
   * earlier subscription: every later message is delivered once, in order. If history no longer
   * holds that id, the subscription fails with {@link CursorUnavailableException} (or reports an
   * {@link #onGap}) instead of skipping messages in silence.
   */
  public Subscribe<T> after(String id) {
    dev.realtime.spi.EntryId.parse(id);
    return new Subscribe<>(
        events, type, onData, onEntry, onError, onGap, onStatus, onEnd, null, id, null, executor);
  }

  /**
   * Start with the messages emitted at or after this Unix time in milliseconds, then continue live:
   * for a client that knows when it last looked but holds no id (the original's browser client
   * sends {@code Date.now()} on its first connect). Unlike {@link #after(String)}, the time need
   * not be the id of a retained message; if messages after it were trimmed from history, that is a
   * {@link Gap}. When the log holds nothing at or after the time, the subscription starts at its
   * end, as a live one would (so an engine whose clock lags the caller's hides nothing emitted
   * later).
   */
  public Subscribe<T> since(long unixMillis) {
    if (unixMillis < 0) throw new IllegalArgumentException("since < 0: " + unixMillis);
    return new Subscribe<>(
        events,
        type,
        onData,
        onEntry,
        onError,
        onGap,
        onStatus,
        onEnd,
        null,
        null,
        unixMillis,
        executor);
  }

  /**
   * Run callbacks on this executor instead of the Realtime's (by default a virtual thread per
   * active subscription).
   */
  public Subscribe<T> executor(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    return new Subscribe<>(
        events,
        type,
        onData,
        onEntry,
        onError,
        onGap,
        onStatus,
        onEnd,
        history,
        afterId,
        sinceMillis,
        executor);
  }

  /** The event names asked for, or null for every event (narrowed by {@link #type()} if set). */
  public Set<String> events() {
    return events;
  }

  public Class<T> type() {
    return type;
  }

  public Consumer<? super Message<T>> onData() {
    return onData;
  }

  /** The transport's entry callback, or null (see {@link #onEntry(Consumer)}). */
  public Consumer<? super LogEntry> onEntry() {
    return onEntry;
  }

  public Consumer<? super Throwable> onError() {
    return onError;
  }

  public Consumer<? super Gap> onGap() {
    return onGap;
  }

  public Consumer<? super ConnectionStatus> onStatus() {
    return onStatus;
  }

  public Consumer<? super SubscriptionEnd> onEnd() {
    return onEnd;
  }

  /** The history to replay first, or null when starting live or after an id. */
  public HistoryQuery historyQuery() {
    return history;
  }

  /** The id to resume after, or null. */
  public String afterId() {
    return afterId;
  }

  /** The Unix time to start at, or null (see {@link #since(long)}). */
  public Long sinceMillis() {
    return sinceMillis;
  }

  public Executor executor() {
    return executor;
  }
}
