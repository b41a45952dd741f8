package dev.realtime.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.History;
import dev.realtime.HistoryMessage;
import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import dev.realtime.server.SseRecorder.Frame;
import dev.realtime.spi.EntryId;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream as the original's React client ({@code @upstash/realtime} 1.1.0 {@code
 * RealtimeProvider}) uses it, at the protocol level; UpstashReactClientTest runs the client itself.
 *
 * <p>That client keeps one resume position per channel: the id of the last event it received, else
 * the {@code cursor} of the channel's {@code connected} frame, else a time (its browser's {@code
 * Date.now()} on the first connect, the {@code timestamp} of the last {@code reconnect} frame after
 * that). Times are the weak spot: they come from another clock than the ids.
 */
class OriginalClientProtocolTest {
  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime).config(ServerConfig.builder().port(0).build()).start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  String stream(String query) {
    return server.url() + "/api/realtime?" + query;
  }

  @Test
  void connectedFramesCarryEachChannelsStartingPositionAsCursor() {
    String seen = realtime.channel("a").emit("n", 1);
    try (SseRecorder sse = SseRecorder.open(stream("channel=a&channel=b%2Fc"))) {
      Frame a = sse.expectType("connected");
      Frame b = sse.expectType("connected");
      // heartbeatMs: the server's heartbeat (15 s by default), for clients' dead-link watchdogs.
      assertThat(a.data())
          .isEqualTo(
              "{\"type\":\"connected\",\"channel\":\"a\",\"cursor\":\""
                  + seen
                  + "\",\"heartbeatMs\":15000}");
      assertThat(b.data())
          .isEqualTo(
              "{\"type\":\"connected\",\"channel\":\"b/c\",\"cursor\":\"0-0\",\"heartbeatMs\":15000}");
    }
  }

  /**
   * A channel that delivered nothing before a reconnect resumes from its {@code connected} cursor,
   * an id, so what was emitted meanwhile arrives whatever the clocks say. Without a cursor the
   * client would send the {@code reconnect} frame's timestamp, a time on the server's clock that an
   * event emitted just before it (or an id from an engine whose clock lags) falls behind.
   */
  @Test
  void resumingAQuietChannelFromItsCursorMissesNothing() {
    String cursor;
    try (SseRecorder sse = SseRecorder.open(stream("channel=quiet&last_ack_quiet=" + now()))) {
      cursor = sse.expectType("connected").json().get("cursor").asString();
    }
    String missed = realtime.channel("quiet").emit("n", 1);
    try (SseRecorder sse = SseRecorder.open(stream("channel=quiet&last_ack_quiet=" + cursor))) {
      sse.expectType("connected");
      // The next frame is the event itself: no {"type":"gap"}, for nothing was lost.
      Frame next = sse.next();
      assertThat(next.id()).as("frame %s", next.data()).isEqualTo(missed);
    }
  }

  /**
   * Every cursor a {@code connected} frame names is a position the server can resume from without a
   * {@code gap}, unless history really lost entries after it: whether the channel started from a
   * time (on a channel never written, or one whose history all lies after that time) or with
   * history, and whether the client resumes before or after more was emitted.
   */
  @Test
  void resumingFromAnyConnectedCursorIsNoGap() {
    realtime.channel("old").emit("n", 0);
    String[] starts = {
      "channel=never&last_ack_never=" + now(),
      "channel=never2&history=5",
      "channel=old&last_ack_old=" + (now() - 60_000),
      "channel=old&history=10",
      "channel=old&last_ack_old=" + now(),
    };
    for (String start : starts) {
      String channel = start.substring("channel=".length(), start.indexOf('&'));
      String cursor;
      try (SseRecorder sse = SseRecorder.open(stream(start))) {
        cursor = sse.expectType("connected").json().get("cursor").asString();
      }
      for (int round = 0; round < 2; round++) {
        // Resumed once before anything more was emitted, once after.
        String expected = round == 0 ? null : realtime.channel(channel).emit("n", round);
        try (SseRecorder sse =
            SseRecorder.open(
                stream("channel=" + channel + "&last_ack_" + channel + "=" + cursor))) {
          sse.expectType("connected");
          String live = realtime.channel(channel).emit("n", "live");
          List<String> after = afterCursor(channel, cursor);
          assertThat(after).as("%s from %s", start, cursor).endsWith(live);
          if (expected != null) assertThat(after).contains(expected);
          for (String id : after) {
            Frame next = sse.next();
            assertThat(next.id())
                .as("%s, resumed from %s: frame %s", start, cursor, next.data())
                .isEqualTo(id);
          }
        }
      }
    }
  }

  /** A cursor from a time is still told of a gap when history lost what came after it. */
  @Test
  void aConnectedCursorWhoseSuccessorsWereTrimmedIsAGap() {
    Realtime small = Realtime.builder().history(History.maxLength(2)).build();
    try (RealtimeServer s =
        RealtimeServer.builder(small).config(ServerConfig.builder().port(0).build()).start()) {
      String base = s.url() + "/api/realtime?channel=room&last_ack_room=";
      String cursor;
      try (SseRecorder sse = SseRecorder.open(base + now())) {
        cursor = sse.expectType("connected").json().get("cursor").asString();
      }
      for (int i = 1; i <= 5; i++) small.channel("room").emit("n", i);
      try (SseRecorder sse = SseRecorder.open(base + cursor)) {
        sse.expectType("connected");
        Frame gap = sse.expectType("gap");
        assertThat(gap.json().get("afterId").asString()).isEqualTo(cursor);
        assertThat(sse.events(2))
            .extracting(f -> f.json().get("data").asInt())
            .containsExactly(4, 5);
      }
    } finally {
      small.close();
    }
  }

  /** The ids of the channel's history after {@code cursor}, oldest first. */
  private List<String> afterCursor(String channel, String cursor) {
    EntryId after = EntryId.parse(cursor);
    return realtime.channel(channel).history().stream()
        .map(HistoryMessage::id)
        .filter(id -> EntryId.parse(id).isAfter(after))
        .toList();
  }

  /**
   * The client's first request sends its browser's {@code Date.now()}. A browser clock ahead of the
   * server's must not make the stream skip what is emitted until the server's clock catches up: a
   * time after now means "from now".
   */
  @Test
  void aLastAckTimeAheadOfTheServersClockStartsLive() {
    realtime.channel("room").emit("n", 0);
    long aheadByAMinute = now() + 60_000;
    try (SseRecorder sse =
        SseRecorder.open(stream("channel=room&last_ack_room=" + aheadByAMinute))) {
      sse.expectType("connected");
      String live = realtime.channel("room").emit("n", 1);
      assertThat(sse.events(1)).extracting(Frame::id).containsExactly(live);
    }
  }

  @Test
  void aLastAckTimeInThePastReplaysWhatCameAtOrAfterIt() throws InterruptedException {
    realtime.channel("room").emit("n", 0);
    Thread.sleep(5);
    long since = now();
    String replayed = realtime.channel("room").emit("n", 1);
    try (SseRecorder sse =
        SseRecorder.open(
            stream(
                "channel=room&last_ack_"
                    + URLEncoder.encode("room", StandardCharsets.UTF_8)
                    + "="
                    + since))) {
      sse.expectType("connected");
      String live = realtime.channel("room").emit("n", 2);
      assertThat(sse.events(2)).extracting(Frame::id).isEqualTo(List.of(replayed, live));
    }
  }

  private static long now() {
    return System.currentTimeMillis();
  }
}
