package dev.realtime.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.auth.AuthDecision;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Seeded stress of request order: several connections each pipeline a random mix of emits, history
 * reads, HEADs, health checks and 404s, written in random pieces, while an authorizer takes a
 * random time for each. Every answer must be the one of the request at its place, whole (HEAD
 * without a body), and every emit stored once.
 */
class PipeliningStressTest {
  static final int CONNECTIONS = 8;
  static final int REQUESTS = 25;

  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime)
          .config(ServerConfig.builder().port(0).build())
          .authorizer(
              request -> {
                try {
                  Thread.sleep(ThreadLocalRandom.current().nextInt(15));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return AuthDecision.allow();
              })
          .start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  /** One request and what its answer must be. */
  record Expected(String method, String request, int status, String bodyHas) {}

  @Test
  void everyPipelinedRequestGetsItsOwnAnswerInOrder() throws Exception {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("PipeliningStressTest seed=" + seed);
    for (int k = 0; k < 5; k++) realtime.channel("h" + k).emit("e", "h" + k);
    Random seeds = new Random(seed);
    List<Future<List<String>>> done = new ArrayList<>();
    try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < CONNECTIONS; c++) {
        long connectionSeed = seeds.nextLong();
        int connection = c;
        done.add(clients.submit(() -> connection(connection, new Random(connectionSeed), seed)));
      }
      List<String> emitted = new ArrayList<>();
      for (Future<List<String>> f : done) emitted.addAll(f.get());
      assertThat(emitted).isNotEmpty();
      for (String channel : emitted) {
        assertThat(realtime.channel(channel).history())
            .as("events stored on %s (seed %d)", channel, seed)
            .hasSize(1);
      }
    }
  }

  /** Sends one connection's requests and checks its answers; returns the channels it emitted to. */
  private List<String> connection(int connection, Random r, long seed) throws IOException {
    List<Expected> expected = new ArrayList<>();
    List<String> emitted = new ArrayList<>();
    StringBuilder wire = new StringBuilder();
    for (int i = 0; i < REQUESTS; i++) {
      boolean last = i == REQUESTS - 1;
      String close = last ? "Connection: close\r\n" : "";
      int k = r.nextInt(5);
      Expected e =
          switch (r.nextInt(5)) {
            case 0 -> {
              emitted.add("e" + connection + "x" + i);
              String body = "{\"event\":\"e\",\"data\":" + i + "}";
              yield new Expected(
                  "POST",
                  "POST /api/realtime/channels/e"
                      + connection
                      + "x"
                      + i
                      + "/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      + "Content-Length: "
                      + body.length()
                      + "\r\n"
                      + close
                      + "\r\n"
                      + body,
                  201,
                  "{\"id\":\"");
            }
            case 1 ->
                new Expected(
                    "GET",
                    "GET /api/realtime/channels/h"
                        + k
                        + "/history HTTP/1.1\r\nHost: x\r\n"
                        + close
                        + "\r\n",
                    200,
                    "\"data\":\"h" + k + "\"");
            case 2 ->
                new Expected(
                    "HEAD",
                    "HEAD /api/realtime/channels/h"
                        + k
                        + "/history HTTP/1.1\r\nHost: x\r\n"
                        + close
                        + "\r\n",
                    200,
                    "");
            case 3 ->
                new Expected(
                    "GET",
                    "GET /healthz HTTP/1.1\r\nHost: x\r\n" + close + "\r\n",
                    200,
                    "\"status\":\"ok\"");
            default ->
                new Expected(
                    "GET",
                    "GET /nope" + i + " HTTP/1.1\r\nHost: x\r\n" + close + "\r\n",
                    404,
                    "/nope" + i + " ");
          };
      expected.add(e);
      wire.append(e.request());
    }
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(20_000);
      OutputStream out = s.getOutputStream();
      byte[] bytes = wire.toString().getBytes(StandardCharsets.UTF_8);
      for (int at = 0; at < bytes.length; ) { // in random pieces, with pauses between some
        int n = Math.min(bytes.length - at, 1 + r.nextInt(300));
        out.write(bytes, at, n);
        out.flush();
        at += n;
        if (r.nextInt(4) == 0) sleep(r.nextInt(4));
      }
      InputStream in = new BufferedInputStream(s.getInputStream());
      for (int i = 0; i < expected.size(); i++) {
        Expected e = expected.get(i);
        String what = "connection " + connection + ", request " + i + " (seed " + seed + ")";
        String statusLine = line(in);
        assertThat(statusLine).as(what).startsWith("HTTP/1.1 " + e.status() + " ");
        int length = -1;
        for (String h; !(h = line(in)).isEmpty(); ) {
          if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
            length = Integer.parseInt(h.substring(15).strip());
          }
        }
        assertThat(length).as(what).isNotNegative();
        if (e.method().equals("HEAD")) continue; // no body, whatever its length says
        String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
        assertThat(body).as(what).contains(e.bodyHas());
      }
      assertThat(in.read()).as("nothing after the last answer (seed %d)", seed).isEqualTo(-1);
    }
    return emitted;
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) throw new IOException("the connection ended mid-answer");
      if (c != '\r') b.write(c);
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static void sleep(int ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
