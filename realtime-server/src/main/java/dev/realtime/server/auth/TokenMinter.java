package dev.realtime.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;

/**
 * Makes the tokens a {@link TokenVerifier} with the same secret accepts: HS256 JWTs carrying {@code
 * sub}, {@code iat}, {@code exp}, {@code subscribe} and {@code publish} (see {@link TokenClaims}).
 * An application's backend mints one per user; {@code realtime token} mints one by hand.
 * Thread-safe.
 */
public final class TokenMinter {
  /** The longest ttl accepted: about 100 years, far past any sensible token and any Date. */
  public static final Duration MAX_TTL = Duration.ofDays(36_500);

  private static final JWSHeader HEADER =
      new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build();

  private final MACSigner signer;
  private final Clock clock;

  /**
   * @throws IllegalArgumentException when the secret is shorter than 32 UTF-8 bytes
   */
  public TokenMinter(String secret) {
    this(secret, Clock.systemUTC());
  }

  /** A minter that reads the time from {@code clock}, for tests. */
  public TokenMinter(String secret, Clock clock) {
    byte[] key = HmacSecret.bytes(secret);
    this.clock = Objects.requireNonNull(clock, "clock");
    try {
      this.signer = new MACSigner(key);
    } catch (JOSEException e) {
      throw new IllegalArgumentException("the token secret is not usable for HS256: " + e, e);
    }
  }

  /**
   * A token for {@code subject} (may be null) that may subscribe to the {@code subscribe} globs and
   * publish to the {@code publish} globs (null lists are empty) for {@code ttl}. The expiry is
   * rounded up to a whole second, as JWT times are seconds.
   *
   * @throws IllegalArgumentException when a glob is not a valid {@link ChannelPattern} or {@code
   *     ttl} is not positive or longer than {@link #MAX_TTL}
   */
  public String mint(String subject, List<String> subscribe, List<String> publish, Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException(
          "ttl " + ttl + " is not positive: give how long the token is valid, like 1h");
    }
    List<String> sub = checked(subscribe);
    List<String> pub = checked(publish);
    if (ttl.compareTo(MAX_TTL) > 0) {
      throw new IllegalArgumentException(
          "ttl " + ttl + " is too long: give at most " + MAX_TTL.toDays() + "d");
    }
    Instant now = clock.instant();
    Instant expires = now.plus(ttl);
    long expSeconds = expires.getEpochSecond() + (expires.getNano() > 0 ? 1 : 0);
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issueTime(Date.from(Instant.ofEpochSecond(now.getEpochSecond())))
            .expirationTime(Date.from(Instant.ofEpochSecond(expSeconds)))
            .claim(TokenClaims.SUBSCRIBE, sub)
            .claim(TokenClaims.PUBLISH, pub);
    if (subject != null) claims.subject(subject);
    SignedJWT jwt = new SignedJWT(HEADER, claims.build());
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("HS256 signing failed: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  private static List<String> checked(List<String> globs) {
    if (globs == null) return List.of();
    for (String glob : globs) ChannelPattern.of(glob);
    return List.copyOf(globs);
  }
}
