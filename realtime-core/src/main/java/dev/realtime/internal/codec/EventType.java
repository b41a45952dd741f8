package dev.realtime.internal.codec;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.realtime.JsonSchema;
import dev.realtime.ValidationException;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.List;
import java.util.stream.Collectors;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;

/** One event of the schema, compiled: its Jackson type and JSON Schema, ready to validate. */
final class EventType {
  private static final SchemaRegistry SCHEMAS =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  final String event;
  final JavaType javaType; // null: any JSON value
  final Class<?> rawClass; // Object.class when javaType is null
  final boolean immutable; // values may be shared with local subscribers as emitted
  final boolean generic; // has type parameters: an instance of rawClass may still not fit
  final boolean shareable; // a decoded value may be cached and shared: immutable, or untyped
  private final Schema jsonSchema; // null: none

  EventType(String event, Type type, JsonSchema schema) {
    this.event = event;
    this.javaType = type == null ? null : Json.MAPPER.constructType(type);
    this.rawClass = javaType == null ? Object.class : javaType.getRawClass();
    this.immutable = javaType != null && ImmutableTypes.isImmutable(rawClass);
    this.generic = javaType != null && javaType.containedTypeCount() > 0;
    // Untyped data decodes to unmodifiable maps and lists (JavaValues).
    this.shareable = javaType == null || immutable;
    this.jsonSchema = schema == null ? null : compile(event, schema);
  }

  private static Schema compile(String event, JsonSchema schema) {
    try {
      Schema compiled = SCHEMAS.getSchema(schema.text());
      compiled.initializeValidators();
      return compiled;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "the JSON Schema of event '" + event + "' is not a valid schema: " + e.getMessage(), e);
    }
  }

  boolean hasJsonSchema() {
    return jsonSchema != null;
  }

  void validateJsonSchema(JsonNode data) {
    List<Error> errors = jsonSchema.validate(data);
    if (!errors.isEmpty()) {
      String detail =
          errors.stream()
              .limit(10)
              .map(e -> location(e) + ": " + e.getMessage())
              .collect(Collectors.joining("; "));
      throw new ValidationException(
          event,
          "data of event '"
              + event
              + "' does not match its JSON Schema: "
              + detail
              + " (schema: "
              + abbreviate(jsonSchema.getSchemaNode().toString())
              + ")");
    }
  }

  private static String location(Error e) {
    String at = String.valueOf(e.getInstanceLocation());
    return at.isEmpty() || at.equals("/") ? "$" : at;
  }

  /** What data of this event must look like, for error messages: "Progress(int progress)". */
  String describe() {
    if (rawClass.isRecord()) {
      StringBuilder b = new StringBuilder(rawClass.getSimpleName()).append(" {");
      RecordComponent[] components = rawClass.getRecordComponents();
      for (int i = 0; i < components.length; i++) {
        if (i > 0) b.append(", ");
        b.append('"')
            .append(components[i].getName())
            .append("\": ")
            .append(components[i].getGenericType().getTypeName().replaceAll("[a-z0-9_]+\\.", ""));
      }
      return b.append('}').toString();
    }
    return javaType == null ? "any JSON value" : javaType.toCanonical();
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
