package dev.realtime.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.auth.AuthDecision;
import dev.realtime.server.metrics.ServerMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pipelined requests are answered in the order they came (RFC 9112, 9.3.2) whatever each endpoint
 * takes, and connections that send nothing, or stop halfway through a request, are let go.
 */
class OneAtATimeTest {
  final Realtime realtime = Realtime.create();
  RealtimeServer server;

  @AfterEach
  void close() {
    if (server != null) server.close();
    realtime.close();
  }

  /** An authorizer that takes its time (a database look-up): emits and history answer late. */
  RealtimeServer slowAuthorizer(ServerConfig.Builder config) {
    return slowAuthorizer(config, 300);
  }

  RealtimeServer slowAuthorizer(ServerConfig.Builder config, long ms) {
    return RealtimeServer.builder(realtime)
        .config(config.port(0).build())
        .authorizer(
            r -> {
              try {
                Thread.sleep(ms);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return AuthDecision.allow();
            })
        .start();
  }

  RealtimeServer withIdleTimeout(long ms) {
    return RealtimeServer.builder(realtime)
        .config(ServerConfig.builder().port(0).idleTimeout(Duration.ofMillis(ms)).build())
        .start();
  }

  static String emitRequest(String channel, String extraHeaders) {
    String body = "{\"event\":\"e\",\"data\":1}";
    return "POST /api/realtime/channels/"
        + channel
        + "/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length()
        + "\r\n"
        + extraHeaders
        + "\r\n"
        + body;
  }

  @Test
  void pipelinedAnswersComeBackInTheOrderOfTheRequests() throws Exception {
    server = slowAuthorizer(ServerConfig.builder());
    String answer =
        exchange(
            emitRequest("a", "")
                + "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
                + emitRequest("b", "")
                + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            5_000);
    assertThat(statusLines(answer))
        .containsExactly(
            "HTTP/1.1 201 Created", "HTTP/1.1 200 OK", "HTTP/1.1 201 Created", "HTTP/1.1 200 OK");
    assertThat(answer).endsWith("{\"status\":\"ok\",\"engine\":\"reachable\"}");
    assertThat(realtime.channel("a").history()).hasSize(1);
    assertThat(realtime.channel("b").history()).hasSize(1);
  }

  /** A request behind a slow one asks to close: the slow one's answer still comes, first. */
  @Test
  void aPipelinedCloseDoesNotLoseTheAnswerBeforeIt() throws Exception {
    server = slowAuthorizer(ServerConfig.builder());
    String answer =
        exchange(
            emitRequest("a", "") + "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            5_000);
    assertThat(statusLines(answer)).containsExactly("HTTP/1.1 201 Created", "HTTP/1.1 200 OK");
  }

  /** The codec pairs each answer with its request's method: HEAD's has no body, GET's has one. */
  @Test
  void aHeadAnsweredLateKeepsTheBodiesOfTheAnswersAfterIt() throws Exception {
    server = slowAuthorizer(ServerConfig.builder());
    realtime.channel("a").emit("e", "x".repeat(50));
    String answer =
        exchange(
            "HEAD /api/realtime/channels/a/history HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            5_000);
    assertThat(statusLines(answer)).containsExactly("HTTP/1.1 200 OK", "HTTP/1.1 200 OK");
    assertThat(answer).doesNotContain("\"id\":"); // nothing of the history went out
    assertThat(answer).endsWith("{\"status\":\"ok\",\"engine\":\"reachable\"}");
  }

  /** A stream admitted late is answered before what was pipelined behind it, which is dropped. */
  @Test
  void requestsPipelinedBehindAStreamAreNotAnsweredBeforeIt() throws Exception {
    server = slowAuthorizer(ServerConfig.builder());
    String answer =
        exchange(
            "GET /api/realtime?channel=a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
            1_500);
    assertThat(statusLines(answer)).containsExactly("HTTP/1.1 200 OK");
    assertThat(answer).contains("text/event-stream").contains("\"type\":\"connected\"");
    assertThat(answer).doesNotContain("\"status\":\"ok\"");
  }

  /**
   * A client that sends a head and part of its body, then nothing: answered 408 and let go after
   * the idle timeout, and the connection no longer counts as open.
   */
  @Test
  void aRequestThatStopsHalfwayIsAnswered408AndClosed() throws Exception {
    server = withIdleTimeout(500);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /api/realtime/channels/a/events HTTP/1.1\r\nHost: x\r\n"
                  + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                  + "{\"event\":\"e\",\"data\":\"")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long started = System.nanoTime();
      String answer = readToEnd(s.getInputStream());
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(statusLines(answer)).containsExactly("HTTP/1.1 408 Request Timeout");
      assertThat(answer).contains("did not arrive whole within 500 ms");
      assertThat(tookMs).isBetween(400L, 4_000L);
    }
    assertThat(realtime.channel("a").history()).isEmpty();
  }

  /** Between requests, a keep-alive connection that sends nothing is closed at the timeout. */
  @Test
  void anIdleKeepAliveConnectionIsClosed() throws Exception {
    server = withIdleTimeout(500);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      long started = System.nanoTime();
      String answer = readToEnd(s.getInputStream()); // the answer, then the close
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(statusLines(answer)).containsExactly("HTTP/1.1 200 OK");
      assertThat(tookMs).isBetween(400L, 4_000L);
    }
  }

  /** A server with the idle timeout {@code idleMs}, holding about 12 MB of history on channel a. */
  void bigHistory(long idleMs) {
    server = withIdleTimeout(idleMs);
    String big = "x".repeat(500_000);
    for (int i = 0; i < 24; i++) realtime.channel("a").emit("e", big);
  }

  /**
   * Sends GET for the big history, waits {@code firstReadAfterMs}, then reads with {@code pauseMs}
   * between reads of at most 64 KB; returns the Content-Length and the body bytes that came before
   * the end of the answer or of the connection.
   */
  long[] readHistory(long firstReadAfterMs, long pauseMs) throws Exception {
    return readHistory(firstReadAfterMs, pauseMs, Long.MAX_VALUE, 65536, 0);
  }

  /**
   * As above, pausing only for the first {@code slowForMs}, reading {@code readBytes} at most, with
   * a socket receive buffer of {@code receiveBuffer} bytes (0: the system's).
   */
  long[] readHistory(
      long firstReadAfterMs, long pauseMs, long slowForMs, int readBytes, int receiveBuffer)
      throws Exception {
    try (Socket s = new Socket()) {
      if (receiveBuffer > 0) s.setReceiveBufferSize(receiveBuffer);
      s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write(
              "GET /api/realtime/channels/a/history?limit=24 HTTP/1.1\r\nHost: x\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      Thread.sleep(firstReadAfterMs);
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[readBytes];
      long length = -1;
      int headEnd = -1;
      long started = System.nanoTime();
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          got.write(buf, 0, n);
          if (headEnd < 0) {
            String text = got.toString(StandardCharsets.ISO_8859_1);
            headEnd = text.indexOf("\r\n\r\n");
            if (headEnd >= 0) {
              Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(text);
              assertThat(m.find()).isTrue();
              length = Long.parseLong(m.group(1));
            }
          }
          if (headEnd >= 0 && got.size() - headEnd - 4 >= length) break;
          if ((System.nanoTime() - started) / 1_000_000 < slowForMs) Thread.sleep(pauseMs);
        }
      } catch (IOException reset) {
        // the server let the connection go
      }
      return new long[] {length, headEnd < 0 ? 0 : got.size() - headEnd - 4};
    }
  }

  /**
   * An answer counts as given once it is written to the socket, and sending it is not idle time
   * while the client takes some of it every timeout: a client reading 12 MB of history in 64 KB
   * pieces, with pauses, for several idle timeouts in all, gets all of it.
   */
  @Test
  void aLargeAnswerReadSlowlyIsNotCutOffByTheIdleTimeout() throws Exception {
    bigHistory(300);
    long[] answer = readHistory(0, 5);
    assertThat(answer[0]).isGreaterThan(24 * 500_000);
    assertThat(answer[1]).as("body bytes before the end").isEqualTo(answer[0]);
  }

  /**
   * Progress is the client's taking bytes, as TCP sees it: a client reading 16 KB every 50 ms
   * (about 320 KB per idle timeout of 1 s) for 4 s drains the kernel's send buffer long before
   * Netty may write again, and is not cut off for that. (TCP sends more only once the client's
   * window has opened by a segment, 64 KB on loopback, or half of a receive buffer of megabytes:
   * with a 64 KB one, every few reads. Progress can be seen no sooner than that, so idle-timeout
   * must leave a client time to read that much; the default 60 s does.)
   */
  @Test
  void aSlowButSteadyReaderIsNotCutOff() throws Exception {
    bigHistory(1_000);
    long[] answer = readHistory(0, 50, 4_000, 16_384, 65_536);
    assertThat(answer[1]).as("body bytes before the end").isEqualTo(answer[0]);
  }

  /**
   * An answer whose write fails while the connection stays open (an encoder that throws) never
   * reaches the client: passing the next request on would make its answer read as the lost one's.
   * The connection closes instead.
   */
  @Test
  void aFailedAnswerWriteClosesTheConnection() {
    List<String> passed = new ArrayList<>();
    EmbeddedChannel ch =
        new EmbeddedChannel(
            new ChannelOutboundHandlerAdapter() {
              boolean failed;

              @Override
              public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (!failed) { // the first answer cannot be encoded
                  failed = true;
                  ReferenceCountUtil.release(msg);
                  promise.setFailure(new IllegalStateException("encoder failed"));
                  return;
                }
                ctx.write(msg, promise);
              }
            },
            new OneAtATime(new Responses(new Cors(List.of())), new ServerMetrics(), 0, () -> false),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest r) passed.add(r.uri());
                ReferenceCountUtil.release(msg);
              }
            });
    ch.writeInbound(get("/one"), LastHttpContent.EMPTY_LAST_CONTENT);
    ch.writeInbound(get("/two"), LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(passed).containsExactly("/one");
    ch.writeAndFlush(
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(new byte[] {'1'})));
    ch.runPendingTasks();
    assertThat(ch.isOpen()).isFalse();
    assertThat(passed).containsExactly("/one");
    ch.finishAndReleaseAll();
  }

  static HttpRequest get(String uri) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  /** A client that stops reading an answer holds it in the server's memory: it is let go. */
  @Test
  void aClientThatStopsReadingAnAnswerIsLetGo() throws Exception {
    bigHistory(300);
    long[] answer = readHistory(2_000, 0); // nothing read for over six idle timeouts
    assertThat(answer[0]).isGreaterThan(24 * 500_000);
    assertThat(answer[1]).as("body bytes before the close").isLessThan(answer[0]);
  }

  /**
   * The time an endpoint takes to answer is not idle time: an authorizer slower than the timeout
   * still gets its answer out, and an open stream is never timed out.
   */
  @Test
  void answeringAndStreamingAreNotIdle() throws Exception {
    server =
        slowAuthorizer(
            ServerConfig.builder().idleTimeout(Duration.ofMillis(200)).heartbeat(Duration.ZERO),
            600);
    String emitted = exchange(emitRequest("a", "Connection: close\r\n"), 5_000);
    assertThat(statusLines(emitted)).containsExactly("HTTP/1.1 201 Created");

    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(5_000);
      s.getOutputStream()
          .write("GET /api/realtime?channel=a HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      InputStream in = s.getInputStream();
      StringBuilder got = new StringBuilder();
      byte[] buf = new byte[4096];
      while (!got.toString().contains("\"type\":\"connected\"")) {
        int n = in.read(buf);
        assertThat(n).isPositive();
        got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
      Thread.sleep(1_000); // five idle timeouts without a byte either way
      String id = realtime.channel("a").emit("late", 2);
      StringBuilder after = new StringBuilder();
      while (!after.toString().contains(id)) {
        int n = in.read(buf);
        assertThat(n).as("the stream was closed").isPositive();
        after.append(new String(buf, 0, n, StandardCharsets.UTF_8));
      }
    }
  }

  /**
   * While a request waits, the connection is not read; but what one read brought is decoded at once
   * (2 KB for a new connection: here about 90 tiny requests). Past {@link OneAtATime#MAX_WAITING}
   * waiting requests the client is cut off, not buffered without bound.
   */
  @Test
  void aConnectionPipeliningWithoutEndIsClosed() throws Exception {
    server = slowAuthorizer(ServerConfig.builder());
    String many =
        emitRequest("a", "") + "GET /x HTTP/1.1\r\n\r\n".repeat(OneAtATime.MAX_WAITING + 10);
    String answer = exchange(many, 5_000);
    assertThat(statusLines(answer)).isEmpty(); // closed before the first answer was ready
  }

  /**
   * A transfer coding the server does not undo (gzip) is a 501, not a body read as it came; plain
   * chunked bodies are read, and the connection goes on after either.
   */
  @Test
  void aTransferCodingOtherThanChunkedIs501() throws Exception {
    server = slowAuthorizer(ServerConfig.builder(), 0);
    String body = "{\"event\":\"e\",\"data\":1}";
    String chunked = Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
    String head = "POST /api/realtime/channels/a/events HTTP/1.1\r\nHost: x\r\n";
    String answer =
        exchange(
            head
                + "Transfer-Encoding: gzip, chunked\r\n\r\n"
                + chunked
                + head
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + chunked,
            5_000);
    assertThat(statusLines(answer))
        .containsExactly("HTTP/1.1 501 Not Implemented", "HTTP/1.1 201 Created");
    assertThat(answer).contains("Transfer-Encoding 'gzip, chunked' is not supported");
    assertThat(realtime.channel("a").history()).hasSize(1);
  }

  static List<String> statusLines(String answer) {
    List<String> lines = new ArrayList<>();
    Matcher m = Pattern.compile("HTTP/1\\.1 \\d{3}[^\r\n]*").matcher(answer);
    while (m.find()) lines.add(m.group());
    return lines;
  }

  /** Sends bytes, returns what came back until the server closed or {@code quietMs} of silence. */
  String exchange(String requests, int quietMs) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      s.setSoTimeout(quietMs);
      OutputStream out = s.getOutputStream();
      out.write(requests.getBytes(StandardCharsets.UTF_8));
      out.flush();
      return readToEnd(s.getInputStream());
    }
  }

  static String readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) got.write(buf, 0, n);
    } catch (SocketTimeoutException quiet) {
      // nothing more
    }
    return got.toString(StandardCharsets.UTF_8);
  }
}
