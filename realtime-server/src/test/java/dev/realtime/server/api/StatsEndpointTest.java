package dev.realtime.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Realtime;
import dev.realtime.server.HttpCalls;
import dev.realtime.server.HttpCalls.Answer;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import dev.realtime.server.auth.AuthDecision;
import dev.realtime.server.auth.TokenMinter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /stats}: counters and gauges that follow the load, channels with their open streams
 * (counted from open to close, most watched first), and with a secret only the channels the
 * caller's token may subscribe to.
 */
class StatsEndpointTest {
  static final String SECRET = "a-test-secret-of-at-least-thirty-two-bytes!";

  final Realtime realtime = Realtime.create();
  final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing.reversed()) c.close();
    realtime.close();
  }

  RealtimeServer start(RealtimeServer.Builder b) {
    RealtimeServer s = b.start();
    closing.add(s);
    return s;
  }

  SseRecorder open(String url) {
    SseRecorder s = SseRecorder.open(url);
    closing.add(s);
    return s;
  }

  static JsonNode stats(RealtimeServer server, Map<String, String> headers) {
    Answer a = HttpCalls.get(server.url() + "/stats", headers);
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    return a.json();
  }

  @Test
  void countsFollowStreamsAsTheyOpenAndClose() {
    RealtimeServer server =
        start(RealtimeServer.builder(realtime).config(ServerConfig.builder().port(0).build()));
    JsonNode idle = stats(server, Map.of());
    assertThat(idle.get("streams").asInt()).isZero();
    assertThat(idle.get("channels")).isEmpty();
    assertThat(idle.get("memory").get("heapUsedBytes").asLong()).isPositive();

    SseRecorder a = open(server.url() + "/api/realtime?channel=busy&channel=quiet");
    SseRecorder b = open(server.url() + "/api/realtime?channel=busy");
    a.expectType("connected");
    b.expectType("connected");
    HttpCalls.post(
        server.url() + "/api/realtime/channels/busy/events", "{\"event\":\"e\",\"data\":1}");
    b.events(1);
    HttpCalls.get(server.url() + "/api/realtime?history=nope"); // rejected

    JsonNode busy = stats(server, Map.of());
    assertThat(busy.get("streams").asInt()).isEqualTo(2);
    assertThat(busy.get("subscriptions").asInt()).isEqualTo(3);
    assertThat(busy.get("emits").asLong()).isEqualTo(1);
    assertThat(busy.get("rejectedRequests").asLong()).isEqualTo(1);
    assertThat(busy.get("channelCount").asInt()).isEqualTo(2);
    assertThat(busy.get("channels").toString())
        .isEqualTo(
            "[{\"channel\":\"busy\",\"subscribers\":2},{\"channel\":\"quiet\",\"subscribers\":1}]");
    await().until(() -> stats(server, Map.of()).get("deliveries").asLong() == 2);

    a.close();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                stats(server, Map.of())
                    .get("channels")
                    .toString()
                    .equals("[{\"channel\":\"busy\",\"subscribers\":1}]"));
    b.close();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> stats(server, Map.of()).get("channels").isEmpty());
    assertThat(stats(server, Map.of()).get("streams").asInt()).isZero();
  }

  @Test
  void withASecretTheTokenDecidesWhichChannelsAreListed() {
    RealtimeServer server =
        start(
            RealtimeServer.builder(realtime)
                .config(ServerConfig.builder().port(0).secret(SECRET).build())
                .authorizer( // room-secret may be streamed, not listed
                    r ->
                        r.path().equals("/stats")
                            ? AuthDecision.narrow(
                                r.channels().stream()
                                    .filter(c -> !c.equals("room-secret"))
                                    .toList())
                            : AuthDecision.allow()));
    TokenMinter minter = new TokenMinter(SECRET);
    String all = minter.mint("admin", List.of("*"), List.of(), Duration.ofMinutes(5));
    String rooms = minter.mint("ada", List.of("room-*"), List.of(), Duration.ofMinutes(5));
    for (String channel : List.of("room-1", "team-1")) {
      open(server.url() + "/api/realtime?channel=" + channel + "&token=" + all)
          .expectType("connected");
    }
    open(server.url() + "/api/realtime?channel=room-secret&token=" + all).expectType("connected");

    assertThat(HttpCalls.get(server.url() + "/stats").status()).isEqualTo(401);
    JsonNode forAda = stats(server, Map.of("Authorization", "Bearer " + rooms));
    assertThat(forAda.get("channels").toString())
        .isEqualTo("[{\"channel\":\"room-1\",\"subscribers\":1}]");
    assertThat(forAda.get("channelCount").asInt()).isEqualTo(1);
    assertThat(forAda.get("streams").asInt()).isEqualTo(3); // the server's counters, as /metrics
    JsonNode forAdmin = stats(server, Map.of("Authorization", "Bearer " + all));
    assertThat(forAdmin.get("channels").findValuesAsString("channel"))
        .containsExactlyInAnyOrder("room-1", "team-1");
    assertThat(forAdmin.get("streams").asInt()).isEqualTo(3);
  }
}
