package dev.realtime.server.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code write-delay}: live events wait up to the delay and then reach each connection together, in
 * one write, still exactly once and in order; replays and other frames are not held back.
 */
class WriteDelayTest {
  static final Duration DELAY = Duration.ofMillis(300);

  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime)
          // A buffer bound far above what these tests send: a reader that pauses (a GC, a busy
          // machine) never makes a stream leave the feed for back-pressure, so leaving it can only
          // mean that a loop shed its members.
          .config(
              ServerConfig.builder().port(0).writeDelay(DELAY).maxBufferedBytes(256 << 20).build())
          .start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  @Test
  void eventsOfOneDelayReachAConnectionInOneWrite() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              "GET /api/realtime?channel=burst HTTP/1.1\r\nHost: x\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      String head = readUntil(in, "\"type\":\"connected\"");
      assertThat(head).startsWith("HTTP/1.1 200");
      await().until(() -> server.metrics().openStreams() == 1);
      var channel = realtime.channel("burst");
      // The stream's joining the feed started a window (joins travel with the events); one event
      // read to its end closes that window, so the next starts with the first of the five.
      String priming = channel.emit("n", Map.of("i", -1));
      readUntil(in, priming);

      long first = System.nanoTime();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) ids.add(channel.emit("n", Map.of("i", i)));
      long emitted = System.nanoTime() - first;
      assertThat(emitted)
          .as("the five emits took %d ms; the test needs them well inside the delay", emitted / 1e6)
          .isLessThan(DELAY.toNanos() / 2);

      byte[] buffer = new byte[64 * 1024];
      int n = in.read(buffer); // one segment: everything the delay gathered
      long waited = System.nanoTime() - first;
      String read = new String(buffer, 0, n, StandardCharsets.UTF_8);
      assertThat(waited).as("ms until the first event arrived").isGreaterThan(DELAY.toNanos() / 2);
      for (String id : ids) assertThat(read).contains("id: " + id + "\n");
      assertThat(read.indexOf(ids.get(0))).isLessThan(read.indexOf(ids.get(4)));
    }
  }

  @Test
  void aDelayedStreamStillGetsEveryEventOnceInOrderAndItsReplayAtOnce() {
    var channel = realtime.channel("steady");
    String before = channel.emit("n", Map.of("i", -1));
    try (SseRecorder live = SseRecorder.open(server.url() + "/api/realtime?channel=steady");
        SseRecorder replay =
            SseRecorder.open(
                server.url() + "/api/realtime?channel=steady", Map.of("Last-Event-ID", "0-0"))) {
      live.expectType("connected");
      long opened = System.nanoTime();
      assertThat(replay.expectType("connected")).isNotNull();
      // A replay is history, written as it is read: it does not wait for the delay.
      assertThat(replay.events(1).get(0).id()).isEqualTo(before);
      assertThat(System.nanoTime() - opened).isLessThan(DELAY.toNanos());

      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        ids.add(channel.emit("n", Map.of("i", i)));
        if (i % 20 == 0) sleep(40); // spread over several delays
      }
      assertThat(live.events(200)).extracting(SseRecorder.Frame::id).containsExactlyElementsOf(ids);
      assertThat(replay.events(200))
          .extracting(SseRecorder.Frame::id)
          .containsExactlyElementsOf(ids);
    }
  }

  @Test
  void aWindowThatFillsHalfTheBacklogIsWrittenWithoutWaitingForTheDelay() {
    Duration delay = ServerConfig.MAX_WRITE_DELAY;
    try (Realtime own = Realtime.create();
        RealtimeServer slow =
            RealtimeServer.builder(own)
                .config(
                    ServerConfig.builder()
                        .port(0)
                        .writeDelay(delay)
                        .maxBufferedBytes(256 << 20)
                        .build())
                .start();
        SseRecorder live = SseRecorder.open(slow.url() + "/api/realtime?channel=flood")) {
      live.expectType("connected");
      await().until(() -> slow.metrics().openStreams() == 1);
      var channel = own.channel("flood");
      // Joining the feed started a window (joins travel with the events); an event that comes
      // through closes it, so the next window starts with the next emit.
      String priming = channel.emit("n", -1);
      assertThat(live.events(1).get(0).id()).isEqualTo(priming);
      // Two windows, each exactly half the backlog bound: a window's first entry starts the delay
      // and its last fills it to half the bound, which sends it at once. Had it waited, its events
      // would arrive at least the delay after its first emit.
      for (int window = 0; window < 2; window++) {
        long start = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < ChannelFeed.MAX_BACKLOG / 2; i++) ids.add(channel.emit("n", i));
        assertThat(live.events(ids.size()))
            .extracting(SseRecorder.Frame::id)
            .containsExactlyElementsOf(ids);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .as("window %d, from its first emit to its last event's arrival", window)
            .isLessThan(delay);
      }
    }
  }

  private static String readUntil(InputStream in, String marker) throws Exception {
    StringBuilder seen = new StringBuilder();
    byte[] buffer = new byte[4096];
    while (seen.indexOf(marker) < 0) {
      int n = in.read(buffer);
      if (n < 0) throw new AssertionError("the stream ended before " + marker + ": " + seen);
      seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
    }
    // Read the rest of the connected frame, so the next read starts with the events.
    while (!seen.toString().endsWith("\n\n\r\n")) { // the frame and its chunk's CRLF
      int n = in.read(buffer);
      if (n < 0) break;
      seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
    }
    return seen.toString();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
