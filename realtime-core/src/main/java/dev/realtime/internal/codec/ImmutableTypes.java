package dev.realtime.internal.codec;

import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashSet;
import java.util.Set;

/**
 * Decides whether values of a type are deeply immutable, so the in-memory engine may hand the
 * emitted object itself to local subscribers instead of decoding its JSON: Strings, boxed
 * primitives, BigInteger/BigDecimal, enums, and records whose components are all such types.
 */
final class ImmutableTypes {
  private ImmutableTypes() {}

  static boolean isImmutable(Class<?> type) {
    return isImmutable(type, new HashSet<>());
  }

  private static boolean isImmutable(Class<?> type, Set<Class<?>> visiting) {
    if (type.isPrimitive()
        || type == String.class
        || type == Integer.class
        || type == Long.class
        || type == Short.class
        || type == Byte.class
        || type == Double.class
        || type == Float.class
        || type == Boolean.class
        || type == Character.class
        || type == BigInteger.class
        || type == BigDecimal.class
        || type.isEnum()) {
      return true;
    }
    if (!type.isRecord() || !visiting.add(type)) return false;
    for (RecordComponent component : type.getRecordComponents()) {
      if (!isImmutable(component.getType(), visiting)) return false;
    }
    return true;
  }
}
