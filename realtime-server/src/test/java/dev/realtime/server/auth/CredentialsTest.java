package dev.realtime.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CredentialsTest {

  @Test
  void aBearerHeaderWinsOverTheQueryAndTheCookie() {
    assertThat(Credentials.find("Bearer h.h.h", "q.q.q", "realtime_token=c.c.c"))
        .isEqualTo("h.h.h");
  }

  @Test
  void theSchemeIsCaseInsensitiveAndSpacesAroundAreIgnored() {
    assertThat(Credentials.find("bearer abc", null, null)).isEqualTo("abc");
    assertThat(Credentials.find("BEARER   abc  ", null, null)).isEqualTo("abc");
    assertThat(Credentials.find("Bearer\tabc", null, null)).isEqualTo("abc");
  }

  @Test
  void theQueryParameterComesSecond() {
    assertThat(Credentials.find(null, "q.q.q", "realtime_token=c.c.c")).isEqualTo("q.q.q");
    assertThat(Credentials.find("", "q.q.q", null)).isEqualTo("q.q.q");
  }

  @Test
  void theCookieComesLastAndIsFoundAmongOthers() {
    assertThat(Credentials.find(null, null, "a=1; realtime_token=xyz; b=2")).isEqualTo("xyz");
    assertThat(Credentials.find(null, "", "realtime_token=xyz")).isEqualTo("xyz");
    assertThat(Credentials.find(null, null, "realtime_token=first;realtime_token=second"))
        .isEqualTo("first");
    assertThat(Credentials.find(null, null, "realtime_token=\"quoted\"")).isEqualTo("quoted");
    assertThat(Credentials.find(null, null, "a=1;realtime_token=x.y=z")).isEqualTo("x.y=z");
  }

  @Test
  void cookiesWithSimilarNamesOrValuesAreNotMistakenForTheToken() {
    assertThat(Credentials.find(null, null, "my_realtime_token=no; realtime_token_old=no"))
        .isNull();
    assertThat(Credentials.find(null, null, "a=realtime_token=no")).isNull();
    assertThat(Credentials.find(null, null, "realtime_token=; b=2")).isNull();
    assertThat(Credentials.find(null, null, "realtime_token")).isNull();
    assertThat(Credentials.find(null, null, "")).isNull();
    assertThat(Credentials.find(null, null, ";;; =;")).isNull();
  }

  @Test
  void nothingAnywhereIsNull() {
    assertThat(Credentials.find(null, null, null)).isNull();
    assertThat(Credentials.find("  ", " ", "b=2")).isNull();
  }

  @Test
  void anotherSchemeIsPassedOverForTheQueryParameterOrTheCookie() {
    // A page behind a proxy's basic auth sends Basic on every request, EventSource included.
    assertThat(Credentials.find("Basic dXNlcjpwYXNz", "q", "realtime_token=c")).isEqualTo("q");
    assertThat(Credentials.find("Basic dXNlcjpwYXNz", null, "realtime_token=c")).isEqualTo("c");
    assertThat(Credentials.find("Digest x=1", " ", "a=1; realtime_token=c")).isEqualTo("c");
  }

  @Test
  void aBearerHeaderComesFirstEvenIfMalformed() {
    assertThat(Credentials.find("bearer h", "q", "realtime_token=c")).isEqualTo("h");
    assertThatThrownBy(() -> Credentials.find("Bearer", "q", "realtime_token=c"))
        .hasMessage("Authorization header must be 'Bearer <token>': the token is missing");
  }

  @Test
  void anotherSchemeAndNoOtherTokenIsA401SayingWhatIsAccepted() {
    assertThatThrownBy(() -> Credentials.find("Basic dXNlcjpwYXNz", null, "b=2"))
        .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.status()).isEqualTo(401))
        .hasMessage("Authorization header must be 'Bearer <token>', not 'Basic ...'");
    assertThatThrownBy(() -> Credentials.find("Bearer", null, null))
        .hasMessage("Authorization header must be 'Bearer <token>': the token is missing");
    assertThatThrownBy(() -> Credentials.find("Bearer a b", null, null))
        .hasMessage("Authorization header must be 'Bearer <token>': the token has a space in it");
    assertThatThrownBy(() -> Credentials.find("Bearerabc", null, null))
        .hasMessage("Authorization header must be 'Bearer <token>'");
  }

  @Test
  void aBareTokenInTheHeaderIsNotEchoedBack() {
    assertThatThrownBy(() -> Credentials.find("eyJhbGciOi.eyJzdWIi.c2ln", null, null))
        .hasMessage("Authorization header must be 'Bearer <token>'");
  }
}
