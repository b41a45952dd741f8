package dev.realtime.server.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream with {@code events=x} on a busy channel passes over other events, which trimming then
 * removes from history. Its Last-Event-ID must move past them too (on the next heartbeat, the next
 * event of any channel, and the last frame), or a resume from its last {@code x} reports a gap
 * where nothing matching was lost.
 */
class FilteredResumeGapTest {
  final Realtime realtime = Realtime.create();
  RealtimeServer server;

  @AfterEach
  void close() {
    if (server != null) server.close();
    realtime.close();
  }

  void start(ServerConfig.Builder config) {
    server = RealtimeServer.builder(realtime).config(config.port(0).build()).start();
  }

  /** Emits x, then ten y; returns the last y's id. */
  String xThenTenY(SseRecorder sse, String channel) {
    sse.expectType("connected");
    realtime.channel(channel).emit("x", 1);
    sse.events(1);
    String last = null;
    for (int i = 0; i < 10; i++) last = realtime.channel(channel).emit("y", i);
    return last;
  }

  /**
   * The frames a resume from {@code lastEventId} gets, up to the event, once x 2 was emitted with a
   * retention of two: history then holds the last y and x 2, and x 1 is gone.
   */
  List<String> resumed(String url, String lastEventId) {
    realtime.channel("a", History.maxLength(2)).emit("x", 2);
    List<String> types = new ArrayList<>();
    try (SseRecorder sse = SseRecorder.open(url, Map.of("Last-Event-ID", lastEventId))) {
      SseRecorder.Frame f;
      while (!types.contains("event") && (f = sse.poll(3_000)) != null) {
        if (f.data() != null && !f.type().equals("ping")) types.add(f.type());
      }
    }
    return types;
  }

  @Test
  void theHeartbeatCarriesThePositionPastFilteredEvents() {
    start(ServerConfig.builder().heartbeat(Duration.ofMillis(100)));
    String url = server.url() + "/api/realtime?channel=a&events=x";
    String lastEventId;
    try (SseRecorder sse = SseRecorder.open(url)) {
      String lastY = xThenTenY(sse, "a");
      await().atMost(Duration.ofSeconds(5)).until(() -> lastY.equals(sse.lastEventId()));
      lastEventId = sse.lastEventId();
    }
    assertThat(resumed(url, lastEventId)).containsExactly("connected", "event");
  }

  @Test
  void theReconnectFrameCarriesThePositionPastFilteredEvents() {
    start(ServerConfig.builder().heartbeat(Duration.ZERO).maxDuration(Duration.ofSeconds(1)));
    String url = server.url() + "/api/realtime?channel=a&events=x";
    String lastEventId;
    String lastY;
    try (SseRecorder sse = SseRecorder.open(url)) {
      lastY = xThenTenY(sse, "a");
      SseRecorder.Frame reconnect = sse.expectType("reconnect");
      assertThat(reconnect.id()).isEqualTo(lastY);
      lastEventId = sse.lastEventId();
    }
    assertThat(lastEventId).isEqualTo(lastY);
    assertThat(resumed(url, lastEventId)).containsExactly("connected", "event");
  }

  @Test
  void anEventOfAnotherChannelCarriesEveryPosition() {
    start(ServerConfig.builder().heartbeat(Duration.ofMillis(100)));
    String url = server.url() + "/api/realtime?channel=a&channel=b&events=x";
    try (SseRecorder sse = SseRecorder.open(url)) {
      sse.expectType("connected");
      String lastY = xThenTenY(sse, "a");
      await() // the stream passed the y (its heartbeat says so)
          .atMost(Duration.ofSeconds(5))
          .until(() -> String.valueOf(sse.lastEventId()).startsWith("a=" + lastY + "&"));
      String onB = realtime.channel("b").emit("x", 3);
      assertThat(sse.events(1).get(0).id()).isEqualTo("a=" + lastY + "&b=" + onB);
    }
  }
}
