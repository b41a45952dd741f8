package dev.realtime.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthRequestTest {

  static AuthRequest request(Map<String, List<String>> headers, Map<String, List<String>> query) {
    return new AuthRequest(
        "GET",
        "/api/realtime",
        headers,
        query,
        "203.0.113.7:51234",
        Action.SUBSCRIBE,
        List.of("room-1"),
        Grants.of("ada", List.of("room-*"), null, null));
  }

  @Test
  void headersAreCaseInsensitiveAndKeepEveryValueInOrder() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("X-Tenant", List.of("acme", "other"));
    headers.put("x-tenant", List.of("third"));
    headers.put("Accept", List.of("text/event-stream"));
    AuthRequest r = request(headers, Map.of());
    assertThat(r.header("x-TENANT")).isEqualTo("acme");
    assertThat(r.headers().get("X-TENANT")).containsExactly("acme", "other", "third");
    assertThat(r.header("accept")).isEqualTo("text/event-stream");
    assertThat(r.header("missing")).isNull();
  }

  @Test
  void itIsACopyTheCallerCannotChange() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    List<String> values = new ArrayList<>(List.of("1"));
    headers.put("A", values);
    AuthRequest r = request(headers, Map.of("token", List.of("t")));
    values.add("2");
    headers.put("B", List.of("x"));
    assertThat(r.headers()).containsOnlyKeys("A");
    assertThat(r.headers().get("a")).containsExactly("1");
    assertThat(r.queryParameter("token")).isEqualTo("t");
    assertThat(r.query().get("token")).containsExactly("t");
  }

  @Test
  void itsAccessorsReturnWhatItWasGiven() {
    AuthRequest r = request(null, null);
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.path()).isEqualTo("/api/realtime");
    assertThat(r.remoteAddress()).isEqualTo("203.0.113.7:51234");
    assertThat(r.action()).isEqualTo(Action.SUBSCRIBE);
    assertThat(r.channels()).containsExactly("room-1");
    assertThat(r.grants().subject()).isEqualTo("ada");
    assertThat(r.headers()).isEmpty();
    assertThat(r.query()).isEmpty();
  }

  @Test
  void toStringLeavesOutCredentials() {
    AuthRequest r =
        request(
            Map.of(
                "Authorization",
                List.of("Bearer SECRET-TOKEN"),
                "Cookie",
                List.of("realtime_token=COOKIE")),
            Map.of("token", List.of("QUERY-TOKEN")));
    assertThat(r.toString())
        .contains("GET /api/realtime", "room-1", "ada", "Authorization", "token")
        .doesNotContain("SECRET-TOKEN", "COOKIE", "QUERY-TOKEN");
  }
}
