package dev.realtime.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  static final long NOW_S = NOW.getEpochSecond();

  final TokenVerifier verifier = new TokenVerifier(SECRET, CLOCK);
  final TokenMinter minter = new TokenMinter(SECRET, CLOCK);

  @Test
  void aMintedTokenVerifiesToItsGrants() {
    String token =
        minter.mint("ada", List.of("room-*", "lobby"), List.of("room-1"), Duration.ofHours(1));
    Grants g = verifier.verify(token);
    assertThat(g.subject()).isEqualTo("ada");
    assertThat(g.subscribe())
        .containsExactly(ChannelPattern.of("room-*"), ChannelPattern.of("lobby"));
    assertThat(g.publish()).containsExactly(ChannelPattern.of("room-1"));
    assertThat(g.expiresAt()).isEqualTo(NOW.plus(Duration.ofHours(1)));
    assertThat(g.canSubscribe("room-7")).isTrue();
    assertThat(g.canPublish("room-7")).isFalse();
    assertThat(g)
        .isEqualTo(Grants.of("ada", List.of("room-*", "lobby"), List.of("room-1"), g.expiresAt()));
  }

  @Test
  void aTokenWithoutSubjectOrGrantsVerifiesToNoGrants() {
    Grants g = verifier.verify(minter.mint(null, null, List.of(), Duration.ofSeconds(1)));
    assertThat(g.subject()).isNull();
    assertThat(g.subscribe()).isEmpty();
    assertThat(g.publish()).isEmpty();
    assertThat(g.canSubscribe("a")).isFalse();
  }

  @Test
  void aSubSecondTtlIsRoundedUpSoTheTokenIsNotBornExpired() {
    TokenMinter atHalf = new TokenMinter(SECRET, Clock.fixed(NOW.plusMillis(600), ZoneOffset.UTC));
    String token = atHalf.mint("a", List.of("x"), null, Duration.ofMillis(500));
    assertThat(verifier.verify(token).expiresAt()).isEqualTo(NOW.plusSeconds(2));
  }

  @Test
  void anExpiredTokenIsRefusedAfterThirtySecondsOfSkew() {
    String token = signed("{\"exp\":" + (NOW_S - 30) + "}");
    failsWith(token).hasMessage("token expired at 2026-03-01T11:59:30Z: mint a new one");
    assertThat(verifier.verify(signed("{\"exp\":" + (NOW_S - 29) + "}")).expiresAt())
        .isEqualTo(NOW.minusSeconds(29));
    String minted = minter.mint("a", List.of("x"), null, Duration.ofMinutes(1));
    TokenVerifier later =
        new TokenVerifier(SECRET, Clock.fixed(NOW.plusSeconds(90), ZoneOffset.UTC));
    assertThatThrownBy(() -> later.verify(minted)).hasMessageContaining("token expired at");
  }

  @Test
  void aTokenNotYetValidIsRefused() {
    failsWith(signed("{\"exp\":" + (NOW_S + 600) + ",\"nbf\":" + (NOW_S + 31) + "}"))
        .hasMessageStartingWith("token is not valid before 2026-03-01T12:00:31Z")
        .hasMessageContaining("check the clocks");
    assertThat(
            verifier.verify(signed("{\"exp\":" + (NOW_S + 600) + ",\"nbf\":" + (NOW_S + 30) + "}")))
        .isNotNull();
  }

  @Test
  void aTokenWithoutExpiryIsRefused() {
    failsWith(signed("{\"sub\":\"ada\",\"subscribe\":[\"*\"]}"))
        .hasMessageContaining("no 'exp' claim: tokens must expire");
  }

  @Test
  void aTokenFromAnotherSecretIsRefused() {
    TokenMinter other = new TokenMinter("another-secret-that-is-long-enough-32", CLOCK);
    failsWith(other.mint("ada", List.of("*"), List.of("*"), Duration.ofHours(1)))
        .hasMessageStartingWith("token signature does not match the server's secret");
  }

  @Test
  void aTamperedPayloadIsRefused() {
    String token = minter.mint("ada", List.of("room-1"), null, Duration.ofHours(1));
    String[] parts = token.split("\\.");
    String widened =
        b64(
            "{\"sub\":\"ada\",\"exp\":"
                + (NOW_S + 3600)
                + ",\"subscribe\":[\"*\"],\"publish\":[\"*\"]}");
    failsWith(parts[0] + "." + widened + "." + parts[2])
        .hasMessageStartingWith("token signature does not match");
    failsWith(parts[0] + "." + parts[1] + "." + parts[2].substring(1))
        .hasMessageStartingWith("token signature does not match");
    failsWith(parts[0] + "." + parts[1] + ".")
        .hasMessageStartingWith("token has no signature (its third part is empty)");
  }

  @Test
  void aValidTokenWithStrayCharactersIsRefused() {
    String token = minter.mint("ada", List.of("room-1"), null, Duration.ofHours(1));
    assertThat(verifier.verify(" " + token + " ").subject()).isEqualTo("ada");
    int sig = token.lastIndexOf('.') + 1;
    for (String junk : new String[] {"!", "=", " ", "+", "/", "é", "\n"}) {
      failsWith(token.substring(0, sig + 3) + junk + token.substring(sig + 3))
          .hasMessage("token is not a JWT (three base64url parts separated by dots)");
    }
  }

  @Test
  void algNoneIsRefusedEvenWithGenerousClaims() {
    String payload =
        b64("{\"exp\":" + (NOW_S + 3600) + ",\"subscribe\":[\"*\"],\"publish\":[\"*\"]}");
    failsWith(b64("{\"alg\":\"none\"}") + "." + payload + ".")
        .hasMessage("token algorithm none is not accepted: use HS256");
    failsWith(b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + payload + ".c2ln")
        .hasMessageContaining("algorithm none is not accepted");
  }

  @Test
  void hs512SignedWithTheSameSecretIsRefused() throws Exception {
    String secret64 = SECRET + SECRET; // HS512 needs 64 bytes
    JWSObject jws =
        new JWSObject(
            new JWSHeader(JWSAlgorithm.HS512),
            new Payload("{\"exp\":" + (NOW_S + 3600) + ",\"subscribe\":[\"*\"]}"));
    jws.sign(new MACSigner(secret64.getBytes(StandardCharsets.UTF_8)));
    TokenVerifier v = new TokenVerifier(secret64, CLOCK);
    assertThatThrownBy(() -> v.verify(jws.serialize()))
        .isInstanceOf(AuthException.class)
        .hasMessage("token algorithm HS512 is not accepted: use HS256");
    failsWith(b64("{\"alg\":\"RS256\"}") + "." + b64("{}") + ".c2ln")
        .hasMessage("token algorithm RS256 is not accepted: use HS256");
  }

  @Test
  void garbageIsRefusedWithWhatATokenLooksLike() {
    for (String garbage :
        new String[] {
          "x", "a.b", "a.b.c", "a.b.c.d", "....", "Bearer x", "eyJ.eyJ.x", "%%%.%%%.%%%"
        }) {
      failsWith(garbage).hasMessage("token is not a JWT (three base64url parts separated by dots)");
    }
    failsWith(b64("[1,2]") + "." + b64("{}") + ".c2ln").hasMessageContaining("not a JWT");
    failsWith(b64("{\"typ\":\"JWT\"}") + "." + b64("{}") + ".c2ln")
        .hasMessageContaining("not a JWT");
    failsWith(null).hasMessageStartingWith("no token: send 'Authorization: Bearer <token>'");
    failsWith("  ").hasMessageStartingWith("no token");
    failsWith("a".repeat(TokenVerifier.MAX_TOKEN_CHARS + 1))
        .hasMessageContaining("at most " + TokenVerifier.MAX_TOKEN_CHARS);
  }

  @Test
  void aSignedPayloadThatIsNotAClaimsObjectIsRefused() {
    failsWith(signed("[1,2,3]")).hasMessageStartingWith("token payload is not a JSON object");
    failsWith(signed("not json")).hasMessageStartingWith("token payload is not a JSON object");
  }

  @Test
  void claimsOfTheWrongTypeAreRefusedByName() {
    long exp = NOW_S + 3600;
    failsWith(signed("{\"exp\":\"tomorrow\"}"))
        .hasMessageStartingWith("token claim 'exp' must be a time in seconds since 1970")
        .hasMessageContaining("not a string");
    failsWith(signed("{\"exp\":1e300}")).hasMessageContaining("claim 'exp' must be a time");
    failsWith(signed("{\"exp\":" + exp + ",\"nbf\":true}")).hasMessageContaining("'nbf'");
    failsWith(signed("{\"exp\":" + exp + ",\"sub\":42}"))
        .hasMessageStartingWith("token claim 'sub' must be a string, not a number");
    failsWith(signed("{\"exp\":" + exp + ",\"subscribe\":\"room-*\"}"))
        .hasMessageStartingWith("token claim 'subscribe' must be a list of channel patterns")
        .hasMessageContaining("not a string");
    failsWith(signed("{\"exp\":" + exp + ",\"publish\":[\"a\",1]}"))
        .hasMessageStartingWith("token claim 'publish' must be a list of channel patterns")
        .hasMessageContaining("a list holding a number");
    failsWith(signed("{\"exp\":" + exp + ",\"publish\":{\"a\":1}}"))
        .hasMessageContaining("an object");
    failsWith(signed("{\"exp\":" + exp + ",\"subscribe\":[\"\"]}"))
        .hasMessageStartingWith(
            "token claim 'subscribe' holds an invalid pattern: channel pattern is empty");
    failsWith(signed("{\"exp\":" + exp + ",\"subscribe\":[\"a\\u0000\"]}"))
        .hasMessageContaining("control character U+0000");
  }

  @Test
  void fractionalAndNullClaimsAreRead() {
    Grants g =
        verifier.verify(
            signed(
                "{\"exp\":" + (NOW_S + 10) + ".5,\"sub\":null,\"subscribe\":null,\"publish\":[]}"));
    assertThat(g.expiresAt()).isEqualTo(NOW.plusMillis(10_500));
    assertThat(g.subject()).isNull();
    assertThat(g.subscribe()).isEmpty();
  }

  /** An exp at the end of Instant's range: valid, not an overflow (it was a 500). */
  @Test
  void anExpiryAtTheEndOfTimeIsReadWithoutOverflow() {
    long last = java.time.Instant.MAX.getEpochSecond();
    Grants g = verifier.verify(signed("{\"exp\":" + last + ",\"subscribe\":[\"*\"]}"));
    assertThat(g.expiresAt()).isEqualTo(java.time.Instant.ofEpochSecond(last));
  }

  @Test
  void aShortSecretIsRejectedNamingItsLengthAndTheMinimum() {
    assertThatThrownBy(() -> new TokenVerifier("short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("the token secret is 5 bytes: HS256 needs at least 32");
    assertThatThrownBy(() -> new TokenMinter("é".repeat(15)))
        .hasMessageStartingWith("the token secret is 30 bytes");
    assertThat(new TokenVerifier("é".repeat(16))).isNotNull(); // 32 UTF-8 bytes, 16 chars
  }

  @Test
  void theMinterRefusesBadTtlsAndPatterns() {
    assertThatThrownBy(() -> minter.mint("a", List.of("x"), null, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("ttl PT0S is not positive");
    assertThatThrownBy(() -> minter.mint("a", List.of("x"), null, Duration.ofSeconds(-1)))
        .hasMessageContaining("not positive");
    assertThatThrownBy(() -> minter.mint("a", List.of("x"), null, Duration.ofDays(40_000)))
        .hasMessageContaining("too long: give at most 36500d");
    assertThatThrownBy(() -> minter.mint("a", List.of(""), null, Duration.ofHours(1)))
        .hasMessageStartingWith("channel pattern is empty");
  }

  @Test
  void authExceptionsAre401AndCarryNoStackTrace() {
    AuthException e = catchAuth("nope");
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.getStackTrace()).isEmpty();
  }

  @Test
  void aSecondSpellingOfTheSignatureIsRefused() {
    // The last character of a 32-byte MAC in base64url carries 2 unused bits: flipping the lowest
    // gives another string for the same bytes.
    String token = minter.mint("ada", List.of("room-1"), null, Duration.ofHours(1));
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    int last = alphabet.indexOf(token.charAt(token.length() - 1));
    String respelled = token.substring(0, token.length() - 1) + alphabet.charAt(last ^ 1);
    assertThat(verifier.verify(token).subject()).isEqualTo("ada");
    failsWith(respelled).hasMessageContaining("not canonical base64url");
  }

  @Test
  void aSignedPayloadThatIsNotAnObjectIs401() {
    // JSON null parses to no map at all (was a NullPointerException, answered 500).
    failsWith(signed("null")).hasMessageContaining("not a JSON object of claims");
    for (String payload : List.of("[]", "1", "\"ada\"", "true")) failsWith(signed(payload));
  }

  @Test
  void aCritHeaderIsNamedNotBlamedOnTheSecret() throws Exception {
    JWSObject jws =
        new JWSObject(
            new JWSHeader.Builder(JWSAlgorithm.HS256)
                .criticalParams(java.util.Set.of("foo"))
                .customParam("foo", 1)
                .build(),
            new Payload("{\"exp\":" + (NOW_S + 3600) + "}"));
    jws.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
    failsWith(jws.serialize())
        .hasMessageContaining("'crit' [foo] is not accepted")
        .hasMessageNotContaining("does not match");
  }

  private AuthException catchAuth(String token) {
    try {
      verifier.verify(token);
    } catch (AuthException e) {
      return e;
    }
    throw new AssertionError("token was accepted: " + token);
  }

  private AbstractThrowableAssert<?, ? extends Throwable> failsWith(String token) {
    AuthException e = catchAuth(token);
    assertThat(e.status()).as(e.getMessage()).isEqualTo(401);
    return assertThat(e);
  }

  /** An HS256 token with exactly this payload, signed with {@link #SECRET}. */
  static String signed(String payloadJson) {
    try {
      JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payloadJson));
      jws.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
      return jws.serialize();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String b64(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
