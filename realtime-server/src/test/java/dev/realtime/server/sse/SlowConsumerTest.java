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
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading is closed once its backlog reaches the bound, and counted; a healthy
 * client on the same channel receives everything meanwhile.
 */
class SlowConsumerTest {
  static final int EVENTS = 1000;
  static final String PAD = "x".repeat(16 * 1024);

  final Realtime realtime = Realtime.create();
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
  void aClientThatStopsReadingIsClosedAndOthersDoNotWait() throws Exception {
    try (Socket stalled = new Socket();
        SseRecorder healthy = SseRecorder.open(server.url() + "/api/realtime?channel=room")) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress("127.0.0.1", server.port()));
      stalled
          .getOutputStream()
          .write(
              ("GET /api/realtime?channel=room HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = stalled.getInputStream();
      byte[] head = new byte[64];
      assertThat(in.read(head)).isPositive(); // the response started; now it reads no more
      healthy.expectType("connected");
      await().until(() -> server.metrics().openStreams() == 2);

      var ch = realtime.channel("room");
      for (int i = 0; i < EVENTS; i++) ch.emit("n", java.util.Map.of("i", i, "pad", PAD));
      AtomicInteger seen = new AtomicInteger();
      for (var f : healthy.events(EVENTS)) {
        assertThat(f.json().get("data").get("i").asInt()).isEqualTo(seen.getAndIncrement());
      }

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> server.metrics().slowConsumersDropped() == 1.0);
      assertThat(server.metrics().openStreams()).isEqualTo(1);
      // The stalled socket was closed by the server: draining it reaches the end of the stream.
      stalled.setSoTimeout(10_000);
      byte[] buf = new byte[64 * 1024];
      long total = 0;
      try {
        int n;
        while ((n = in.read(buf)) >= 0) total += n;
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server did not close the stalled connection", e);
      } catch (java.net.SocketException e) {
        // reset: closed too
      }
      assertThat(total).isLessThan((long) EVENTS * PAD.length());
    }
  }
}
