package dev.realtime.internal.codec;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Converts a JSON tree to plain, read-only Java values for data without a registered type: String,
 * Integer/Long/BigInteger (by size, so big integers keep every digit), Double when a double holds
 * the decimal exactly and BigDecimal otherwise, Boolean, null, List and Map (in field order).
 */
final class JavaValues {
  private JavaValues() {}

  static Object of(JsonNode node) {
    switch (node.getNodeType()) {
      case STRING:
        return node.stringValue();
      case BOOLEAN:
        return node.booleanValue();
      case NULL:
      case MISSING:
        return null;
      case NUMBER:
        return number(node);
      case ARRAY:
        {
          List<Object> list = new ArrayList<>(node.size());
          for (JsonNode element : node) list.add(of(element));
          return Collections.unmodifiableList(list);
        }
      case OBJECT:
        {
          Map<String, Object> map = new LinkedHashMap<>();
          for (Map.Entry<String, JsonNode> field : node.properties()) {
            map.put(field.getKey(), of(field.getValue()));
          }
          return Collections.unmodifiableMap(map);
        }
      default:
        return node.toString();
    }
  }

  private static Object number(JsonNode node) {
    if (node.isIntegralNumber()) {
      if (node.canConvertToInt()) return node.intValue();
      if (node.canConvertToLong()) return node.longValue();
      return node.bigIntegerValue();
    }
    BigDecimal exact = node.decimalValue();
    double d = exact.doubleValue();
    if (Double.isFinite(d) && new BigDecimal(Double.toString(d)).compareTo(exact) == 0) return d;
    return exact;
  }
}
