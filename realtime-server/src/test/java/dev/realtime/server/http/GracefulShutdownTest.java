package dev.realtime.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import dev.realtime.internal.RealRealtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.auth.AuthDecision;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A graceful shutdown lets the requests under way get their answers (a client must not be left
 * guessing whether its emit was stored), refuses streams it would not wait for with a 503 instead
 * of a bare close, and closes idle keep-alive connections at once instead of waiting for them.
 */
class GracefulShutdownTest {
  final CountDownLatch entered = new CountDownLatch(1);
  final CountDownLatch release = new CountDownLatch(1);
  final Realtime realtime = Realtime.create();
  RealtimeServer server;

  @AfterEach
  void close() {
    release.countDown();
    if (server != null) server.close();
    realtime.close();
  }

  /** A server whose authorizer holds every request until {@link #release}. */
  RealtimeServer heldByTheAuthorizer(Duration shutdownTimeout) {
    return RealtimeServer.builder(realtime)
        .config(ServerConfig.builder().port(0).shutdownTimeout(shutdownTimeout).build())
        .authorizer(
            request -> {
              entered.countDown();
              release.await(20, TimeUnit.SECONDS);
              return AuthDecision.allow();
            })
        .start();
  }

  Socket send(String request) throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
    s.setSoTimeout(10_000);
    s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    return s;
  }

  /** Starts the shutdown on another thread; completes with its result. */
  CompletableFuture<Boolean> shutdownInBackground() {
    return CompletableFuture.supplyAsync(server::shutdown);
  }

  @Test
  void anEmitUnderWayGetsItsAnswerAndIsStored() throws Exception {
    server = heldByTheAuthorizer(Duration.ofSeconds(10));
    try (Socket s = send(OneAtATimeTest.emitRequest("held", ""))) {
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Boolean> shutdown = shutdownInBackground();
      Thread.sleep(300); // the shutdown is waiting for the answer now
      assertThat(shutdown).isNotDone();
      release.countDown();
      String answer = readToEnd(s.getInputStream());
      assertThat(answer)
          .startsWith("HTTP/1.1 201 Created")
          .containsIgnoringCase("connection: close");
      assertThat(shutdown.get(10, TimeUnit.SECONDS)).as("drained before the timeout").isTrue();
    }
    assertThat(realtime.channel("held").history()).hasSize(1);
  }

  @Test
  void aStreamAdmittedDuringTheShutdownIsRefusedWith503AndLeavesNoSubscription() throws Exception {
    server = heldByTheAuthorizer(Duration.ofSeconds(10));
    try (Socket s = send("GET /api/realtime?channel=late HTTP/1.1\r\nHost: x\r\n\r\n")) {
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Boolean> shutdown = shutdownInBackground();
      Thread.sleep(300);
      release.countDown();
      String answer = readToEnd(s.getInputStream());
      assertThat(answer)
          .startsWith("HTTP/1.1 503 Service Unavailable")
          .contains("the server is shutting down (its streams are closing); try again later");
      assertThat(shutdown.get(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(((RealRealtime) realtime).fanout().subscriptionCount("late")).isZero();
  }

  @Test
  void idleKeepAliveConnectionsCloseAtOnce() throws Exception {
    server =
        RealtimeServer.builder(realtime)
            .config(ServerConfig.builder().port(0).shutdownTimeout(Duration.ofSeconds(20)).build())
            .start();
    try (Socket s = send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")) {
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      assertThat(new String(buf, 0, in.read(buf), StandardCharsets.US_ASCII))
          .startsWith("HTTP/1.1 200 OK");
      long start = System.nanoTime();
      assertThat(server.shutdown()).isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("time the shutdown waited for an idle connection")
          .isLessThan(Duration.ofSeconds(3));
      assertThat(in.read(buf)).as("the idle connection was closed").isEqualTo(-1);
    }
  }

  @Test
  void anOpenStreamIsToldToReconnectAndTheShutdownWaitsForIt() throws Exception {
    server =
        RealtimeServer.builder(realtime)
            .config(ServerConfig.builder().port(0).shutdownTimeout(Duration.ofSeconds(10)).build())
            .start();
    try (Socket s = send("GET /api/realtime?channel=open HTTP/1.1\r\nHost: x\r\n\r\n")) {
      InputStream in = s.getInputStream();
      StringBuilder got = new StringBuilder();
      byte[] buf = new byte[4096];
      while (!got.toString().contains("\"type\":\"connected\"")) {
        int n = in.read(buf);
        assertThat(n).as("the stream ended before its connected frame: " + got).isPositive();
        got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
      assertThat(server.shutdown()).isTrue();
      assertThat(readToEnd(in)).contains("\"type\":\"reconnect\"");
    }
  }

  @Test
  void aShutdownCalledOnAnEventLoopHandsItsWaitingToAnotherThread() throws Exception {
    // An embedder's subscriber on a direct executor stops the server when told to over HTTP: its
    // onData runs on the event loop answering that emit, where waiting would throw (Netty) or
    // wait for itself.
    try (Realtime direct = Realtime.builder().executor(Runnable::run).build()) {
      server =
          RealtimeServer.builder(direct)
              .config(ServerConfig.builder().port(0).ioThreads(1).build())
              .start();
      CompletableFuture<String> outcome = new CompletableFuture<>();
      direct
          .channel("admin")
          .subscribe(
              Subscribe.toAll()
                  .onData(
                      m -> {
                        String thread = Thread.currentThread().getName();
                        try {
                          outcome.complete(thread + " returned " + server.shutdown());
                        } catch (Throwable t) {
                          outcome.complete(thread + " threw " + t);
                        }
                      }));
      try (Socket s = send(OneAtATimeTest.emitRequest("admin", ""))) {
        assertThat(outcome.get(10, TimeUnit.SECONDS)).endsWith(" returned false");
        assertThat(readToEnd(s.getInputStream()))
            .as("the emit that stopped the server is answered")
            .startsWith("HTTP/1.1 201 Created");
      }
      int port = server.port();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                  return false;
                } catch (IOException refused) {
                  return true;
                }
              });
    }
  }

  /** Everything until the server closes (a 10 s read timeout fails the test). */
  static String readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) >= 0; ) got.write(buf, 0, n);
    return got.toString(StandardCharsets.UTF_8);
  }
}
