package dev.realtime.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.internal.RealRealtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.auth.AuthDecision;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream request whose admission (an authorizer here; a slow engine subscribe likewise) completes
 * after the server shut down: it must leave no subscription on the embedder's Realtime, which the
 * server does not close (the stream's feed is a core subscription, and the server's event loops,
 * which would have run its close, are gone).
 */
class ShutdownDuringAdmissionTest {
  final CountDownLatch entered = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime)
          // The shutdown waits for the request under way this long, then closes it.
          .config(ServerConfig.builder().port(0).shutdownTimeout(Duration.ofMillis(300)).build())
          .authorizer(
              request -> {
                entered.countDown();
                release.await(10, TimeUnit.SECONDS);
                return AuthDecision.allow();
              })
          .start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  int subscriptions(String channel) {
    return ((RealRealtime) realtime).fanout().subscriptionCount(channel);
  }

  @Test
  void aStreamAdmittedAfterShutdownLeavesNoSubscriptionBehind() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
      socket
          .getOutputStream()
          .write(
              "GET /api/realtime?channel=late HTTP/1.1\r\nHost: x\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      server.close(); // the embedder stops its server; its Realtime lives on
      release.countDown();
      Thread.sleep(1_000); // what the admission went on to do, it has done by now
      assertThat(subscriptions("late"))
          .as("core subscriptions the closed server left on channel 'late'")
          .isZero();
    }
  }
}
