package dev.realtime.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import dev.realtime.server.SseRecorder.Frame;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event stream, frame by frame, as the original's browser client and EventSource see it. */
class SseProtocolTest {
  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime)
          .config(ServerConfig.builder().port(0).heartbeat(Duration.ofMillis(200)).build())
          .start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  String stream(String query) {
    return server.url() + "/api/realtime?" + query;
  }

  @Test
  void connectedThenLiveEventsWithIdLines() {
    try (SseRecorder sse = SseRecorder.open(stream("channel=room"))) {
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.response().headers().firstValue("content-type")).hasValue("text/event-stream");
      assertThat(sse.response().headers().firstValue("access-control-allow-origin")).hasValue("*");
      assertThat(sse.response().headers().firstValue("connection")).hasValue("close");
      Frame connected = sse.expectType("connected");
      assertThat(connected.json().get("channel").asString()).isEqualTo("room");
      String id = realtime.channel("room").emit("chat.message", Map.of("text", "hi"));
      Frame event = sse.events(1).get(0);
      assertThat(event.id()).isEqualTo(id);
      assertThat(event.data())
          .isEqualTo(
              "{\"id\":\""
                  + id
                  + "\",\"data\":{\"text\":\"hi\"},\"event\":\"chat.message\",\"channel\":\"room\"}");
    }
  }

  @Test
  void heartbeatsAreCommentsWithThePingDataLine() {
    try (SseRecorder sse = SseRecorder.open(stream("channel=room"))) {
      sse.expectType("connected");
      Frame f;
      do {
        f = sse.poll(2000);
      } while (f != null && f.comment() == null);
      assertThat(f).isNotNull();
      assertThat(f.comment()).isEqualTo("ping");
      // The same frame carries the original's ping data line, for its client's watchdog.
      Frame data = sse.poll(2000);
      assertThat(data).isNotNull();
      assertThat(data.type()).isEqualTo("ping");
      assertThat(data.json().get("timestamp").asLong())
          .isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(10_000L));
    }
  }

  @Test
  void aHeartbeatOfZeroMeansNone() {
    try (Realtime own = Realtime.create();
        RealtimeServer quiet =
            RealtimeServer.builder(own)
                .config(ServerConfig.builder().port(0).heartbeat(Duration.ZERO).build())
                .start();
        SseRecorder sse = SseRecorder.open(quiet.url() + "/api/realtime?channel=room")) {
      assertThat(sse.expectType("connected").json().get("heartbeatMs").asLong()).isZero();
      assertThat(sse.poll(1500)).as("no heartbeat, no frame").isNull();
      String id = own.channel("room").emit("n", 1);
      assertThat(sse.next().id()).isEqualTo(id);
    }
  }

  @Test
  void lastAckReplaysWhatCameAfterItThenGoesLive() {
    var ch = realtime.channel("room");
    String a = ch.emit("n", 1);
    String b = ch.emit("n", 2);
    String c = ch.emit("n", 3);
    try (SseRecorder sse = SseRecorder.open(stream("channel=room&last_ack_room=" + a))) {
      sse.expectType("connected");
      String d = ch.emit("n", 4);
      assertThat(sse.events(3)).extracting(Frame::id).containsExactly(b, c, d);
    }
  }

  @Test
  void aPlainTimestampStartsAtThatTime() throws Exception {
    var ch = realtime.channel("room");
    ch.emit("n", 1);
    Thread.sleep(3);
    long now = System.currentTimeMillis();
    Thread.sleep(2);
    String b = ch.emit("n", 2);
    try (SseRecorder sse = SseRecorder.open(stream("channel=room&last_ack_room=" + now))) {
      sse.expectType("connected");
      assertThat(sse.events(1)).extracting(Frame::id).containsExactly(b);
    }
  }

  @Test
  void timeZeroReplaysEverythingOnEveryChannel() {
    String a = realtime.channel("a").emit("n", 1);
    String b = realtime.channel("b").emit("n", 2);
    try (SseRecorder sse =
        SseRecorder.open(stream("channel=a&last_ack_a=0&channel=b&last_ack_b=0"))) {
      sse.expectType("connected");
      Frame last = sse.expectType("connected");
      assertThat(last.id()).isEqualTo("a=0-0&b=0-0");
      assertThat(sse.events(2))
          .extracting(f -> f.json().get("id").asString())
          .containsExactlyInAnyOrder(a, b);
    }
  }

  @Test
  void lastEventIdResumesEveryChannelOfTheStream() {
    var a = realtime.channel("a");
    var b = realtime.channel("b,with=odd&chars");
    String q = "channel=a&channel=" + URLEncoder.encode(b.name(), StandardCharsets.UTF_8);
    String resume;
    try (SseRecorder sse = SseRecorder.open(stream(q))) {
      sse.expectType("connected");
      sse.expectType("connected");
      a.emit("n", 1);
      b.emit("n", 2);
      sse.events(2);
      resume = sse.lastEventId();
    }
    String a3 = a.emit("n", 3);
    String b4 = b.emit("n", 4);
    try (SseRecorder sse = SseRecorder.open(stream(q), Map.of("Last-Event-ID", resume))) {
      sse.expectType("connected");
      sse.expectType("connected");
      List<Frame> events = sse.events(2);
      assertThat(events)
          .extracting(f -> f.json().get("id").asString())
          .containsExactlyInAnyOrder(a3, b4);
      assertThat(sse.poll(300))
          .satisfiesAnyOf(
              f -> assertThat(f).isNull(), f -> assertThat(f.comment()).isEqualTo("ping"));
    }
  }

  @Test
  void aStreamThatSawNothingResumesFromWhereItStarted() {
    var ch = realtime.channel("room");
    ch.emit("n", 0);
    String resume;
    try (SseRecorder sse = SseRecorder.open(stream("channel=room"))) {
      sse.expectType("connected");
      resume = sse.lastEventId();
      assertThat(resume).isNotNull();
    }
    String missed = ch.emit("n", 1);
    try (SseRecorder sse =
        SseRecorder.open(stream("channel=room"), Map.of("Last-Event-ID", resume))) {
      sse.expectType("connected");
      assertThat(sse.events(1)).extracting(Frame::id).containsExactly(missed);
    }
  }

  @Test
  void eventsFilterOnTheServer() {
    var ch = realtime.channel("room");
    try (SseRecorder sse = SseRecorder.open(stream("channel=room&events=b,c"))) {
      sse.expectType("connected");
      ch.emit("a", 1);
      String b = ch.emit("b", 2);
      ch.emit("a", 3);
      String c = ch.emit("c", 4);
      assertThat(sse.events(2)).extracting(Frame::id).containsExactly(b, c);
    }
  }

  @Test
  void historyParameterReplaysTheNewestMessages() {
    var ch = realtime.channel("room");
    for (int i = 0; i < 10; i++) ch.emit("n", i);
    try (SseRecorder sse = SseRecorder.open(stream("channel=room&history=3"))) {
      sse.expectType("connected");
      assertThat(sse.events(3))
          .extracting(f -> f.json().get("data").asInt())
          .containsExactly(7, 8, 9);
    }
  }

  @Test
  void aResumePointHistoryNoLongerHoldsIsAGapFrame() {
    Realtime small = Realtime.builder().history(dev.realtime.History.maxLength(2)).build();
    try (RealtimeServer s =
        RealtimeServer.builder(small).config(ServerConfig.builder().port(0).build()).start()) {
      var ch = small.channel("room");
      String first = ch.emit("n", 1);
      for (int i = 2; i <= 5; i++) ch.emit("n", i);
      try (SseRecorder sse =
          SseRecorder.open(s.url() + "/api/realtime?channel=room&last_ack_room=" + first)) {
        sse.expectType("connected");
        Frame gap = sse.expectType("gap");
        assertThat(gap.json().get("channel").asString()).isEqualTo("room");
        assertThat(gap.json().get("afterId").asString()).isEqualTo(first);
        assertThat(sse.events(2))
            .extracting(f -> f.json().get("data").asInt())
            .containsExactly(4, 5);
      }
    } finally {
      small.close();
    }
  }

  @Test
  void badLastAckIsA400ThatSaysWhatIsAccepted() {
    try (SseRecorder sse = SseRecorder.open(stream("channel=room&last_ack_room=yesterday"))) {
      assertThat(sse.status()).isEqualTo(400);
      assertThat(sse.errorBody()).contains("last_ack_room 'yesterday'").contains("<ms>-<seq>");
    }
  }

  @Test
  void aLastAckOfNonAsciiDigitsIsA400() {
    // U+0661 ARABIC-INDIC DIGIT ONE: Java's isDigit and parseLong would take it for time 1.
    try (SseRecorder sse = SseRecorder.open(stream("channel=room&last_ack_room=%D9%A1"))) {
      assertThat(sse.status()).isEqualTo(400);
      assertThat(sse.errorBody()).contains("Unix time in milliseconds");
    }
  }

  @Test
  void anEmptyPositionInLastEventIdIsA400NotAStartFromNow() {
    // Starting channel a live would skip what last_ack_a=0 replays, and say nothing.
    try (SseRecorder sse =
        SseRecorder.open(
            stream("channel=a&channel=b&last_ack_a=0"), Map.of("Last-Event-ID", "a=&b=0-0"))) {
      assertThat(sse.status()).isEqualTo(400);
      assertThat(sse.errorBody()).contains("no position for channel 'a'");
    }
  }

  @Test
  void missingChannelMeansDefault() {
    try (SseRecorder sse = SseRecorder.open(server.url() + "/api/realtime")) {
      assertThat(sse.expectType("connected").json().get("channel").asString()).isEqualTo("default");
    }
  }
}
