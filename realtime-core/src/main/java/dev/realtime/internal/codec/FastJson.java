package dev.realtime.internal.codec;

import java.lang.annotation.Annotation;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * A direct JSON encoder for the values an emit path sees most: Strings, booleans, integers, finite
 * decimals, null, and records made of those (nested records included). It measures the exact size
 * first and then writes into an array of that size, so it allocates only the result; Jackson spends
 * about 400 bytes and 150 to 300 ns of set-up per call on the same values, which at a million emits
 * a second is most of the garbage the library makes.
 *
 * <p>Anything else, and any record with an annotation on the class (other than {@code @Event}) or
 * on a component (which could rename, hide or reformat a field for Jackson), returns null: the
 * caller then uses Jackson. The output is plain JSON that Jackson reads back to the same tree
 * ({@code FastJsonTest} checks that against Jackson on seeded random values).
 */
final class FastJson {
  private FastJson() {}

  /** Encodes one kind of value: {@link #size} returns -1 when it cannot. */
  private interface Encoder {
    int size(Object value) throws Throwable;

    int write(Object value, byte[] out, int at) throws Throwable;
  }

  private static final Encoder UNSUPPORTED =
      new Encoder() {
        @Override
        public int size(Object value) {
          return -1;
        }

        @Override
        public int write(Object value, byte[] out, int at) {
          throw new IllegalStateException("unsupported");
        }
      };

  private static final ClassValue<Encoder> ENCODERS =
      new ClassValue<>() {
        @Override
        protected Encoder computeValue(Class<?> type) {
          return encoderFor(type, new HashSet<>());
        }
      };

  /** The JSON of {@code value} as UTF-8, or null when Jackson must encode it. */
  static byte[] encode(Object value) {
    try {
      int size = sizeOf(value);
      if (size < 0) return null;
      byte[] out = new byte[size];
      int end = writeValue(value, out, 0);
      if (end != size) throw new IllegalStateException("size " + size + " != written " + end);
      return out;
    } catch (Throwable t) {
      if (t instanceof Error e && !(t instanceof StackOverflowError)) throw e;
      return null; // an accessor threw, or nesting is too deep: let Jackson report it
    }
  }

  private static int sizeOf(Object value) throws Throwable {
    return value == null ? 4 : ENCODERS.get(value.getClass()).size(value);
  }

  private static int writeValue(Object value, byte[] out, int at) throws Throwable {
    if (value == null) return ascii("null", out, at);
    return ENCODERS.get(value.getClass()).write(value, out, at);
  }

  private static Encoder encoderFor(Class<?> type, Set<Class<?>> visiting) {
    if (type == String.class) return STRING;
    if (type == Boolean.class) return BOOLEAN;
    if (type == Integer.class || type == Long.class || type == Short.class || type == Byte.class) {
      return INTEGRAL;
    }
    if (type == Double.class
        || type == Float.class
        || type == BigInteger.class
        || type == BigDecimal.class) {
      return DECIMAL;
    }
    if (type.isRecord()) return RecordEncoder.of(type);
    return UNSUPPORTED;
  }

  // ---------------------------------------------------------------- scalars

  private static final Encoder STRING =
      new Encoder() {
        @Override
        public int size(Object value) {
          return stringSize((String) value);
        }

        @Override
        public int write(Object value, byte[] out, int at) {
          return writeString((String) value, out, at);
        }
      };

  private static final Encoder BOOLEAN =
      new Encoder() {
        @Override
        public int size(Object value) {
          return (Boolean) value ? 4 : 5;
        }

        @Override
        public int write(Object value, byte[] out, int at) {
          return ascii((Boolean) value ? "true" : "false", out, at);
        }
      };

  private static final Encoder INTEGRAL =
      new Encoder() {
        @Override
        public int size(Object value) {
          return digits(((Number) value).longValue());
        }

        @Override
        public int write(Object value, byte[] out, int at) {
          return writeLong(((Number) value).longValue(), out, at);
        }
      };

  /** Doubles, floats and big numbers, through their toString (valid JSON when finite). */
  private static final Encoder DECIMAL =
      new Encoder() {
        @Override
        public int size(Object value) {
          if (value instanceof Double d && !Double.isFinite(d)) return -1;
          if (value instanceof Float f && !Float.isFinite(f)) return -1;
          return value.toString().length();
        }

        @Override
        public int write(Object value, byte[] out, int at) {
          return ascii(value.toString(), out, at);
        }
      };

  // ---------------------------------------------------------------- records

  /** A record as a JSON object of its components, in declaration order. */
  private static final class RecordEncoder implements Encoder {
    private final byte[][] names; // "name": as UTF-8, with quotes and colon
    private final MethodHandle[] accessors; // (Object) -> Object

    private RecordEncoder(byte[][] names, MethodHandle[] accessors) {
      this.names = names;
      this.accessors = accessors;
    }

    static Encoder of(Class<?> type) {
      if (annotatedInHierarchy(type)) return UNSUPPORTED;
      RecordComponent[] components = type.getRecordComponents();
      byte[][] names = new byte[components.length][];
      MethodHandle[] accessors = new MethodHandle[components.length];
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      for (int i = 0; i < components.length; i++) {
        RecordComponent c = components[i];
        // Jackson also reads the annotations of a component's declared type and its supertypes
        // (an interface with @JsonTypeInfo adds a type id to whatever record fills it).
        if (c.getAnnotations().length > 0
            || c.getAccessor().getAnnotations().length > 0
            || c.getType().isArray()
            || annotatedInHierarchy(c.getType())) {
          return UNSUPPORTED;
        }
        String quoted = new String(quote(c.getName()), StandardCharsets.UTF_8) + ":";
        names[i] = quoted.getBytes(StandardCharsets.UTF_8);
        try {
          c.getAccessor().setAccessible(true);
          accessors[i] =
              lookup
                  .unreflect(c.getAccessor())
                  .asType(MethodType.methodType(Object.class, Object.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
          return UNSUPPORTED; // not accessible from here (a module that does not open it)
        }
      }
      return new RecordEncoder(names, accessors);
    }

    /**
     * Whether {@code type}, a superclass or an interface it implements (outside the JDK) carries an
     * annotation other than {@code @Event}: Jackson honours those, so Jackson must encode it.
     */
    private static boolean annotatedInHierarchy(Class<?> type) {
      if (type == null || type.isPrimitive()) return false;
      String name = type.getName();
      if (name.startsWith("java.") || name.startsWith("javax.") || name.startsWith("jdk.")) {
        return false;
      }
      if (hasForeignAnnotation(type.getDeclaredAnnotations())) return true;
      if (annotatedInHierarchy(type.getSuperclass())) return true;
      for (Class<?> i : type.getInterfaces()) {
        if (annotatedInHierarchy(i)) return true;
      }
      return false;
    }

    private static boolean hasForeignAnnotation(Annotation[] annotations) {
      for (Annotation a : annotations) {
        if (!a.annotationType().getName().equals("dev.realtime.Event")) return true;
      }
      return false;
    }

    @Override
    public int size(Object value) throws Throwable {
      int size = 2 + Math.max(0, names.length - 1); // braces and commas
      for (int i = 0; i < names.length; i++) {
        int s = sizeOf((Object) accessors[i].invokeExact(value));
        if (s < 0) return -1;
        size += names[i].length + s;
      }
      return size;
    }

    @Override
    public int write(Object value, byte[] out, int at) throws Throwable {
      out[at++] = '{';
      for (int i = 0; i < names.length; i++) {
        if (i > 0) out[at++] = ',';
        System.arraycopy(names[i], 0, out, at, names[i].length);
        at += names[i].length;
        at = writeValue((Object) accessors[i].invokeExact(value), out, at);
      }
      out[at++] = '}';
      return at;
    }
  }

  // ---------------------------------------------------------------- text

  private static byte[] quote(String s) {
    byte[] out = new byte[stringSize(s)];
    writeString(s, out, 0);
    return out;
  }

  /** The UTF-8 size of {@code s} as a JSON string, or -1 with an unpaired surrogate. */
  private static int stringSize(String s) {
    int size = 2;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t' || c == '\b'
            || c == '\f') {
          size += 2;
        } else if (c < 0x20) size += 6;
        else size += 1;
      } else if (c < 0x800) size += 2;
      else if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return -1;
        size += 4;
        i++;
      } else if (Character.isLowSurrogate(c)) return -1;
      else size += 3;
    }
    return size;
  }

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private static int writeString(String s, byte[] out, int at) {
    out[at++] = '"';
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        switch (c) {
          case '"' -> at = escape('"', out, at);
          case '\\' -> at = escape('\\', out, at);
          case '\n' -> at = escape('n', out, at);
          case '\r' -> at = escape('r', out, at);
          case '\t' -> at = escape('t', out, at);
          case '\b' -> at = escape('b', out, at);
          case '\f' -> at = escape('f', out, at);
          default -> {
            if (c < 0x20) {
              out[at++] = '\\';
              out[at++] = 'u';
              out[at++] = '0';
              out[at++] = '0';
              out[at++] = HEX[c >> 4];
              out[at++] = HEX[c & 0xF];
            } else out[at++] = (byte) c;
          }
        }
      } else if (c < 0x800) {
        out[at++] = (byte) (0xC0 | (c >> 6));
        out[at++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c)) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        out[at++] = (byte) (0xF0 | (cp >> 18));
        out[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        out[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        out[at++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        out[at++] = (byte) (0xE0 | (c >> 12));
        out[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        out[at++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    out[at++] = '"';
    return at;
  }

  private static int escape(char c, byte[] out, int at) {
    out[at++] = '\\';
    out[at++] = (byte) c;
    return at;
  }

  private static int ascii(String s, byte[] out, int at) {
    for (int i = 0; i < s.length(); i++) out[at++] = (byte) s.charAt(i);
    return at;
  }

  // ---------------------------------------------------------------- integers

  private static int digits(long v) {
    if (v == Long.MIN_VALUE) return 20;
    int n = v < 0 ? 2 : 1;
    long x = Math.abs(v);
    while (x >= 10) {
      x /= 10;
      n++;
    }
    return n;
  }

  private static int writeLong(long v, byte[] out, int at) {
    if (v == Long.MIN_VALUE) return ascii("-9223372036854775808", out, at);
    int end = at + digits(v);
    int pos = end;
    long x = Math.abs(v);
    do {
      out[--pos] = (byte) ('0' + (x % 10));
      x /= 10;
    } while (x != 0);
    if (v < 0) out[--pos] = '-';
    return end;
  }
}
