package dev.realtime.internal;

import dev.realtime.Channel;
import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.RealtimeClosedException;
import dev.realtime.Schema;
import dev.realtime.internal.codec.EventCodec;
import dev.realtime.internal.delivery.ErrorRoute;
import dev.realtime.internal.delivery.Fanout;
import dev.realtime.spi.Engine;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/** The Realtime behind {@link Realtime.Builder#build()}: wires codec, engine and fan-out. */
public final class RealRealtime implements Realtime {
  final Engine engine;
  final EventCodec codec;
  final History history;
  final Fanout fanout;
  final ErrorRoute errors;
  private final Schema schema;
  private final boolean ownsEngine;
  private final ExecutorService ownedExecutor;
  private final Executor callbacks; // delivery, and the caller's continuations of async results
  private final Channel defaultChannel;
  private volatile boolean closed;

  public RealRealtime(
      Engine engine,
      boolean ownsEngine,
      Schema schema,
      History history,
      int maxPayloadBytes,
      Executor executor,
      Consumer<? super Throwable> onError) {
    this.engine = engine;
    this.ownsEngine = ownsEngine;
    this.schema = schema;
    this.history = history;
    this.codec = new EventCodec(schema, maxPayloadBytes);
    this.errors = new ErrorRoute(onError != null ? onError : ErrorRoute.LOG);
    this.ownedExecutor =
        executor == null
            ? Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("realtime-delivery-", 0).factory())
            : null;
    this.callbacks = executor != null ? executor : ownedExecutor;
    this.fanout = new Fanout(engine, codec, errors, callbacks);
    this.defaultChannel = new RealChannel(this, DEFAULT_CHANNEL, history);
  }

  @Override
  public Channel channel(String name) {
    if (DEFAULT_CHANNEL.equals(name)) return defaultChannel;
    return new RealChannel(this, Names.checkChannel(name), history);
  }

  @Override
  public Channel channel(String name, History retention) {
    Objects.requireNonNull(retention, "retention");
    return new RealChannel(this, Names.checkChannel(name), retention);
  }

  @Override
  public String emit(String event, Object data) {
    return defaultChannel.emit(event, data);
  }

  @Override
  public Schema schema() {
    return schema;
  }

  @Override
  public History history() {
    return history;
  }

  /**
   * The future an async caller gets for an engine's {@code future}: engines may complete theirs on
   * their I/O threads (the Redis engine's reads do), and a caller's continuations must never run
   * there, so an unfinished future completes the caller's on the Realtime's executor (inline once
   * that is shut down). A finished one is returned as is: its continuations run on the caller's own
   * thread.
   */
  <T> CompletableFuture<T> handOff(CompletableFuture<T> future) {
    if (future.isDone()) return future;
    CompletableFuture<T> caller = new CompletableFuture<>();
    future.whenComplete(
        (value, error) -> {
          Runnable complete =
              () -> {
                if (error == null) caller.complete(value);
                else
                  caller.completeExceptionally(
                      error instanceof CompletionException && error.getCause() != null
                          ? error.getCause()
                          : error);
              };
          try {
            callbacks.execute(complete);
          } catch (RuntimeException refused) {
            // Shut down (RejectedExecutionException), or a user's executor that throws: the
            // caller's future must complete all the same.
            complete.run();
          }
        });
    return caller;
  }

  void checkOpen() {
    if (closed) throw new RealtimeClosedException("realtime is closed");
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    fanout.close();
    if (ownsEngine) engine.close();
    if (ownedExecutor != null) ownedExecutor.shutdown();
  }

  /** The fan-out stage, for transports and tests that need subscriber counts. */
  public Fanout fanout() {
    return fanout;
  }

  public Engine engine() {
    return engine;
  }
}
