package dev.realtime.server.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Realtime;
import dev.realtime.server.HttpCalls;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream ended with a reconnect frame (max-duration here; token expiry, a lost feed and shutdown
 * take the same path, SseStream.end) while its client does not read: the last chunk's write never
 * completes, so the connection is closed after the slow-consumer wait instead of staying open for
 * good (the stream's own heartbeat and slow-consumer check ended with it).
 */
class StalledStreamEndTest {
  static final String PAD = "x".repeat(16 * 1024);

  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime)
          .config(
              ServerConfig.builder()
                  .port(0)
                  .maxBufferedBytes(64 * 1024)
                  .maxDuration(Duration.ofSeconds(2))
                  .build())
          .start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  int connections() {
    return HttpCalls.get(server.url() + "/stats").json().get("connections").asInt();
  }

  @Test
  void aStalledClientIsClosedAfterItsReconnectFrame() throws Exception {
    try (Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(4096);
      stalled.connect(new InetSocketAddress("127.0.0.1", server.port()));
      stalled
          .getOutputStream()
          .write(
              "GET /api/realtime?channel=room HTTP/1.1\r\nHost: x\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = stalled.getInputStream();
      assertThat(in.read(new byte[64])).isPositive(); // started; reads no more
      await().until(() -> server.metrics().openStreams() == 1);
      var ch = realtime.channel("room");
      for (int i = 0; i < 400; i++) ch.emit("n", Map.of("i", i, "pad", PAD));
      // The deadline (2 s) ends the stream well before the 5 s slow-consumer limit.
      await().atMost(Duration.ofSeconds(5)).until(() -> server.metrics().openStreams() == 0);
      assertThat(server.metrics().slowConsumersDropped()).isZero();
      // Closed within the slow-consumer wait after its reconnect frame (counted: this /stats call).
      await()
          .atMost(Duration.ofMillis(SseStream.SLOW_CONSUMER_WAIT_MS + 5_000))
          .until(() -> connections() == 1);
    }
  }
}
