package dev.realtime.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.HttpCalls;
import dev.realtime.server.HttpCalls.Answer;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tokens and the authorizer hook through the real server: across random tokens and channel names,
 * no request reaches a channel its token did not grant (seeded, {@code -Dseed=} replays).
 */
class ServerAuthTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef-secret";
  static final List<String> FRAGMENTS = List.of("room", "-", "1", "2", "a", ".", "x", "admin");

  final Realtime realtime = Realtime.create();
  final List<AuthRequest> hookSaw = new ArrayList<>();
  final RealtimeServer server =
      RealtimeServer.builder(realtime)
          .config(ServerConfig.builder().port(0).secret(SECRET).build())
          .authorizer(
              request -> {
                synchronized (hookSaw) {
                  hookSaw.add(request);
                }
                assertThat(Thread.currentThread().isVirtual()).isTrue(); // never an event loop
                if (request.channels().contains("blocked")) {
                  return AuthDecision.deny(403, "the hook refuses 'blocked'");
                }
                if (request.channels().contains("narrow-me") && request.channels().size() > 1) {
                  return AuthDecision.narrow(List.of("narrow-me"));
                }
                return AuthDecision.allow();
              })
          .start();
  final TokenMinter minter = new TokenMinter(SECRET);

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  String api() {
    return server.url() + "/api/realtime";
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Test
  void noTokenReachesAChannelItWasNotGranted() {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("ServerAuthTest seed=" + seed);
    Random r = new Random(seed);
    int allowed = 0;
    int refused = 0;
    for (int t = 0; t < 25; t++) {
      List<String> subscribe = globs(r);
      List<String> publish = globs(r);
      Grants grants = Grants.of("u" + t, subscribe, publish, null);
      String token = minter.mint("u" + t, subscribe, publish, Duration.ofMinutes(5));
      Map<String, String> bearer = Map.of("Authorization", "Bearer " + token);
      for (int c = 0; c < 8; c++) {
        String channel = name(r);
        Answer emit =
            HttpCalls.post(
                api() + "/channels/" + enc(channel) + "/events",
                "{\"event\":\"e\",\"data\":1}",
                bearer);
        assertThat(emit.status())
            .as("publish %s with %s (seed %d)", channel, publish, seed)
            .isEqualTo(grants.canPublish(channel) ? 201 : 403);
        Answer history =
            HttpCalls.get(api() + "/channels/" + enc(channel) + "/history?token=" + token);
        assertThat(history.status())
            .as("history %s with %s (seed %d)", channel, subscribe, seed)
            .isEqualTo(grants.canSubscribe(channel) ? 200 : 403);
        try (SseRecorder sse =
            SseRecorder.open(
                api() + "?channel=" + enc(channel),
                Map.of("Cookie", "theme=dark; realtime_token=" + token))) {
          assertThat(sse.status())
              .as("stream %s with %s (seed %d)", channel, subscribe, seed)
              .isEqualTo(grants.canSubscribe(channel) ? 200 : 403);
          if (sse.status() == 200) allowed++;
          else refused++;
        }
      }
    }
    assertThat(allowed).isPositive();
    assertThat(refused).isPositive();
  }

  private static List<String> globs(Random r) {
    List<String> globs = new ArrayList<>();
    for (int i = r.nextInt(3); i >= 0; i--) {
      String g = name(r);
      if (r.nextBoolean()) g = g.substring(0, r.nextInt(g.length() + 1)) + "*";
      globs.add(g);
    }
    return globs;
  }

  private static String name(Random r) {
    StringBuilder b = new StringBuilder();
    for (int i = 1 + r.nextInt(3); i > 0; i--) b.append(FRAGMENTS.get(r.nextInt(FRAGMENTS.size())));
    return b.toString();
  }

  /**
   * The cookie carries a token for reads only: a page of another site can make a browser post with
   * the visitor's cookies (a form, a text/plain fetch: no preflight), so an emit must bring its
   * token in the header or the query.
   */
  @Test
  void theCookieReadsButDoesNotEmit() {
    String token = minter.mint("u", List.of("room"), List.of("room"), Duration.ofMinutes(5));
    Map<String, String> cookie = Map.of("Cookie", "realtime_token=" + token);
    Answer emit =
        HttpCalls.post(api() + "/channels/room/events", "{\"event\":\"e\",\"data\":1}", cookie);
    assertThat(emit.status()).isEqualTo(401);
    assertThat(emit.body())
        .contains("the realtime_token cookie is taken for GET only")
        .contains("Authorization: Bearer <token>");
    Answer many =
        HttpCalls.post(
            api() + "/events", "{\"channels\":[\"room\"],\"event\":\"e\",\"data\":1}", cookie);
    assertThat(many.status()).isEqualTo(401);
    assertThat(realtime.channel("room").history()).isEmpty();

    assertThat(HttpCalls.get(api() + "/channels/room/history", cookie).status()).isEqualTo(200);
    Answer withQuery =
        HttpCalls.post(
            api() + "/channels/room/events?token=" + token, "{\"event\":\"e\",\"data\":1}");
    assertThat(withQuery.status()).isEqualTo(201);
  }

  /**
   * An authorizer that never decides (a database that does not answer) costs its clients a 503
   * after the authorizer timeout, not requests that never end; streams and emits alike.
   */
  @Test
  void anAuthorizerThatNeverDecidesIsA503AfterTheTimeout() {
    try (Realtime other = Realtime.create();
        RealtimeServer hanging =
            RealtimeServer.builder(other)
                .config(ServerConfig.builder().port(0).build())
                .authorizer(
                    request -> {
                      try {
                        Thread.sleep(60_000);
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                      return AuthDecision.allow();
                    })
                .authorizerTimeout(Duration.ofMillis(300))
                .start()) {
      String api = hanging.url() + "/api/realtime";
      Answer emit = HttpCalls.post(api + "/channels/room/events", "{\"event\":\"e\",\"data\":1}");
      assertThat(emit.status()).as(emit.body()).isEqualTo(503);
      assertThat(emit.body()).contains("authorizer did not decide within 300 ms");
      try (SseRecorder sse = SseRecorder.open(api + "?channel=room")) {
        assertThat(sse.status()).isEqualTo(503);
      }
      assertThat(other.channel("room").history()).isEmpty();
    }
  }

  @Test
  void missingExpiredAndForgedTokensAre401() {
    assertThat(HttpCalls.get(api() + "/channels/room/history").status()).isEqualTo(401);
    String forged =
        new TokenMinter("another-secret-another-secret-another-secret")
            .mint("x", List.of("*"), List.of("*"), Duration.ofMinutes(1));
    Answer a = HttpCalls.get(api() + "/channels/room/history?token=" + forged);
    assertThat(a.status()).isEqualTo(401);
    assertThat(a.error()).contains("signature");
  }

  /**
   * A stream does not outlive its token: when the token stops being accepted (exp plus the 30 s
   * leeway), the stream gets a reconnect frame and ends, and the reconnect with the same token is
   * refused. A token whose exp is as far as a JSON number goes is accepted, not a 500.
   */
  @Test
  void aStreamEndsWhenItsTokenExpiresAndFarExpiriesAreNoError() {
    // Minted by a clock 29 s behind, for 1 s: accepted for about 2 s more.
    String token =
        new TokenMinter(SECRET, Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-29)))
            .mint("u", List.of("*"), List.of("*"), Duration.ofSeconds(1));
    long start = System.nanoTime();
    try (SseRecorder sse = SseRecorder.open(api() + "?channel=expiring&token=" + token)) {
      assertThat(sse.status()).isEqualTo(200);
      sse.expectType("connected");
      assertThat(sse.expectType("reconnect")).isNotNull();
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    Answer again = HttpCalls.get(api() + "/channels/expiring/history?token=" + token);
    assertThat(again.status()).isEqualTo(401);
    assertThat(again.error()).contains("token expired");

    String far = minter.mint("u", List.of("*"), List.of("*"), TokenMinter.MAX_TTL);
    assertThat(HttpCalls.get(api() + "/channels/far/history?token=" + far).status()).isEqualTo(200);
  }

  @Test
  void theHookCanDenyAndNarrowButNeverWiden() {
    String token = minter.mint("u", List.of("*"), List.of("*"), Duration.ofMinutes(5));
    Answer denied = HttpCalls.get(api() + "/channels/blocked/history?token=" + token);
    assertThat(denied.status()).isEqualTo(403);
    assertThat(denied.error()).isEqualTo("the hook refuses 'blocked'");
    try (SseRecorder sse =
        SseRecorder.open(api() + "?channel=narrow-me&channel=other&token=" + token)) {
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.expectType("connected").json().get("channel").asString())
          .isEqualTo("narrow-me");
      assertThat(sse.poll(300)).isNull(); // no connected frame for 'other'
    }
    String narrowToken = minter.mint("n", List.of("room-*"), List.of(), Duration.ofMinutes(5));
    Answer beyond = HttpCalls.get(api() + "/channels/admin/history?token=" + narrowToken);
    assertThat(beyond.status()).isEqualTo(403);
    assertThat(beyond.error()).contains("room-*");
    synchronized (hookSaw) {
      assertThat(hookSaw)
          .extracting(AuthRequest::action)
          .contains(Action.HISTORY, Action.SUBSCRIBE);
      assertThat(hookSaw).allSatisfy(req -> assertThat(req.grants().subject()).isNotNull());
    }
  }
}
