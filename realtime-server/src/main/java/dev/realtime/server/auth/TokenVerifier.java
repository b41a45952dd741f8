package dev.realtime.server.auth;

import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Checks a token against the server's secret and turns it into {@link Grants}.
 *
 * <p>Only HS256 is accepted, checked before the signature: a JWT names its own algorithm, and a
 * verifier that believed it would take {@code alg: none} (no signature at all) or, with a key that
 * fits several algorithms, whichever the attacker liked. Tokens must carry {@code exp}: a token
 * that never expires cannot be taken back short of changing the secret for everyone.
 *
 * <p>Thread-safe, and cheap per call: the HMAC key is set up once, in the constructor. Every
 * failure is an {@link AuthException} with status 401 whose message says what to fix; nothing a
 * client sends makes it throw anything else.
 */
public final class TokenVerifier {
  /**
   * How far the clocks of the minter and the server may disagree, for {@code exp} and {@code nbf}.
   */
  public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

  /** The longest token read; longer ones are refused before any parsing. */
  public static final int MAX_TOKEN_CHARS = 16 * 1024;

  private static final String NOT_A_JWT =
      "token is not a JWT (three base64url parts separated by dots)";

  private final MACVerifier mac;
  private final Clock clock;

  /**
   * @throws IllegalArgumentException when the secret is shorter than 32 UTF-8 bytes
   */
  public TokenVerifier(String secret) {
    this(secret, Clock.systemUTC());
  }

  /** A verifier that reads the time from {@code clock}, for tests. */
  public TokenVerifier(String secret, Clock clock) {
    byte[] key = HmacSecret.bytes(secret);
    this.clock = Objects.requireNonNull(clock, "clock");
    try {
      this.mac = new MACVerifier(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("the token secret is not usable for HS256: " + e, e);
    }
  }

  /**
   * The grants of {@code token}.
   *
   * @throws AuthException with status 401 when the token is missing, malformed, not HS256, not
   *     signed with this secret, expired, not yet valid, without {@code exp}, or has a claim of the
   *     wrong type
   */
  public Grants verify(String token) {
    Base64URL payload = signedPayload(token);
    Map<String, Object> claims;
    try {
      claims = JSONObjectUtils.parse(payload.decodeToString());
    } catch (ParseException | RuntimeException e) {
      claims = null;
    }
    if (claims == null) { // not JSON, or JSON but not an object ("null" parses to null)
      throw AuthException.unauthorized(
          "token payload is not a JSON object of claims: mint a new token");
    }
    Instant now = clock.instant();
    Instant expires = TokenClaims.time(claims, TokenClaims.EXPIRES);
    if (expires == null) {
      throw AuthException.unauthorized(
          "token has no 'exp' claim: tokens must expire; mint one with an expiry"
              + " (realtime token --ttl 1h)");
    }
    if (!now.minus(CLOCK_SKEW).isBefore(expires)) { // (exp + leeway could pass Instant.MAX)
      throw AuthException.unauthorized("token expired at " + expires + ": mint a new one");
    }
    Instant notBefore = TokenClaims.time(claims, TokenClaims.NOT_BEFORE);
    if (notBefore != null && now.plus(CLOCK_SKEW).isBefore(notBefore)) {
      throw AuthException.unauthorized(
          "token is not valid before "
              + notBefore
              + " (its 'nbf' claim; the server's time is "
              + now
              + "): check the clocks, or mint one without 'nbf'");
    }
    TokenClaims.time(claims, TokenClaims.ISSUED_AT); // not checked, but must be a time if present
    return Grants.of(
        TokenClaims.subject(claims),
        TokenClaims.globs(claims, TokenClaims.SUBSCRIBE),
        TokenClaims.globs(claims, TokenClaims.PUBLISH),
        expires);
  }

  /** The token's payload, once its header is checked to be HS256 and its signature to match. */
  private Base64URL signedPayload(String token) {
    if (token == null || token.isBlank()) {
      throw AuthException.unauthorized(
          "no token: send 'Authorization: Bearer <token>', a 'token' query parameter or a"
              + " 'realtime_token' cookie");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      throw AuthException.unauthorized(
          "token is "
              + token.length()
              + " characters long: at most "
              + MAX_TOKEN_CHARS
              + " are accepted; grant fewer patterns");
    }
    token = token.strip();
    if (!isBase64UrlOrDot(token)) throw AuthException.unauthorized(NOT_A_JWT);
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) throw AuthException.unauthorized(NOT_A_JWT);
    Header header;
    try {
      header = Header.parse(new Base64URL(parts[0]));
    } catch (ParseException | RuntimeException e) {
      throw AuthException.unauthorized(NOT_A_JWT);
    }
    Algorithm alg = header.getAlgorithm();
    if (!JWSAlgorithm.HS256.equals(alg) || !(header instanceof JWSHeader jwsHeader)) {
      String name = alg == null ? "(none given)" : ChannelPattern.printable(alg.getName());
      throw AuthException.unauthorized("token algorithm " + name + " is not accepted: use HS256");
    }
    if (!jwsHeader.isBase64URLEncodePayload()) {
      throw AuthException.unauthorized(
          "token header 'b64': false is not accepted: use a plain HS256 JWT");
    }
    if (jwsHeader.getCriticalParams() != null) {
      throw AuthException.unauthorized(
          "token header 'crit' "
              + ChannelPattern.printable(jwsHeader.getCriticalParams().toString())
              + " is not accepted (this server understands no critical header parameter): use a"
              + " plain HS256 JWT");
    }
    if (parts[2].isEmpty()) {
      throw AuthException.unauthorized(
          "token has no signature (its third part is empty): sign it with HS256 and the server's"
              + " secret");
    }
    Base64URL signature = new Base64URL(parts[2]);
    if (!Base64URL.encode(signature.decode()).toString().equals(parts[2])) {
      // A 32-byte MAC leaves 2 bits of its last character unused: only the spelling with them
      // zero (what every encoder writes) is accepted, so a token has one spelling.
      throw AuthException.unauthorized(
          "token signature is not canonical base64url (43 characters for HS256, unused bits"
              + " zero): sign it with HS256 and the server's secret");
    }
    boolean valid;
    try {
      // The signing input is the token up to its last dot, byte for byte as the client sent it.
      byte[] signingInput =
          token.substring(0, token.lastIndexOf('.')).getBytes(StandardCharsets.US_ASCII);
      valid = mac.verify(jwsHeader, signingInput, signature);
    } catch (JOSEException | RuntimeException e) {
      throw AuthException.unauthorized(
          "token could not be verified ("
              + ChannelPattern.printable(String.valueOf(e.getMessage()))
              + "): use a plain HS256 JWT");
    }
    if (!valid) {
      throw AuthException.unauthorized(
          "token signature does not match the server's secret: mint the token with the same"
              + " secret the server has");
    }
    return new Base64URL(parts[1]);
  }

  /**
   * Whether every character is base64url or a dot. Checked first so that a token has one spelling:
   * a base64 decoder that skipped stray characters would otherwise accept a valid token with junk
   * inserted into its signature, and non-ASCII could not reach the ASCII signing input unchanged.
   */
  private static boolean isBase64UrlOrDot(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.';
      if (!ok) return false;
    }
    return true;
  }
}
