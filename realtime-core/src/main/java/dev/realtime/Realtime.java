package dev.realtime;

import dev.realtime.internal.RealRealtime;
import dev.realtime.memory.MemoryEngine;
import dev.realtime.spi.Engine;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Typed events on named channels, with history and exactly-once replay-then-live subscriptions.
 *
 * <pre>{@code
 * try (Realtime realtime = Realtime.builder().schema(schema).build()) {
 *   realtime.channel("room-123").emit("chat.message", new ChatMessage("ada", "hi"));
 * }
 * }</pre>
 *
 * <p>Thread-safe. Without {@link Builder#engine}, an embedded in-memory engine is used and closed
 * with this Realtime.
 */
public interface Realtime extends AutoCloseable {

  /** The channel {@link #emit(String, Object)} uses. */
  String DEFAULT_CHANNEL = "default";

  static Builder builder() {
    return new Builder();
  }

  /** A Realtime on the in-memory engine, without a schema, with default history. */
  static Realtime create() {
    return builder().build();
  }

  /**
   * The named channel: any non-empty string of at most 256 UTF-8 bytes without control characters.
   *
   * @throws InvalidNameException otherwise
   */
  Channel channel(String name);

  /**
   * The named channel, whose emits keep {@code retention} of its history instead of this Realtime's
   * {@link #history()}: for channels that need another bound than the rest, such as short-lived
   * channels that should expire once idle. Retention is applied at each emit (trimming and
   * restarting the expiry, as {@link Builder#history} describes), so emits through handles with
   * different retentions each apply their own: one whose retention has no expiry leaves a running
   * expiry as it is (on every engine, as Redis's XADD leaves a key's TTL). Reading and subscribing
   * are the same as through {@link #channel(String)}.
   *
   * @throws InvalidNameException if the name is not a valid channel name
   */
  Channel channel(String name, History retention);

  /** Emits to the {@value #DEFAULT_CHANNEL} channel. */
  default String emit(String event, Object data) {
    return channel(DEFAULT_CHANNEL).emit(event, data);
  }

  /** Emits to the {@value #DEFAULT_CHANNEL} channel without waiting. */
  default CompletableFuture<String> emitAsync(String event, Object data) {
    return channel(DEFAULT_CHANNEL).emitAsync(event, data);
  }

  Schema schema();

  History history();

  /**
   * Ends every subscription (each told {@link SubscriptionEnd#REALTIME_CLOSED} at its {@link
   * Subscribe#onEnd}) and, if it was created here, closes the engine. Idempotent.
   */
  @Override
  void close();

  /** Configuration, validated once in {@link #build()}. */
  final class Builder {
    /** The default maximum size of one event's JSON data: 1 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;

    private Schema schema = Schema.NONE;
    private History history = History.DEFAULT;
    private Engine engine;
    private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    private Executor executor;
    private Consumer<? super Throwable> onError;

    private Builder() {}

    /** Event names and data types; default {@link Schema#NONE} (anything goes). */
    public Builder schema(Schema schema) {
      this.schema = Objects.requireNonNull(schema, "schema");
      return this;
    }

    /** How much of each channel to keep; default {@link History#DEFAULT}. */
    public Builder history(History history) {
      this.history = Objects.requireNonNull(history, "history");
      return this;
    }

    /**
     * Where channels live; default a new {@link MemoryEngine}, owned and closed by the Realtime. An
     * engine passed here is not closed by the Realtime.
     */
    public Builder engine(Engine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
      return this;
    }

    /** The largest JSON encoding of one event's data that emit accepts; default 1 MiB. */
    public Builder maxPayloadBytes(int maxPayloadBytes) {
      if (maxPayloadBytes < 1) throw new IllegalArgumentException("maxPayloadBytes < 1");
      this.maxPayloadBytes = maxPayloadBytes;
      return this;
    }

    /**
     * Where subscription callbacks run; default a virtual thread per busy subscription, so a
     * blocking callback holds up nobody else. One subscription's callbacks never overlap.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Receives errors no subscription handled (callbacks that threw, lost positions, undecodable
     * entries); default: logged at WARN through SLF4J.
     */
    public Builder onError(Consumer<? super Throwable> onError) {
      this.onError = Objects.requireNonNull(onError, "onError");
      return this;
    }

    public Realtime build() {
      boolean ownsEngine = engine == null;
      Engine e = ownsEngine ? MemoryEngine.create() : engine;
      return new RealRealtime(e, ownsEngine, schema, history, maxPayloadBytes, executor, onError);
    }
  }
}
