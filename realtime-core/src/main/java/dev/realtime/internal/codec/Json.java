package dev.realtime.internal.codec;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.exc.StreamWriteException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;
import tools.jackson.databind.type.LogicalType;

/**
 * The one JSON mapper configuration of the library: strict when binding data to registered types
 * (unknown fields, missing fields, nulls for primitives and scalar coercions like {@code "1"} for
 * an int or {@code 1} for a String are errors) and exact with numbers (decimals are read as
 * BigDecimal, trailing zeros kept), so data round-trips as written. A double or float that is NaN
 * or infinite is refused when encoding: JSON has no such number, and Jackson would otherwise write
 * it as a string, which subscribers would get instead of a number.
 */
public final class Json {
  public static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(
              DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
              DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES,
              DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES,
              DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .withCoercionConfig(
              LogicalType.Textual,
              c ->
                  c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .addModule(
              new SimpleModule("finite-numbers")
                  .addSerializer(Double.class, finite(Double.class))
                  .addSerializer(Double.TYPE, finite(Double.TYPE))
                  .addSerializer(Float.class, finite(Float.class))
                  .addSerializer(Float.TYPE, finite(Float.TYPE)))
          .build();

  private static <T extends Number> ValueSerializer<T> finite(Class<T> type) {
    return new StdSerializer<T>(type) {
      @Override
      public void serialize(T value, JsonGenerator g, SerializationContext context) {
        if (!Double.isFinite(value.doubleValue())) {
          throw new StreamWriteException(
              g,
              value
                  + " is not a JSON number: JSON numbers are finite (no NaN or Infinity); send"
                  + " null or a string instead");
        }
        if (value instanceof Float f) g.writeNumber(f);
        else g.writeNumber(value.doubleValue());
      }
    };
  }

  private Json() {}
}
