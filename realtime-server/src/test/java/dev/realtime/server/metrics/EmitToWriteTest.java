package dev.realtime.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code realtime_emit_to_write_seconds} is how late deliveries are: a history replay is counted as
 * deliveries but its age is not recorded as latency (it said how old the history was).
 */
class EmitToWriteTest {
  @Test
  void replayedHistoryIsCountedButNotTimed() throws Exception {
    try (Realtime realtime = Realtime.create();
        RealtimeServer server =
            RealtimeServer.builder(realtime)
                .config(ServerConfig.builder().port(0).build())
                .start()) {
      for (int i = 0; i < 5; i++) realtime.channel("old").emit("n", i);
      Thread.sleep(5); // the replayed events are older than the stream
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
        s.getOutputStream()
            .write(
                "GET /api/realtime?channel=old&last_ack_old=1 HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        StringBuilder got = new StringBuilder();
        byte[] buf = new byte[8192];
        while (count(got, "\"event\":\"n\"") < 5) {
          int n = in.read(buf);
          if (n < 0) break;
          got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        assertThat(count(got, "\"event\":\"n\"")).isEqualTo(5);
        assertThat(server.metrics().deliveries()).isEqualTo(5);
        assertThat(server.metrics().emitToWriteCount()).isZero();

        realtime.channel("old").emit("n", "live");
        await().until(() -> server.metrics().deliveries() == 6);
        assertThat(server.metrics().emitToWriteCount()).isEqualTo(1);
      }
    }
  }

  private static int count(CharSequence s, String what) {
    int n = 0;
    for (int i = s.toString().indexOf(what); i >= 0; i = s.toString().indexOf(what, i + 1)) n++;
    return n;
  }
}
