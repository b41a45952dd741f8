package dev.realtime.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.HttpCalls;
import dev.realtime.server.HttpCalls.Answer;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What an authorizer that narrows the channels of a request leads to. */
class AuthorizerNarrowingTest {

  /**
   * A narrowed list that repeats a channel counts it once: not two lanes of a stream on 'a' (each
   * event twice), nor a multi-channel emit that stores the event twice.
   */
  @Test
  void aNarrowedListWithARepeatedChannelDoesNotDuplicateDeliveriesOrEmits() {
    try (Realtime rt = Realtime.create();
        RealtimeServer server =
            RealtimeServer.builder(rt)
                .config(ServerConfig.builder().port(0).build())
                .authorizer(r -> AuthDecision.narrow(List.of("a", "a")))
                .start()) {
      List<String> ids = new ArrayList<>();
      try (SseRecorder sse = SseRecorder.open(server.url() + "/api/realtime?channel=a&channel=b")) {
        assertThat(sse.status()).isEqualTo(200);
        rt.channel("a").emit("e", 1);
        SseRecorder.Frame f;
        while ((f = sse.poll(1000)) != null) {
          if (f.data() != null && f.type().equals("event")) ids.add(f.json().get("id").asString());
        }
      }
      assertThat(ids).as("event ids received on the stream").doesNotHaveDuplicates();

      Answer many =
          HttpCalls.post(
              server.url() + "/api/realtime/events",
              "{\"channels\":[\"a\",\"b\"],\"event\":\"e\",\"data\":2}",
              Map.of());
      assertThat(many.status()).as(many.body()).isEqualTo(201);
      assertThat(many.body())
          .isEqualTo("{\"ids\":{\"a\":" + many.json().get("ids").get("a") + "}}");
      assertThat(rt.channel("a").history()).as("one emit of data 2 to 'a'").hasSize(2);
    }
  }

  /**
   * GET /stats is a filter ("a denial lists none"): an authorizer that narrows to no channel (an
   * intersection that came out empty) lists nothing, as a denial does, rather than a 403.
   */
  @Test
  void statsWhoseAuthorizerNarrowsToNothingListsNothing() {
    try (Realtime rt = Realtime.create();
        RealtimeServer server =
            RealtimeServer.builder(rt)
                .config(ServerConfig.builder().port(0).build())
                .authorizer(
                    r ->
                        r.path().equals("/stats")
                            ? AuthDecision.narrow(List.of())
                            : AuthDecision.allow())
                .start()) {
      try (SseRecorder sse = SseRecorder.open(server.url() + "/api/realtime?channel=a")) {
        sse.expectType("connected");
        Answer stats = HttpCalls.get(server.url() + "/stats");
        assertThat(stats.status()).as(stats.body()).isEqualTo(200);
        assertThat(stats.json().get("channelCount").asInt()).isZero();
      }
    }
  }
}
