package dev.realtime.server.http;

import tools.jackson.core.io.JsonStringEncoder;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON as the HTTP API reads and writes it: request bodies parsed exactly (decimals as BigDecimal
 * with trailing zeros kept, so data reaches the log as the client wrote it), strings quoted.
 */
public final class JsonText {
  public static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonNodeFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
          .build();

  private JsonText() {}

  /** A JSON string literal. */
  public static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    JsonStringEncoder.getInstance().quoteAsString(s, b);
    return b.append('"').toString();
  }
}
