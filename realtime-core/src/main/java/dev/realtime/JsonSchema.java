package dev.realtime;

import java.util.Objects;

/**
 * A JSON Schema (draft 2020-12 unless the schema's {@code $schema} says otherwise) that an event's
 * data must match. It is compiled when a Realtime is built with it, so a broken schema fails there,
 * not on the first emit.
 */
public final class JsonSchema {
  private final String text;

  private JsonSchema(String text) {
    this.text = text;
  }

  /** A schema given as JSON text, for example {@code {"type":"object","required":["id"]}}. */
  public static JsonSchema of(String json) {
    Objects.requireNonNull(json, "json");
    return new JsonSchema(json);
  }

  public String text() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JsonSchema s && s.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
