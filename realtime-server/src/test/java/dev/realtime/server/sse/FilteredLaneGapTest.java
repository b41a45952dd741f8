package dev.realtime.server.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream with an event filter passes over many entries of its channel in the shared feed; when
 * its socket then backs up and it leaves the feed, it resumes after the last entry it passed over,
 * not after its last written event, which history may have trimmed meanwhile: nothing that matches
 * was lost, so it must get no gap frame, and every matching event once, in order.
 */
class FilteredLaneGapTest {
  static final String PAD = "x".repeat(16 * 1024);
  static final int BIG = 300; // 4.8 MB: more than the socket buffers hold

  record X(int i, String pad) {}

  final Realtime realtime = Realtime.builder().history(History.maxLength(150)).build();
  final RealtimeServer server =
      RealtimeServer.builder(realtime)
          .config(ServerConfig.builder().port(0).maxBufferedBytes(64 * 1024).build())
          .start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  @Test
  void aFilteredLaneThatLeavesTheFeedReportsNoGapWhereNothingMatchingWasLost() throws Exception {
    try (Socket client = new Socket()) {
      client.setReceiveBufferSize(4096);
      client.connect(new InetSocketAddress("127.0.0.1", server.port()));
      client
          .getOutputStream()
          .write(
              "GET /api/realtime?channel=room&channel=other&events=x HTTP/1.1\r\nHost: t\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = client.getInputStream();
      StringBuilder got = new StringBuilder();
      byte[] buf = new byte[65536];
      while (!got.toString().contains("\"channel\":\"other\",\"cursor\"")) {
        got.append(new String(buf, 0, in.read(buf), StandardCharsets.UTF_8));
      }
      var room = realtime.channel("room");
      var other = realtime.channel("other");
      room.emit("x", new X(0, ""));
      passOver(room, 200); // history drops x 0
      await().until(() -> room.history().stream().noneMatch(m -> m.event().equals("x")));
      // The client stops reading: large events of the other channel back its socket up, and the
      // next entries of room, which the filter passes over, find it unwritable: room's lane leaves
      // the feed too (within the 5 s after which a slow consumer would be dropped).
      for (int i = 1; i <= BIG; i++) other.emit("x", new X(i, PAD));
      await().atMost(Duration.ofSeconds(2)).until(() -> server.metrics().laggedCount() >= 1);
      double lagged = server.metrics().laggedCount();
      passOver(room, 20);
      await().atMost(Duration.ofSeconds(2)).until(() -> server.metrics().laggedCount() > lagged);
      room.emit("x", new X(1, ""));
      client.setSoTimeout(10_000);
      Pattern roomEvent =
          Pattern.compile(
              "\"data\":\\{\"i\":(\\d+),\"pad\":\"\"\\},\"event\":\"x\",\"channel\":\"room\"");
      List<Integer> received = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (received.size() < 2 && System.nanoTime() < deadline) {
        int n;
        try {
          n = in.read(buf);
        } catch (java.net.SocketTimeoutException e) {
          String all = got.toString().replace(PAD, "P");
          throw new AssertionError(
              "DIAG received "
                  + received
                  + " streams "
                  + server.metrics().openStreams()
                  + " lagged "
                  + server.metrics().laggedCount()
                  + " dropped "
                  + server.metrics().slowConsumersDropped()
                  + " tail: "
                  + all.substring(Math.max(0, all.length() - 1500)),
              e);
        }
        if (n < 0) break;
        got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        received.clear();
        Matcher m = roomEvent.matcher(got);
        while (m.find()) received.add(Integer.parseInt(m.group(1)));
      }
      assertThat(got.toString())
          .as("a gap frame of room, where nothing matching was lost")
          .doesNotContain("\"type\":\"gap\",\"channel\":\"room\"");
      assertThat(received).containsExactly(0, 1);
      assertThat(server.metrics().slowConsumersDropped()).isZero();
    }
  }

  /** Entries the stream's filter passes over, at a pace the feed keeps up with. */
  private static void passOver(dev.realtime.Channel ch, int n) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      ch.emit("y", i);
      Thread.sleep(1); // a burst would outrun the feed, a real gap
    }
  }
}
