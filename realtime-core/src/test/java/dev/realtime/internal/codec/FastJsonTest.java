package dev.realtime.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The direct encoder must say exactly what Jackson says, or step aside. */
class FastJsonTest {
  record Inner(String text, Integer maybe) {}

  record Outer(
      String s,
      int i,
      long l,
      double d,
      Boolean b,
      BigInteger big,
      BigDecimal exact,
      short sh,
      float f,
      Inner inner,
      Object any) {}

  record Renamed(@JsonProperty("other") String name) {}

  record WithList(List<String> items) {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
  sealed interface Shape permits Circle {}

  record Circle(int r) implements Shape {}

  record Drawn(String by, Shape shape) {}

  static LongStream seeds() {
    String fixed = System.getProperty("seed");
    if (fixed != null) return LongStream.of(Long.parseLong(fixed));
    long base = System.nanoTime();
    return LongStream.range(base, base + 5);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void encodesRandomValuesExactlyAsJacksonReadsThem(long seed) {
    System.out.println("FastJsonTest seed=" + seed + " (replay with -Dseed=" + seed + ")");
    Random r = new Random(seed);
    for (int n = 0; n < 2000; n++) {
      Object value =
          switch (r.nextInt(4)) {
            case 0 -> randomString(r);
            case 1 -> r.nextLong();
            case 2 -> r.nextBoolean();
            default -> randomOuter(r);
          };
      byte[] fast = FastJson.encode(value);
      String what = "seed " + seed + ", value " + value;
      if (value instanceof String s && hasLoneSurrogate(s)) {
        assertThat(fast).as(what).isNull();
        continue;
      }
      if (value instanceof Outer o && hasLoneSurrogate(o)) continue;
      assertThat(fast).as(what).isNotNull();
      assertThat(Json.MAPPER.readTree(fast))
          .as(what)
          .isEqualTo(Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(value)));
    }
  }

  @Test
  void stepsAsideForWhatJacksonMightTreatDifferently() {
    assertThat(FastJson.encode(new Renamed("x"))).isNull(); // an annotation could rename
    assertThat(FastJson.encode(new WithList(List.of("a")))).isNull(); // collections: Jackson
    // A component whose declared type Jackson types (@JsonTypeInfo on an interface it implements,
    // or on the declared type itself): the type id is Jackson's to write.
    assertThat(FastJson.encode(new Circle(1))).isNull();
    assertThat(FastJson.encode(new Drawn("ada", new Circle(2)))).isNull();
    assertThat(new String(Json.MAPPER.writeValueAsBytes(new Drawn("ada", new Circle(2)))))
        .contains("\"@class\"");
    assertThat(FastJson.encode(Double.NaN)).isNull();
    assertThat(FastJson.encode(Float.POSITIVE_INFINITY)).isNull();
    assertThat(FastJson.encode(new Object())).isNull();
    assertThat(FastJson.encode("lone \uD800 surrogate")).isNull();
  }

  @Test
  void writesTheUsualCasesAsExpected() {
    assertThat(
            new String(
                FastJson.encode("héllo \"w\"\n\u0001😀"), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("\"héllo \\\"w\\\"\\n\\u0001😀\"");
    assertThat(FastJson.encode(Long.MIN_VALUE)).asString().isEqualTo("-9223372036854775808");
    assertThat(FastJson.encode(0)).asString().isEqualTo("0");
    assertThat(FastJson.encode(new Inner("a", null)))
        .asString()
        .isEqualTo("{\"text\":\"a\",\"maybe\":null}");
    assertThat(FastJson.encode(null)).asString().isEqualTo("null");
  }

  private static Outer randomOuter(Random r) {
    return new Outer(
        randomString(r),
        r.nextInt(),
        r.nextLong(),
        r.nextBoolean() ? r.nextDouble() * Math.pow(10, r.nextInt(40) - 20) : r.nextInt(1000),
        r.nextBoolean() ? null : r.nextBoolean(),
        new BigInteger(1 + r.nextInt(120), r),
        new BigDecimal(new BigInteger(1 + r.nextInt(80), r), r.nextInt(40) - 20),
        (short) r.nextInt(),
        r.nextFloat(),
        r.nextBoolean() ? null : new Inner(randomString(r), r.nextBoolean() ? null : r.nextInt()),
        switch (r.nextInt(4)) {
          case 0 -> null;
          case 1 -> randomString(r);
          case 2 -> new Inner("nested", 1);
          default -> r.nextLong();
        });
  }

  private static String randomString(Random r) {
    StringBuilder b = new StringBuilder();
    int length = r.nextInt(20);
    for (int i = 0; i < length; i++) {
      switch (r.nextInt(8)) {
        case 0 -> b.append((char) r.nextInt(0x20)); // control characters
        case 1 -> b.append("\"\\/".charAt(r.nextInt(3)));
        case 2 -> b.append((char) (0x80 + r.nextInt(0x780))); // two UTF-8 bytes
        case 3 -> b.append((char) (0x800 + r.nextInt(0xD000 - 0x800))); // three
        case 4 -> b.appendCodePoint(0x10000 + r.nextInt(0x100000)); // a surrogate pair
        case 5 -> {
          if (r.nextInt(20) == 0) b.append((char) (0xD800 + r.nextInt(0x800))); // rarely lone
          else b.append('x');
        }
        default -> b.append((char) (0x20 + r.nextInt(0x5F)));
      }
    }
    return b.toString();
  }

  private static boolean hasLoneSurrogate(Outer o) {
    return hasLoneSurrogate(o.s())
        || (o.inner() != null && hasLoneSurrogate(o.inner().text()))
        || (o.any() instanceof String s && hasLoneSurrogate(s));
  }

  private static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
        else return true;
      } else if (Character.isLowSurrogate(c)) return true;
    }
    return false;
  }
}
