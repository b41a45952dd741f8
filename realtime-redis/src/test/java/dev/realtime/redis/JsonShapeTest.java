package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The allocation-free JSON shape check must agree with Jackson, which reads the data later. */
class JsonShapeTest {
  private static final JsonMapper JACKSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  static LongStream seeds() {
    String fixed = System.getProperty("seed");
    if (fixed != null) return LongStream.of(Long.parseLong(fixed));
    long base = System.nanoTime();
    return LongStream.range(base, base + 3);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void agreesWithJacksonOnRandomAndMutatedText(long seed) {
    System.out.println("JsonShapeTest seed=" + seed + " (replay with -Dseed=" + seed + ")");
    Random r = new Random(seed);
    for (int n = 0; n < 20_000; n++) {
      String text = n % 2 == 0 ? mutate(randomJson(r, 0), r) : randomText(r);
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      assertThat(JsonShape.isOneValue(utf8))
          .as("seed %d: <%s>", seed, text)
          .isEqualTo(jackson(utf8));
    }
  }

  @Test
  void usualCases() {
    for (String json :
        List.of(
            "\"hello\"",
            "123",
            "-0.5e+3",
            "true",
            "null",
            "[]",
            "{}",
            " {\"a\":[1,{\"b\":null}]} ",
            "\"\\u00e9\\n\"")) {
      assertThat(JsonShape.isOneValue(json.getBytes(StandardCharsets.UTF_8))).as(json).isTrue();
    }
    for (String raw :
        List.of(
            "",
            "hello world",
            "{broken",
            "01",
            "1.",
            "[1,]",
            "\"a\" \"b\"",
            "tru",
            "NaN",
            "'x'",
            "1 2")) {
      assertThat(JsonShape.isOneValue(raw.getBytes(StandardCharsets.UTF_8))).as(raw).isFalse();
    }
  }

  @Test
  void stringsMustBeWellFormedUtf8AsForJackson() {
    byte[][] bad = {
      {'"', (byte) 0xC3, '"'}, // a lead byte without its continuation
      {'"', (byte) 0xFF, ' ', 'a', '"'}, // never a UTF-8 byte
      {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}, // an encoded surrogate
      {'"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'}, // above U+10FFFF
      {'"', (byte) 0xE2, (byte) 0x82, '"'}, // a truncated three-byte sequence
    };
    for (byte[] b : bad) {
      assertThat(jackson(b)).as(Arrays.toString(b)).isFalse();
      assertThat(JsonShape.isOneValue(b)).as(Arrays.toString(b)).isFalse();
      assertThat(JsonShape.invalidUtf8At(b)).as(Arrays.toString(b)).isEqualTo(1);
      assertThat(JsonShape.valueEnd(b, 0)).as(Arrays.toString(b)).isEqualTo(-1);
    }
    // Overlong forms are not UTF-8 either (RFC 3629), whatever a lenient decoder makes of them.
    assertThat(JsonShape.invalidUtf8At(new byte[] {'a', (byte) 0xC0, (byte) 0x80})).isEqualTo(1);
    assertThat(JsonShape.invalidUtf8At(new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0x80}))
        .isZero();
    String good = "\"é € 😀 \u00e9\"";
    byte[] utf8 = good.getBytes(StandardCharsets.UTF_8);
    assertThat(JsonShape.invalidUtf8At(utf8)).isEqualTo(-1);
    assertThat(JsonShape.isOneValue(utf8)).isTrue().isEqualTo(jackson(utf8));
  }

  @Test
  void numbersAreLimitedToJacksonsLength() {
    for (int digits : new int[] {999, 1000, 1001, 1451}) {
      byte[] number = "7".repeat(digits).getBytes(StandardCharsets.US_ASCII);
      assertThat(JsonShape.isOneValue(number)).as(digits + " digits").isEqualTo(jackson(number));
      assertThat(JsonShape.isOneValue(number)).as(digits + " digits").isEqualTo(digits <= 1000);
    }
  }

  private static boolean jackson(byte[] utf8) {
    try {
      return JACKSON.readTree(utf8) != null && !JACKSON.readTree(utf8).isMissingNode();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String randomJson(Random r, int depth) {
    switch (depth > 4 ? r.nextInt(4) : r.nextInt(7)) {
      case 0:
        return Integer.toString(r.nextInt(2000) - 1000);
      case 1:
        return r.nextBoolean() ? "true" : (r.nextBoolean() ? "false" : "null");
      case 2:
        return "-"
            + r.nextInt(100)
            + "."
            + r.nextInt(100)
            + (r.nextBoolean() ? "e" + (r.nextInt(20) - 10) : "");
      case 3:
        return "\""
            + randomText(r)
                .replace("\\", "\\\\")
                .replace("\"", "\\\"")
                .replaceAll("[\\x00-\\x1f]", "")
            + "\"";
      case 4:
      case 5:
        {
          StringBuilder b = new StringBuilder("[");
          int n = r.nextInt(4);
          for (int k = 0; k < n; k++) b.append(k > 0 ? "," : "").append(randomJson(r, depth + 1));
          return b.append("]").toString();
        }
      default:
        {
          StringBuilder b = new StringBuilder("{");
          int n = r.nextInt(4);
          for (int k = 0; k < n; k++) {
            b.append(k > 0 ? ", " : "")
                .append("\"k")
                .append(k)
                .append("\": ")
                .append(randomJson(r, depth + 1));
          }
          return b.append("}").toString();
        }
    }
  }

  private static String mutate(String json, Random r) {
    if (r.nextInt(3) == 0 || json.isEmpty()) return json;
    StringBuilder b = new StringBuilder(json);
    int at = r.nextInt(b.length());
    switch (r.nextInt(3)) {
      case 0 -> b.deleteCharAt(at);
      case 1 -> b.insert(at, "{}[]\",:-.e0tn \\".charAt(r.nextInt(15)));
      default -> b.setCharAt(at, "{}[]\",:-.e0tn \\x".charAt(r.nextInt(16)));
    }
    return b.toString();
  }

  private static String randomText(Random r) {
    StringBuilder b = new StringBuilder();
    int n = r.nextInt(12);
    for (int k = 0; k < n; k++) {
      switch (r.nextInt(6)) {
        case 0 -> b.append("{}[]\",:".charAt(r.nextInt(7)));
        case 1 -> b.append((char) ('0' + r.nextInt(10)));
        case 2 -> b.append("truefalsenull".charAt(r.nextInt(13)));
        case 3 -> b.append((char) (0x80 + r.nextInt(0x700)));
        case 4 -> b.append(" \t\n\\-+.eE".charAt(r.nextInt(9)));
        default -> b.append((char) ('a' + r.nextInt(26)));
      }
    }
    return b.toString();
  }
}
