package dev.realtime.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Thousands of malformed requests, seeded ({@code -Dseed=} replays): none is answered 500, none
 * takes the server down, and streams opened before them keep flowing.
 */
class MalformedRequestsFuzzTest {
  static final int REQUESTS = 3000;
  static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "HEAD", "G@T", "");
  static final List<String> PATHS =
      List.of(
          "/api/realtime",
          "/api/realtime/events",
          "/api/realtime/channels/%s/events",
          "/api/realtime/channels/%s/history",
          "/api/realtime/channels/",
          "/api/realtime/channels//events",
          "/healthz",
          "/metrics",
          "/%s",
          "");
  static final List<String> PARAMS =
      List.of(
          "channel", "last_ack_", "events", "history", "limit", "start", "end", "latest", "token");

  final Realtime realtime = Realtime.builder().maxPayloadBytes(4096).build();
  final RealtimeServer server =
      RealtimeServer.builder(realtime)
          .config(ServerConfig.builder().port(0).maxRequestBytes(8192).build())
          .start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  @Test
  void noMalformedRequestGetsA500OrDisturbsOtherStreams() throws Exception {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("MalformedRequestsFuzzTest seed=" + seed);
    Random random = new Random(seed);
    try (SseRecorder a = SseRecorder.open(server.url() + "/api/realtime?channel=a");
        SseRecorder b = SseRecorder.open(server.url() + "/api/realtime?channel=b&channel=a")) {
      a.expectType("connected");
      b.expectType("connected");
      b.expectType("connected");
      Map<Integer, Integer> statuses = new TreeMap<>();
      for (int i = 0; i < REQUESTS; i++) {
        byte[] request = request(random);
        int status = send(request);
        statuses.merge(status, 1, Integer::sum);
        assertThat(status)
            .as(
                "seed %d, request %d: %s",
                seed, i, new String(request, StandardCharsets.ISO_8859_1))
            .isNotEqualTo(500);
      }
      System.out.println("  statuses " + statuses + " (0: closed without an answer)");
      assertThat(statuses.keySet()).contains(400, 404);
      String id = realtime.channel("a").emit("n", "still here");
      assertThat(a.events(1).get(0).id()).isEqualTo(id);
      assertThat(b.events(1).get(0).json().get("id").asString()).isEqualTo(id);
    }
  }

  private byte[] request(Random r) {
    if (r.nextInt(20) == 0) return randomBytes(r, 1 + r.nextInt(300)); // not HTTP at all
    String method = METHODS.get(r.nextInt(METHODS.size()));
    String path = PATHS.get(r.nextInt(PATHS.size())).replace("%s", junk(r, 12));
    StringBuilder query = new StringBuilder();
    for (int i = r.nextInt(5); i > 0; i--) {
      String name = PARAMS.get(r.nextInt(PARAMS.size()));
      if (name.equals("last_ack_")) name += junk(r, 5);
      query.append(query.length() == 0 ? "?" : "&").append(name).append('=').append(junk(r, 20));
    }
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(path).append(query).append(" HTTP/1.1\r\n");
    head.append("Host: fuzz\r\n");
    if (r.nextBoolean()) head.append("Last-Event-ID: ").append(junk(r, 30)).append("\r\n");
    if (r.nextInt(4) == 0) head.append("Authorization: ").append(junk(r, 30)).append("\r\n");
    if (r.nextInt(10) == 0) head.append(junk(r, 10)).append("\r\n"); // a broken header line
    byte[] body = body(r);
    int declared = r.nextInt(8) == 0 ? r.nextInt(100) : body.length;
    if (body.length > 0 || r.nextBoolean()) {
      head.append("Content-Length: ").append(declared).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
    out.writeBytes(body);
    return out.toByteArray();
  }

  private static byte[] body(Random r) {
    return switch (r.nextInt(8)) {
      case 0 -> new byte[0];
      case 1 -> randomBytes(r, r.nextInt(200));
      case 2 -> "{\"event\":\"x\",\"data\":".getBytes(StandardCharsets.UTF_8);
      case 3 ->
          ("{\"event\":" + junk(r, 8) + ",\"data\":" + junk(r, 8) + "}")
              .getBytes(StandardCharsets.UTF_8);
      case 4 ->
          ("{\"channels\":[" + junk(r, 8) + "],\"event\":\"e\",\"data\":1}")
              .getBytes(StandardCharsets.UTF_8);
      case 5 ->
          ("{\"event\":\"e\",\"data\":\"" + "x".repeat(5000) + "\"}")
              .getBytes(StandardCharsets.UTF_8);
      case 6 -> new byte[9000]; // over the request bound
      default -> "[[[[[[[[[[[[[[[[[[[[".getBytes(StandardCharsets.UTF_8);
    };
  }

  /** Random text: percent escapes (valid and broken), controls, quotes, unicode, separators. */
  private static String junk(Random r, int max) {
    String alphabet = "ab9-_.:,%/?&=#\"'\\{}[] \t+éδ\u0000\u0007";
    StringBuilder b = new StringBuilder();
    for (int i = r.nextInt(max + 1); i > 0; i--) {
      if (r.nextInt(6) == 0) b.append('%').append(Integer.toHexString(r.nextInt(256)));
      else b.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  private static byte[] randomBytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  /** Sends one request on a new connection; the status answered, or 0 when closed without one. */
  private int send(byte[] request) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
      s.setSoTimeout(2000);
      try {
        s.getOutputStream().write(request);
        s.shutdownOutput(); // a request short of its declared body ends here
      } catch (IOException e) {
        return 0; // the server closed first (an oversized body, say)
      }
      InputStream in = s.getInputStream();
      byte[] line = new byte[12];
      int n = 0;
      try {
        while (n < 12) {
          int k = in.read(line, n, 12 - n);
          if (k < 0) break;
          n += k;
        }
      } catch (SocketTimeoutException e) {
        return 0; // a request still waiting for its declared body: the server rightly waits
      } catch (IOException e) {
        return 0;
      }
      if (n < 12) return 0;
      String status = new String(line, StandardCharsets.ISO_8859_1);
      assertThat(status).startsWith("HTTP/1.1 ");
      return Integer.parseInt(status.substring(9, 12));
    }
  }
}
