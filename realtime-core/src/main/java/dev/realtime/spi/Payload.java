package dev.realtime.spi;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * An event's data, encoded once: the UTF-8 JSON text that every engine stores and every transport
 * writes, plus (in-process only) the immutable Java value it was encoded from.
 *
 * <p>The JSON bytes are shared, never copied: nobody may modify the array. Decoded values are
 * cached here, one type at a time, so N subscribers of one process decode an entry once.
 */
public final class Payload {
  private final byte[] json;
  private final Object localValue;
  private final String problem;
  private volatile Decoded decoded;

  private record Decoded(Class<?> type, Object value) {}

  private Payload(byte[] json, Object localValue, String problem) {
    this.json = json;
    this.localValue = localValue;
    this.problem = problem;
  }

  /** Data known only as JSON text (read from storage or the network). */
  public static Payload ofJson(byte[] utf8Json) {
    return new Payload(utf8Json, null, null);
  }

  /** Data known only as JSON text (read from storage or the network). */
  public static Payload ofJson(String json) {
    return new Payload(json.getBytes(StandardCharsets.UTF_8), null, null);
  }

  /**
   * Data encoded from an immutable Java value (a String, a boxed number, a record of such values),
   * which subscribers of the same process may receive as is.
   */
  public static Payload ofValue(byte[] utf8Json, Object immutableValue) {
    return new Payload(utf8Json, immutableValue, null);
  }

  /**
   * Stored data that cannot be read (written by someone else with a missing field or broken JSON).
   * It keeps its place in the log, so cursors move past it, but decoding it fails with {@code
   * problem}: subscribers skip it and report it to their error hook.
   */
  public static Payload malformed(String problem) {
    return new Payload("null".getBytes(StandardCharsets.UTF_8), null, problem);
  }

  /** Why this entry cannot be read, or null when it can. */
  public String problem() {
    return problem;
  }

  /** The UTF-8 JSON text. Shared: do not modify. */
  public byte[] json() {
    return json;
  }

  public String jsonText() {
    return new String(json, StandardCharsets.UTF_8);
  }

  public int size() {
    return json.length;
  }

  /** The immutable value this payload was encoded from in this process, or null. */
  public Object localValue() {
    return localValue;
  }

  /**
   * The value decoded as {@code type}, computed by {@code decoder} once and cached. Concurrent
   * first calls may both decode; both results are equal and either may be kept.
   */
  public Object decode(Class<?> type, Function<Payload, Object> decoder) {
    Decoded d = decoded;
    if (d != null && d.type == type) return d.value;
    Object value = decoder.apply(this);
    decoded = new Decoded(type, value);
    return value;
  }

  @Override
  public String toString() {
    return jsonText();
  }
}
