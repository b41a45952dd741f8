package dev.realtime.internal.codec;

import dev.realtime.EngineException;
import dev.realtime.Event;
import dev.realtime.InvalidNameException;
import dev.realtime.PayloadTooLargeException;
import dev.realtime.Schema;
import dev.realtime.ValidationException;
import dev.realtime.internal.Names;
import dev.realtime.spi.LogEntry;
import dev.realtime.spi.Payload;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * The validate and encode-once stretch of the emit path, and its mirror on delivery: turns an
 * event's Java data into a {@link Payload} (checked against the schema and the size limit), and a
 * stored entry back into the Java value its event is registered with.
 */
public final class EventCodec {
  private final Map<String, EventType> types = new LinkedHashMap<>();
  private final EventType untyped = new EventType("*", null, null);
  private final boolean allowUnknown;
  private final int maxPayloadBytes;

  public EventCodec(Schema schema, int maxPayloadBytes) {
    schema
        .definitions()
        .forEach((name, d) -> types.put(name, new EventType(name, d.javaType(), d.jsonSchema())));
    this.allowUnknown = schema.allowsUnknownEvents() || types.isEmpty();
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /** The event name of an {@link Event @Event}-annotated object. */
  public static String eventNameOf(Object annotated) {
    Event event = annotated == null ? null : annotated.getClass().getAnnotation(Event.class);
    if (event == null) {
      throw new InvalidNameException(
          (annotated == null ? "null" : annotated.getClass().getName())
              + " has no @Event annotation: annotate its type, e.g. @Event(\"chat.message\"), or"
              + " call emit(eventName, data)");
    }
    return event.value();
  }

  /**
   * Validates {@code data} for {@code event} and encodes it once.
   *
   * @throws InvalidNameException for a malformed event name
   * @throws ValidationException when the data does not fit the event, or the event is unknown
   * @throws PayloadTooLargeException when the JSON is larger than the limit
   */
  public Payload encode(String channel, String event, Object data) {
    EventType type = typeOf(event);
    byte[] json;
    Object local = null;
    try {
      if (type.javaType != null) {
        // Data of the registered class itself is encoded as it is, unless the type has parameters
        // (a List<Progress>), which an instance of the raw class does not prove it fits.
        if (data != null
            && !(data instanceof JsonNode)
            && !type.generic
            && type.rawClass.isInstance(data)) {
          if (type.hasJsonSchema()) type.validateJsonSchema(Json.MAPPER.valueToTree(data));
          json = toJson(data);
          local = type.immutable ? data : null;
        } else {
          JsonNode tree = toTree(event, data);
          if (tree.isNull()) throw mismatch(type, "got null", null);
          Object value;
          try {
            value = Json.MAPPER.treeToValue(tree, type.javaType);
          } catch (JacksonException e) {
            throw mismatch(type, "at " + path(e) + ": " + describe(e), e);
          }
          if (type.hasJsonSchema()) type.validateJsonSchema(tree);
          json = Json.MAPPER.writeValueAsBytes(tree);
          local = type.immutable ? value : null;
        }
      } else if (type.hasJsonSchema()) {
        JsonNode tree = toTree(event, data);
        type.validateJsonSchema(tree);
        json = Json.MAPPER.writeValueAsBytes(tree);
      } else {
        json = toJson(data);
        if (data instanceof String || data instanceof Boolean) local = data;
      }
    } catch (JacksonException e) {
      throw new ValidationException(
          event,
          "data of event '"
              + event
              + "' cannot be encoded as JSON ("
              + data.getClass().getName()
              + "): "
              + firstLine(e.getOriginalMessage()),
          e);
    }
    if (json.length > maxPayloadBytes) {
      throw new PayloadTooLargeException(
          "data of event '"
              + event
              + "' on channel '"
              + channel
              + "' is "
              + json.length
              + " bytes of JSON; at most "
              + maxPayloadBytes
              + " are accepted (maxPayloadBytes)",
          json.length,
          maxPayloadBytes);
    }
    return local != null ? Payload.ofValue(json, local) : Payload.ofJson(json);
  }

  private static byte[] toJson(Object data) {
    byte[] fast = FastJson.encode(data);
    return fast != null ? fast : Json.MAPPER.writeValueAsBytes(data);
  }

  private EventType typeOf(String event) {
    EventType type = types.get(event);
    if (type != null) return type;
    Names.checkEvent(event);
    if (!allowUnknown) {
      throw new ValidationException(
          event,
          "event '"
              + event
              + "' is not in the schema; known events: "
              + String.join(", ", types.keySet())
              + " (or build the schema with allowUnknownEvents())");
    }
    return untyped;
  }

  private static JsonNode toTree(String event, Object data) {
    return data instanceof JsonNode node ? node : Json.MAPPER.valueToTree(data);
  }

  private static ValidationException mismatch(EventType type, String what, Throwable cause) {
    return new ValidationException(
        type.event,
        "data of event '" + type.event + "' is invalid " + what + "; expected " + type.describe(),
        cause);
  }

  /**
   * The data of a stored entry as the Java type its event is registered with (plain Java values for
   * unregistered events), decoded once per entry and type.
   *
   * @throws EngineException when the stored data does not fit the registered type (written by
   *     someone else); the caller skips the entry and reports it
   */
  public Object decode(LogEntry entry) {
    return decode(entry, true);
  }

  /**
   * Checks that a stored entry can be read as {@link #decode} would, for transports that forward
   * the stored JSON as it is: data that is readable and of an event without a registered Java type
   * is not decoded at all, so forwarding an entry does not build, and history does not keep, a tree
   * of its data. This relies on what engines promise of a {@link Payload} without a problem: one
   * JSON value in UTF-8 that the decoder accepts (the Redis engine marks stored bytes that are not
   * UTF-8 text as malformed and reads what its JSON check rejects as a string).
   *
   * @throws EngineException as {@link #decode} does
   */
  public void check(LogEntry entry) {
    decode(entry, false);
  }

  private Object decode(LogEntry entry, boolean untypedToo) {
    EventType type = types.get(entry.event());
    if (type == null) type = untyped;
    Payload payload = entry.data();
    if (payload.problem() != null) {
      throw new EngineException(
          "entry "
              + entry.idText()
              + " of channel '"
              + entry.channel()
              + "' was skipped: "
              + payload.problem());
    }
    Object local = payload.localValue();
    if (local != null && fitsAsIs(type, local)) return local;
    if (type.javaType == null && !untypedToo) return null;
    EventType t = type;
    try {
      // A decoded value is shared by every subscriber and history reader of this process, so it is
      // kept on the entry only when no one can change it; others get a value of their own. A check
      // (which hands nothing out) is done once per entry and type either way: only a mark is kept.
      if (t.shareable) return payload.decode(t.rawClass, p -> decodeJson(t, p));
      // (Not under Object: untyped data is cached under it, and must not find the mark.)
      if (untypedToo || t.rawClass == Object.class) return decodeJson(t, payload);
      payload.decode(t.rawClass, p -> checked(t, p));
      return null;
    } catch (JacksonException e) {
      throw new EngineException(
          "entry "
              + entry.idText()
              + " of channel '"
              + entry.channel()
              + "' has data that is not "
              + t.describe()
              + " (event '"
              + entry.event()
              + "'): "
              + firstLine(e.getOriginalMessage()),
          e);
    }
  }

  /**
   * Whether the emitted value itself can be handed out for {@code type}: an immutable value of the
   * registered class, or for an event without a Java type the values that untyped decoding would
   * give as they are (a value emitted through another Realtime's schema, a record say, would
   * otherwise reach a reader that expects plain Java values).
   */
  private static boolean fitsAsIs(EventType type, Object local) {
    if (type.javaType == null) return local instanceof String || local instanceof Boolean;
    return type.rawClass.isInstance(local);
  }

  private static final Object CHECKED = new Object();

  /** Decodes to prove the data fits (throwing when it does not), keeping only a mark. */
  private static Object checked(EventType type, Payload payload) {
    decodeJson(type, payload);
    return CHECKED;
  }

  private static Object decodeJson(EventType type, Payload payload) {
    if (type.javaType == null) return JavaValues.of(Json.MAPPER.readTree(payload.json()));
    return Json.MAPPER.readValue(payload.json(), type.javaType);
  }

  /** The events whose registered type is {@code type} or a subtype, in registration order. */
  public Set<String> eventsAssignableTo(Class<?> type) {
    Set<String> events = new LinkedHashSet<>();
    types.forEach(
        (name, t) -> {
          if (t.javaType != null && type.isAssignableFrom(t.rawClass)) events.add(name);
        });
    if (events.isEmpty()) {
      throw new IllegalArgumentException(
          "no event of the schema has a type assignable to "
              + type.getName()
              + "; registered: "
              + types.values().stream().map(t -> t.event + "=" + t.describe()).toList());
    }
    return events;
  }

  private static String path(JacksonException e) {
    StringBuilder b = new StringBuilder("$");
    for (JacksonException.Reference ref : e.getPath()) {
      if (ref.getPropertyName() != null) b.append('.').append(ref.getPropertyName());
      else if (ref.getIndex() >= 0) b.append('[').append(ref.getIndex()).append(']');
    }
    return b.toString();
  }

  /** Jackson's message for a binding failure, in the words of this library's users. */
  private static String describe(JacksonException e) {
    if (e instanceof MismatchedInputException m && m.getMessage() != null) {
      String message = firstLine(m.getOriginalMessage());
      java.util.regex.Matcher missing =
          java.util.regex.Pattern.compile("Missing (?:required )?creator property '([^']*)'")
              .matcher(message);
      if (missing.find()) return "missing field '" + missing.group(1) + "'";
    }
    if (e instanceof UnrecognizedPropertyException u) {
      return "unknown field '" + u.getPropertyName() + "'";
    }
    String message = firstLine(e.getOriginalMessage());
    int feature = message.indexOf("; `");
    return feature < 0 ? message : message.substring(0, feature);
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
