package dev.realtime.server.auth;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The claims of a realtime token and how they are read from its JSON payload. Every type is checked
 * here rather than trusted to the JWT library, so a wrong type is answered with the name of the
 * claim and what it must be.
 *
 * <pre>
 * { "sub": "ada",                         optional string
 *   "iat": 1767225600,                    optional, not checked
 *   "nbf": 1767225600,                    optional: not accepted before (30 s skew)
 *   "exp": 1767229200,                    required: not accepted after (30 s skew)
 *   "subscribe": ["room-*", "lobby"],     optional list of globs; absent = none
 *   "publish": ["room-1"] }               optional list of globs; absent = none
 * </pre>
 */
final class TokenClaims {
  static final String SUBJECT = "sub";
  static final String ISSUED_AT = "iat";
  static final String NOT_BEFORE = "nbf";
  static final String EXPIRES = "exp";
  static final String SUBSCRIBE = "subscribe";
  static final String PUBLISH = "publish";

  private TokenClaims() {}

  /** The {@code sub} claim, or null when it is absent. */
  static String subject(Map<String, Object> claims) {
    Object value = claims.get(SUBJECT);
    if (value == null || value instanceof String) return (String) value;
    throw AuthException.unauthorized(
        "token claim 'sub' must be a string, not " + jsonType(value) + ": mint a new token");
  }

  /** A NumericDate claim (seconds since 1970, maybe fractional), or null when it is absent. */
  static Instant time(Map<String, Object> claims, String name) {
    Object value = claims.get(name);
    if (value == null) return null;
    try {
      if (value instanceof Long || value instanceof Integer) {
        return Instant.ofEpochSecond(((Number) value).longValue());
      }
      if (value instanceof Number n && Double.isFinite(n.doubleValue())) {
        double seconds = n.doubleValue();
        double whole = Math.floor(seconds);
        return Instant.ofEpochSecond((long) whole, (long) ((seconds - whole) * 1e9));
      }
    } catch (DateTimeException | ArithmeticException e) {
      // out of Instant's range: answered below like any other bad value
    }
    throw AuthException.unauthorized(
        "token claim '"
            + name
            + "' must be a time in seconds since 1970 (a JWT NumericDate), not "
            + (value instanceof Number ? "the number " + value : jsonType(value))
            + ": mint a new token");
  }

  /**
   * The globs of a {@link #SUBSCRIBE} or {@link #PUBLISH} claim: empty when it is absent, checked
   * to be a list of valid {@link ChannelPattern}s.
   */
  static List<String> globs(Map<String, Object> claims, String name) {
    Object value = claims.get(name);
    if (value == null) return List.of();
    if (!(value instanceof List<?> list)) {
      throw notGlobs(name, jsonType(value));
    }
    List<String> globs = new ArrayList<>(list.size());
    for (Object item : list) {
      if (!(item instanceof String glob)) throw notGlobs(name, "a list holding " + jsonType(item));
      try {
        ChannelPattern.of(glob);
      } catch (IllegalArgumentException e) {
        throw AuthException.unauthorized(
            "token claim '" + name + "' holds an invalid pattern: " + e.getMessage());
      }
      globs.add(glob);
    }
    return globs;
  }

  private static AuthException notGlobs(String name, String what) {
    return AuthException.unauthorized(
        "token claim '"
            + name
            + "' must be a list of channel patterns (strings like \"room-*\"), not "
            + what
            + ": mint a new token");
  }

  /** How a JSON value decoded by the JWT library reads in a message. */
  static String jsonType(Object value) {
    if (value == null) return "null";
    if (value instanceof String) return "a string";
    if (value instanceof Number) return "a number";
    if (value instanceof Boolean) return "a boolean";
    if (value instanceof List<?>) return "a list";
    if (value instanceof Map<?, ?>) return "an object";
    return value.getClass().getSimpleName();
  }
}
