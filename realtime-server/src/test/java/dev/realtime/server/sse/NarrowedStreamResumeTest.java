package dev.realtime.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import dev.realtime.server.auth.AuthDecision;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An authorizer narrows a two-channel stream to one channel. The browser reconnects with the same
 * URL (two channels) and the last id the stream wrote as Last-Event-ID: that id must name its
 * channel, or it would be refused as ambiguous (400), and an EventSource gives up for good on a
 * non-200 answer.
 */
class NarrowedStreamResumeTest {
  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime)
          .config(ServerConfig.builder().port(0).build())
          .authorizer(
              request ->
                  request.channels().contains("open") && request.channels().size() > 1
                      ? AuthDecision.narrow(List.of("open"))
                      : AuthDecision.allow())
          .start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  @Test
  void aNarrowedStreamResumesWithTheLastEventIdItWrote() {
    String url = server.url() + "/api/realtime?channel=open&channel=secret";
    String id;
    try (SseRecorder first = SseRecorder.open(url)) {
      assertThat(first.status()).isEqualTo(200);
      first.expectType("connected");
      realtime.channel("open").emit("n", Map.of("i", 1));
      first.events(1);
      id = first.lastEventId();
    }

    realtime.channel("open").emit("n", Map.of("i", 2));
    try (SseRecorder again = SseRecorder.open(url, Map.of("Last-Event-ID", id))) {
      assertThat(again.status())
          .as(
              "resume with the id the stream wrote: %s",
              again.status() == 200 ? "" : again.errorBody())
          .isEqualTo(200);
      again.expectType("connected");
      assertThat(again.events(1).get(0).json().get("data").get("i").asInt()).isEqualTo(2);
    }
  }
}
