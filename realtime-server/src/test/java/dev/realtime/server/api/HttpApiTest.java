package dev.realtime.server.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.HistoryMessage;
import dev.realtime.JsonSchema;
import dev.realtime.Realtime;
import dev.realtime.Schema;
import dev.realtime.server.HttpCalls;
import dev.realtime.server.HttpCalls.Answer;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The emit, history, health and metrics endpoints, and their errors. */
class HttpApiTest {
  final Realtime realtime =
      Realtime.builder()
          .schema(
              Schema.builder()
                  .event(
                      "score",
                      JsonSchema.of(
                          "{\"type\":\"object\",\"required\":[\"points\"],"
                              + "\"properties\":{\"points\":{\"type\":\"integer\"}}}"))
                  .allowUnknownEvents()
                  .build())
          .maxPayloadBytes(2048)
          .build();
  final RealtimeServer server =
      RealtimeServer.builder(realtime).config(ServerConfig.builder().port(0).build()).start();
  final String api = server.url() + "/api/realtime";

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  @Test
  void emitToOneChannelAnswers201WithTheIdAndKeepsTypes() {
    Answer a =
        HttpCalls.post(
            api + "/channels/room-1/events",
            "{\"event\":\"chat.message\",\"data\":{\"text\":\"123\",\"n\":123,\"big\":12345678901234567890,\"x\":1.50}}");
    assertThat(a.status()).isEqualTo(201);
    String id = a.json().get("id").asString();
    List<HistoryMessage> h = realtime.channel("room-1").history();
    assertThat(h).extracting(HistoryMessage::id).containsExactly(id);
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) h.get(0).data();
    assertThat(data.get("text")).isEqualTo("123");
    assertThat(data.get("big").toString()).isEqualTo("12345678901234567890");
    assertThat(new BigDecimal(data.get("x").toString())).isEqualByComparingTo("1.50");
  }

  @Test
  void emitToSeveralChannelsAnswersEveryId() {
    Answer a =
        HttpCalls.post(
            api + "/events",
            "{\"channels\":[\"a\",\"b\"],\"event\":\"notice\",\"data\":\"hello\"}");
    assertThat(a.status()).isEqualTo(201);
    assertThat(a.json().get("ids").get("a").asString())
        .isEqualTo(realtime.channel("a").history().get(0).id());
    assertThat(a.json().get("ids").get("b").asString())
        .isEqualTo(realtime.channel("b").history().get(0).id());
  }

  @Test
  void historyAnswersAJsonArrayWithLimitAndLatest() {
    var ch = realtime.channel("with/slash and space");
    for (int i = 0; i < 5; i++) ch.emit("n", i);
    String path =
        api
            + "/channels/"
            + URLEncoder.encode(ch.name(), StandardCharsets.UTF_8).replace("+", "%20");
    Answer all = HttpCalls.get(path + "/history");
    assertThat(all.status()).isEqualTo(200);
    assertThat(all.json()).hasSize(5);
    assertThat(all.json().get(0).propertyNames()).containsExactly("id", "event", "channel", "data");
    assertThat(HttpCalls.get(path + "/history?limit=2").json())
        .extracting(n -> n.get("data").asInt())
        .containsExactly(0, 1);
    assertThat(HttpCalls.get(path + "/history?limit=2&latest=true").json())
        .extracting(n -> n.get("data").asInt())
        .containsExactly(3, 4);
  }

  @Test
  void errorsSayWhatWasWrongAndWhatIsAccepted() {
    expect(HttpCalls.post(api + "/channels/room/events", "{not json"), 400, "not JSON");
    expect(HttpCalls.post(api + "/channels/room/events", "[1]"), 400, "JSON object");
    expect(HttpCalls.post(api + "/channels/room/events", "{\"data\":1}"), 400, "\"event\"");
    expect(HttpCalls.post(api + "/channels/room/events", "{\"event\":\"a\"}"), 400, "\"data\"");
    expect(
        HttpCalls.post(api + "/channels/room/events", "{\"event\":\"bad name!\",\"data\":1}"),
        400,
        "event name");
    expect(
        HttpCalls.post(
            api + "/channels/room/events", "{\"event\":\"score\",\"data\":{\"points\":\"x\"}}"),
        422,
        "score");
    expect(
        HttpCalls.post(
            api + "/channels/room/events",
            "{\"event\":\"a\",\"data\":\"" + "x".repeat(3000) + "\"}"),
        413,
        "2048");
    expect(HttpCalls.post(api + "/events", "{\"event\":\"a\",\"data\":1}"), 400, "\"channels\"");
    expect(HttpCalls.get(api + "/channels/room/history?limit=0"), 400, "limit '0'");
    expect(HttpCalls.get(api + "/channels/room/history?limit=5000"), 400, "1000");
    expect( // the value sent, not what an int would hold
        HttpCalls.get(api + "/channels/room/history?limit=99999999999"),
        400,
        "limit 99999999999 is over 1000");
    expect(
        HttpCalls.get(api + "/channels/room/history?limit=99999999999999999999"),
        400,
        "too large: at most 1000");
    expect(HttpCalls.get(api + "/channels/room/history?start=" + "9".repeat(30)), 400, "too large");
    expect(HttpCalls.get(api + "/channels/room/history?start=yesterday"), 400, "start");
    expect(HttpCalls.get(api + "/channels/room/history?latest=maybe"), 400, "true or false");
    expect(HttpCalls.get(server.url() + "/nothing/here"), 404, "GET /api/realtime");
    expect(HttpCalls.get(api + "/channels/room/events"), 405, "use POST");
    expect(HttpCalls.post(server.url() + "/api/realtime", "{}"), 405, "use GET");
    expect(
        HttpCalls.post(
            api + "/channels/room/events",
            "{\"event\":\"a\",\"data\":\"" + "x".repeat(1_100_000) + "\"}"),
        413,
        "bytes");
    assertThat(realtime.channel("room").history()).isEmpty();
  }

  /**
   * A body over the bound is answered 413 before the client has sent it all; the server must not
   * reset the connection under the answer (it ends its side and keeps reading until the client
   * closes), or the client sees no answer at all. Repeated, since the race is a matter of timing.
   */
  @Test
  void anOversizedBodyIsAnsweredEveryTimeWhileTheClientIsStillSending() {
    String body = "{\"event\":\"a\",\"data\":\"" + "x".repeat(3_000_000) + "\"}";
    for (int i = 0; i < 30; i++) {
      expect(HttpCalls.post(api + "/channels/room/events", body), 413, "bytes");
    }
  }

  /**
   * A stream of 100 channels with long names fits in a request line; past the bound, a clear 400.
   */
  @Test
  void aHundredLongChannelNamesFitInOneStreamRequest() {
    StringBuilder q = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      String name = "c" + i + "-" + "n".repeat(180);
      q.append("&channel=").append(name).append("&last_ack_").append(name).append("=1-0");
    }
    try (SseRecorder sse = SseRecorder.open(server.url() + "/api/realtime?" + q.substring(1))) {
      assertThat(sse.status()).isEqualTo(200);
      sse.expectType("connected");
    }
    expect(HttpCalls.get(api + "/channels/room/history?x=" + "y".repeat(70_000)), 400, "65536");
  }

  @Test
  void anEmptyChannelNameInThePathIsABadNameAndTooManyParametersAreRefused() {
    expect(HttpCalls.post(api + "/channels//events", "{\"event\":\"a\",\"data\":1}"), 400, "empty");
    expect(HttpCalls.get(api + "/channels//history"), 400, "empty");
    StringBuilder q = new StringBuilder("latest=true");
    for (int i = 0; i < 1030; i++) q.append("&x").append(i).append("=1");
    // Dropped silently before: a limit past the 1,024th parameter was not even looked at.
    expect(HttpCalls.get(api + "/channels/room/history?" + q + "&limit=abc"), 400, "1024");
  }

  /**
   * After a request the decoder could not read, the connection can answer nothing more: it must
   * close after its 400, not leave a keep-alive client waiting for its next answer.
   */
  @Test
  void aConnectionClosesAfterARequestThatIsNotHttp() throws Exception {
    for (String bad :
        List.of(
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n",
            "GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
            "POST /api/realtime/events HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")) {
      String answer = rawUntilClosed(bad + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
      assertThat(answer).startsWith("HTTP/1.1 400").contains("connection: close");
      assertThat(answer).contains("not valid HTTP/1.1").doesNotContain("HTTP/1.1 200");
      assertThat(answer).doesNotContain("Exception"); // what was wrong, not a Java class
    }
    // A preflight that asks for the connection to close gets it closed.
    assertThat(
            rawUntilClosed(
                "OPTIONS /api/realtime HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + "Origin: https://a.example\r\nAccess-Control-Request-Method: GET\r\n\r\n"))
        .startsWith("HTTP/1.1 204");
  }

  /** {@code Expect: 100-continue} over the bound gets the JSON error every other 413 gets. */
  @Test
  void anExpectedBodyOverTheBoundIsAJsonErrorWithCors() throws Exception {
    String answer =
        rawUntilClosed(
            "POST /api/realtime/channels/room/events HTTP/1.1\r\nHost: x\r\n"
                + "Origin: https://a.example\r\nContent-Type: application/json\r\n"
                + "Content-Length: 5000000\r\nExpect: 100-continue\r\n\r\n");
    assertThat(answer)
        .startsWith("HTTP/1.1 413")
        .contains("access-control-allow-origin: *")
        .contains("{\"error\":\"the request body is over ")
        .contains("(Content-Length: 5000000)");
    String other =
        rawUntilClosed(
            "POST /api/realtime/channels/room/events HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: 10\r\nExpect: something-else\r\n\r\n");
    assertThat(other).startsWith("HTTP/1.1 417").contains("'Expect: 100-continue'");
  }

  /** Writes {@code request} and reads until the server closes (fails if it does not in 5 s). */
  private String rawUntilClosed(String request) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      java.io.ByteArrayOutputStream read = new java.io.ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) read.write(buffer, 0, n);
      } catch (java.net.SocketTimeoutException e) {
        throw new AssertionError("the server kept the connection open after: " + read, e);
      } catch (java.net.SocketException e) {
        // reset after the answer: closed too
      }
      return read.toString(StandardCharsets.UTF_8);
    }
  }

  private static void expect(Answer a, int status, String mentions) {
    assertThat(a.status()).as(a.body()).isEqualTo(status);
    assertThat(a.error()).contains(mentions);
    assertThat(a.response().headers().firstValue("access-control-allow-origin")).hasValue("*");
  }

  @Test
  void healthAndMetrics() {
    Answer health = HttpCalls.get(server.url() + "/healthz");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("status").asString()).isEqualTo("ok");
    HttpCalls.post(api + "/channels/room/events", "{\"event\":\"a\",\"data\":1}");
    String metrics = HttpCalls.get(server.url() + "/metrics").body();
    assertThat(metrics)
        .contains("realtime_emits_total 1.0")
        .contains("realtime_open_streams")
        .contains("realtime_deliveries_total")
        .contains("realtime_slow_consumers_dropped_total")
        .contains("realtime_emit_to_write_seconds_bucket");
  }

  /**
   * Query parameters are separated by '&' only, as a browser's URLSearchParams does: a ';' is part
   * of the value, not a second parameter (limit=5;start=1 is a bad limit, not a start).
   */
  @Test
  void aSemicolonInTheQueryIsPartOfTheValue() {
    String id = realtime.channel("a;b").emit("e", 1);
    try (SseRecorder sse = SseRecorder.open(api + "?channel=a;b&last_ack_a;b=0-0")) {
      assertThat(sse.status()).isEqualTo(200);
      assertThat(sse.expectType("connected").json().get("channel").asString()).isEqualTo("a;b");
      assertThat(sse.events(1).get(0).json().get("id").asString()).isEqualTo(id);
    }
    expect(HttpCalls.get(api + "/channels/room/history?limit=5;start=1"), 400, "limit");
  }

  /** Data is kept exactly: a body that is not UTF-8 is refused, not stored with U+FFFD in it. */
  @Test
  void aBodyThatIsNotUtf8IsRefused() throws Exception {
    byte[] latin1 =
        "{\"event\":\"e\",\"data\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
    byte[] overlong = {
      '{', '"', 'e', 'v', 'e', 'n', 't', '"', ':', '"', (byte) 0xC0, (byte) 0xAF, '"'
    };
    byte[] utf16 = "{\"event\":\"e\",\"data\":1}".getBytes(StandardCharsets.UTF_16LE);
    byte[] utf16WithMark = "{\"event\":\"e\",\"data\":1}".getBytes(StandardCharsets.UTF_16);
    for (byte[] body : List.of(latin1, overlong, utf16, utf16WithMark)) {
      var refused =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create(api + "/channels/room/events"))
                      .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                      .header("Content-Type", "application/json")
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
      assertThat(refused.body()).contains("UTF-8");
    }
    assertThat(realtime.channel("room").history()).isEmpty();
    Answer utf8 =
        HttpCalls.post(api + "/channels/room/events", "{\"event\":\"e\",\"data\":\"caf\u00e9\"}");
    assertThat(utf8.status()).isEqualTo(201);
    assertThat(realtime.channel("room").history().get(0).data()).isEqualTo("caf\u00e9");
  }

  /**
   * Health keeps its documented shape when the Realtime behind the server is closed (an embedder
   * closing it first), and its 503 counts as a rejected request like every other error answer.
   */
  @Test
  void healthOfAClosedRealtimeIsTheDocumented503() {
    double rejected = server.metrics().rejectedRequests();
    realtime.close();
    Answer health = HttpCalls.get(server.url() + "/healthz");
    assertThat(health.status()).isEqualTo(503);
    assertThat(health.json().get("status").asString()).isEqualTo("unavailable");
    assertThat(health.json().get("engine").asString()).isEqualTo("unreachable");
    assertThat(health.json().get("error").asString()).contains("closed");
    assertThat(server.metrics().rejectedRequests()).isEqualTo(rejected + 1);
  }

  @Test
  void preflightAllowsTheHeadersBrowsersSend() throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    var r =
        client.send(
            java.net.http.HttpRequest.newBuilder(java.net.URI.create(api))
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://app.example")
                .header("Access-Control-Request-Method", "GET")
                .build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.headers().firstValue("access-control-allow-headers").orElse(""))
        .contains("Authorization")
        .contains("Last-Event-ID");
  }

  /**
   * HEAD is answered like GET without the body on every resource that is read (uptime monitors
   * probe with it), and the connection stays usable: a GET behind it on the same connection gets
   * its whole answer. A method a path does not take is a 405 that lists the ones it does.
   */
  @Test
  void headIsAnsweredLikeGetWithoutTheBodyAndA405SaysWhatIsAllowed() throws Exception {
    realtime.channel("room").emit("a", 1);
    for (String path :
        List.of("/healthz", "/metrics", "/api/realtime/channels/room/history", "/realtime.js")) {
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        socket.setSoTimeout(5_000);
        String request = " " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
        socket.getOutputStream().write(("HEAD" + request + "GET" + request).getBytes(UTF_8));
        DataInputStream in = new DataInputStream(socket.getInputStream());
        Map<String, String> head = readHead(in);
        Map<String, String> get = readHead(in); // straight after: HEAD's answer had no body
        assertThat(head.get("status")).as(path).isEqualTo("200");
        assertThat(get.get("status")).as(path).isEqualTo("200");
        assertThat(head.get("content-type")).as(path).isEqualTo(get.get("content-type"));
        int length = Integer.parseInt(get.get("content-length"));
        assertThat(length).as(path).isPositive();
        if (!path.equals("/metrics")) { // the metrics move between the two answers
          assertThat(head.get("content-length")).as(path).isEqualTo(get.get("content-length"));
        }
        in.readFully(new byte[length]);
      }
    }
    Answer sse = HttpCalls.send("HEAD", server.url() + "/api/realtime?channel=room");
    assertThat(sse.status()).isEqualTo(405);
    assertThat(sse.response().headers().firstValue("allow")).hasValue("GET, OPTIONS");
    Answer post = HttpCalls.post(server.url() + "/healthz", "{}");
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.error()).contains("use GET (or HEAD)");
    assertThat(post.response().headers().firstValue("allow")).hasValue("GET, HEAD, OPTIONS");
  }

  /** The status line's code as "status", then each header by its lower-case name. */
  private static Map<String, String> readHead(DataInputStream in) throws IOException {
    Map<String, String> head = new java.util.HashMap<>();
    String status = readLine(in);
    head.put("status", status.split(" ")[1]);
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      head.put(
          line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).trim());
    }
    return head;
  }

  private static String readLine(DataInputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b = in.read(); b != '\n'; b = in.read()) {
      if (b < 0) throw new EOFException("the connection closed mid-answer after: " + line);
      if (b != '\r') line.append((char) b);
    }
    return line.toString();
  }

  @Test
  void aPercentEncodedChannelThatIsNotUtf8IsRefusedNotReplaced() {
    // Decoded with replacement, %C3 and %E2%82 would both be the channel U+FFFD.
    for (String name : List.of("%C3", "%E2%82", "ok%FF")) {
      Answer a =
          HttpCalls.post(api + "/channels/" + name + "/events", "{\"event\":\"e\",\"data\":1}");
      assertThat(a.status()).as(name + ": " + a.body()).isEqualTo(400);
      assertThat(a.error()).contains("percent-escapes are not UTF-8");
    }
    assertThat(realtime.channel("\uFFFD").history()).isEmpty();
    Answer fine =
        HttpCalls.post(api + "/channels/caf%C3%A9/events", "{\"event\":\"e\",\"data\":1}");
    assertThat(fine.status()).as(fine.body()).isEqualTo(201);
    assertThat(realtime.channel("caf\u00e9").history()).hasSize(1);
  }

  @Test
  void rawNonAsciiInTheRequestTargetIsRefusedNotStoredUnderAGarbledName() throws Exception {
    String body = "{\"event\":\"e\",\"data\":1}";
    byte[] request =
        ("POST /api/realtime/channels/caf\u00e9/events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Length: "
                + body.length()
                + "\r\n\r\n"
                + body)
            .getBytes(StandardCharsets.UTF_8);
    String answer;
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request);
      answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(answer).startsWith("HTTP/1.1 400").contains("not printable ASCII (U+00C3");
    assertThat(realtime.channel("caf\u00c3\u00a9").history()).isEmpty();
  }

  @Test
  void historyAnswersEachEntrysDataAsStoredLikeTheStream() {
    String data = "{\"x\":1.50,\"big\":123456789012345678901234567890.000}";
    Answer emit =
        HttpCalls.post(api + "/channels/dec/events", "{\"event\":\"e\",\"data\":" + data + "}");
    assertThat(emit.status()).isEqualTo(201);
    try (SseRecorder sse = SseRecorder.open(api + "?channel=dec&history=10")) {
      assertThat(sse.events(1).get(0).data()).contains("\"data\":" + data);
    }
    Answer history = HttpCalls.get(api + "/channels/dec/history");
    assertThat(history.body())
        .isEqualTo(
            "[{\"id\":\""
                + emit.json().get("id").asString()
                + "\",\"event\":\"e\",\"channel\":\"dec\",\"data\":"
                + data
                + "}]");
  }

  @Test
  void anAbsoluteFormRequestTargetIsServedLikeItsPath() throws Exception {
    // As a proxy sends it (RFC 9112, 3.2.2: servers must accept it).
    String body = "{\"event\":\"e\",\"data\":7}";
    String answer;
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5_000);
      socket
          .getOutputStream()
          .write(
              ("POST http://127.0.0.1:"
                      + server.port()
                      + "/api/realtime/channels/abs/events HTTP/1.1\r\nHost: x\r\n"
                      + "Connection: close\r\nContent-Length: "
                      + body.length()
                      + "\r\n\r\n"
                      + body)
                  .getBytes(StandardCharsets.US_ASCII));
      answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(answer).startsWith("HTTP/1.1 201");
    assertThat(realtime.channel("abs").history()).hasSize(1);
  }
}
