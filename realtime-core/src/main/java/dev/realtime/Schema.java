package dev.realtime;

import dev.realtime.internal.Names;
import java.lang.reflect.Type;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which events exist and what their data looks like: each event name maps to a Java type (records,
 * String, numbers, lists, maps) and/or a {@link JsonSchema}.
 *
 * <pre>{@code
 * Schema.builder()
 *     .event("notification.alert", String.class)
 *     .events(RoomEvent.class)              // a sealed interface of @Event records
 *     .event("job.progress", Progress.class)
 *     .build();
 * }</pre>
 *
 * <p>Emit validates data against it, and subscribers receive data converted to the registered type.
 * With a schema, events it does not name are rejected unless {@link Builder#allowUnknownEvents()}
 * is set; {@link #NONE} accepts every event with any JSON data.
 */
public final class Schema {

  /** No schema: every event name, any JSON data. */
  public static final Schema NONE = new Schema(Map.of(), true);

  /** One event's definition: its Java type and/or JSON Schema (either may be null). */
  public record Definition(String event, Type javaType, JsonSchema jsonSchema) {}

  private final Map<String, Definition> definitions;
  private final boolean allowUnknownEvents;

  private Schema(Map<String, Definition> definitions, boolean allowUnknownEvents) {
    this.definitions = definitions;
    this.allowUnknownEvents = allowUnknownEvents;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every defined event, in the order they were registered. */
  public Map<String, Definition> definitions() {
    return definitions;
  }

  public Set<String> eventNames() {
    return definitions.keySet();
  }

  public Definition definition(String event) {
    return definitions.get(event);
  }

  /** Whether events the schema does not define are accepted (with any JSON data). */
  public boolean allowsUnknownEvents() {
    return allowUnknownEvents;
  }

  public static final class Builder {
    private final Map<String, Definition> definitions = new LinkedHashMap<>();
    private boolean allowUnknownEvents;

    private Builder() {}

    /** Data of {@code event} is a {@code type}: a Class or any generic {@link Type}. */
    public Builder event(String event, Type type) {
      Objects.requireNonNull(type, "type");
      return define(new Definition(event, type, null));
    }

    /** Data of {@code event} must match {@code schema}; subscribers get plain Java values. */
    public Builder event(String event, JsonSchema schema) {
      Objects.requireNonNull(schema, "schema");
      return define(new Definition(event, null, schema));
    }

    /** Data of {@code event} is a {@code type} and must also match {@code schema}. */
    public Builder event(String event, Type type, JsonSchema schema) {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(schema, "schema");
      return define(new Definition(event, type, schema));
    }

    /**
     * Registers each {@link Event @Event}-annotated type: the class itself if annotated, and every
     * permitted subclass of a sealed interface or class, recursively.
     */
    public Builder events(Class<?> type) {
      Objects.requireNonNull(type, "type");
      int before = definitions.size();
      addAnnotated(type);
      if (definitions.size() == before) {
        throw new IllegalArgumentException(
            type.getName()
                + " has no @Event annotation and permits no @Event-annotated subclass: annotate"
                + " the record, e.g. @Event(\"chat.message\"), or use event(name, type)");
      }
      return this;
    }

    private void addAnnotated(Class<?> type) {
      Event annotation = type.getAnnotation(Event.class);
      if (annotation != null) define(new Definition(annotation.value(), type, null));
      Class<?>[] permitted = type.getPermittedSubclasses();
      if (permitted != null) {
        for (Class<?> sub : permitted) addAnnotated(sub);
      }
    }

    /** Accept events the schema does not define, with any JSON data. */
    public Builder allowUnknownEvents() {
      allowUnknownEvents = true;
      return this;
    }

    private Builder define(Definition definition) {
      Names.checkEvent(definition.event());
      Definition previous = definitions.putIfAbsent(definition.event(), definition);
      if (previous != null && !previous.equals(definition)) {
        throw new IllegalArgumentException(
            "event '"
                + definition.event()
                + "' is defined twice: "
                + previous
                + " and "
                + definition);
      }
      return this;
    }

    public Schema build() {
      return new Schema(
          Collections.unmodifiableMap(new LinkedHashMap<>(definitions)), allowUnknownEvents);
    }
  }
}
