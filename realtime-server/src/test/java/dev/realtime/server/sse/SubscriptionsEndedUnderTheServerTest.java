package dev.realtime.server.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Realtime;
import dev.realtime.internal.RealRealtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import dev.realtime.server.SseRecorder.Frame;
import dev.realtime.spi.EntryId;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedder ends the server's core subscriptions under it: {@code Channel.unsubscribe()} on a
 * channel the server streams, or {@code Realtime.close()}. No stream may be left waiting for events
 * that will never come: each ends with a {@code reconnect} frame after what it was written, its
 * client resumes from there exactly once, and new streams get a fresh feed.
 */
class SubscriptionsEndedUnderTheServerTest {
  static final String PAD = "p".repeat(1500);
  // About 7.5 MB: more than the kernel buffers of a connection whose reader does not read.
  static final int HISTORY = 5000;

  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime)
          .config(ServerConfig.builder().port(0).maxBufferedBytes(32 * 1024).build())
          .start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  /** The ids emitted to each channel, in order. */
  final Map<String, List<String>> emitted = new HashMap<>();

  String emit(String channel, Object data) {
    String id = realtime.channel(channel).emit("n", data);
    emitted.computeIfAbsent(channel, c -> new ArrayList<>()).add(id);
    return id;
  }

  String stream(String query) {
    return server.url() + "/api/realtime?" + query;
  }

  @Test
  void channelUnsubscribeEndsEveryStreamOfTheChannelWhichThenResumesExactlyOnce() throws Exception {
    var room = realtime.channel("room");
    String newest = null;
    for (int i = 0; i < HISTORY; i++) newest = emit("room", Map.of("seq", i, "pad", PAD));

    // Live on the channel's feed, alone and with another channel.
    SseRecorder live = SseRecorder.open(stream("channel=room"));
    live.expectType("connected");
    SseRecorder two = SseRecorder.open(stream("channel=room&channel=other"));
    two.expectType("connected");
    two.expectType("connected");
    // On its own subscription: resumed after the newest entry, it has delivered nothing, so it has
    // not met the feed yet.
    SseRecorder own = SseRecorder.open(stream("channel=room&last_ack_room=" + newest));
    own.expectType("connected");
    // Replaying the whole history on its own subscription, through a socket it does not read: the
    // subscription waits for the socket, mid-replay.
    SlowReader replaying = new SlowReader(server.port(), "channel=room&last_ack_room=0");
    String replayStart = replaying.next().id(); // its connected frame
    Thread.sleep(300);

    room.unsubscribe(); // the embedder, on its Realtime

    List<String> resumeFrom = new ArrayList<>();
    for (SseRecorder sse : List.of(live, two, own)) {
      assertThat(sse.next().type()).isEqualTo("reconnect");
      await().atMost(Duration.ofSeconds(5)).until(sse::ended);
      resumeFrom.add(sse.lastEventId());
      sse.close();
    }
    List<String> replayed = new ArrayList<>();
    Frame f;
    while (!(f = replaying.next()).type().equals("reconnect")) {
      if (f.type().equals("event")) replayed.add(f.id());
    }
    assertThat(replaying.next()).as("the end of the response").isNull();
    replaying.close();
    System.out.println(
        "SubscriptionsEndedUnderTheServerTest: "
            + replayed.size()
            + " of "
            + HISTORY
            + " replayed");
    assertThat(replayed.size()).as("it was still replaying").isLessThan(HISTORY);
    assertThat(replayed).containsExactlyElementsOf(idsAfter("room", replayStart, replayed.size()));
    resumeFrom.add(replayed.isEmpty() ? replayStart : replayed.get(replayed.size() - 1));

    String missed = emit("room", "missed");
    List<SseRecorder> resumed = new ArrayList<>();
    List<String> queries = List.of("channel=room", "channel=room&channel=other", "channel=room");
    for (int i = 0; i < resumeFrom.size(); i++) {
      SseRecorder sse =
          SseRecorder.open(
              stream(i < queries.size() ? queries.get(i) : "channel=room"),
              Map.of("Last-Event-ID", resumeFrom.get(i)));
      sse.expectType("connected");
      if (i == 1) sse.expectType("connected");
      resumed.add(sse);
    }
    String later = emit("room", "later");
    for (int i = 0; i < resumed.size(); i++) {
      String position =
          i == 1
              ? StreamRequest.decode(resumeFrom.get(i), List.of("room", "other")).get("room")
              : resumeFrom.get(i);
      List<String> expected = idsAfter("room", position, Integer.MAX_VALUE);
      assertThat(expected).endsWith(missed, later);
      List<String> got = new ArrayList<>();
      for (Frame e : resumed.get(i).events(expected.size())) got.add(e.json().get("id").asString());
      assertThat(got).as("stream %d, resumed from %s", i, position).isEqualTo(expected);
      assertThat(resumed.get(i).poll(200))
          .satisfiesAnyOf(x -> assertThat(x).isNull(), x -> assertThat(x.comment()).isNotNull());
      resumed.get(i).close();
    }

    // A new stream gets a fresh feed: one subscription on the channel, and it delivers.
    try (SseRecorder fresh = SseRecorder.open(stream("channel=room"))) {
      fresh.expectType("connected");
      await().until(() -> ((RealRealtime) realtime).fanout().subscriptionCount("room") == 1);
      String id = emit("room", "fresh");
      assertThat(fresh.events(1)).extracting(Frame::id).containsExactly(id);
    }
  }

  /**
   * The embedder closes the Realtime under a running server (it was meant to close the server
   * first): every stream ends with a reconnect frame, so clients go elsewhere or retry, and new
   * streams are refused with an error status instead of hanging.
   */
  @Test
  void closingTheRealtimeUnderTheServerEndsEveryStream() {
    String first = emit("room", 1);
    SseRecorder live = SseRecorder.open(stream("channel=room&channel=other"));
    live.expectType("connected");
    live.expectType("connected");
    SseRecorder own = SseRecorder.open(stream("channel=room&last_ack_room=" + first));
    own.expectType("connected");

    realtime.close();

    for (SseRecorder sse : List.of(live, own)) {
      assertThat(sse.next().type()).isEqualTo("reconnect");
      await().atMost(Duration.ofSeconds(5)).until(sse::ended);
      sse.close();
    }
    try (SseRecorder refused = SseRecorder.open(stream("channel=room"))) {
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.errorBody()).contains("realtime is closed").contains("try again later");
    }
  }

  /** Up to {@code max} ids emitted to the channel after {@code position}, oldest first. */
  private List<String> idsAfter(String channel, String position, int max) {
    EntryId after = EntryId.parse(position);
    List<String> ids = new ArrayList<>();
    for (String id : emitted.get(channel)) {
      if (EntryId.parse(id).isAfter(after) && ids.size() < max) ids.add(id);
    }
    return ids;
  }

  /**
   * A raw-socket SSE client with a small receive buffer that reads only when asked, so the server's
   * side of the connection backs up while it does not.
   */
  static final class SlowReader implements AutoCloseable {
    private final Socket socket = new Socket();
    private final InputStream in;

    SlowReader(int port, String query) throws IOException {
      socket.setReceiveBufferSize(8 * 1024);
      socket.connect(new InetSocketAddress("127.0.0.1", port));
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET /api/realtime?" + query + " HTTP/1.1\r\nHost: x\r\n\r\n")
                  .getBytes(StandardCharsets.UTF_8));
      in = new BufferedInputStream(socket.getInputStream(), 4096);
      assertThat(line()).contains(" 200 ");
      while (!line().isEmpty()) {
        // headers
      }
    }

    /** The next frame that is not a heartbeat, or null at the end of the response. */
    Frame next() throws IOException {
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      while (true) {
        int size = Integer.parseInt(line(), 16);
        if (size == 0) return null;
        text.write(in.readNBytes(size));
        line();
        String frame = text.toString(StandardCharsets.UTF_8);
        if (!frame.endsWith("\n\n")) continue;
        text.reset();
        String id = null;
        String data = null;
        for (String l : frame.split("\n")) {
          if (l.startsWith("id: ")) id = l.substring(4);
          if (l.startsWith("data: ")) data = l.substring(6);
        }
        Frame f = new Frame(id, data, null);
        if (data != null && !f.type().equals("ping")) return f;
      }
    }

    private String line() throws IOException {
      StringBuilder b = new StringBuilder();
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) throw new IOException("the server closed the connection");
        if (c != '\r') b.append((char) c);
      }
      return b.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
