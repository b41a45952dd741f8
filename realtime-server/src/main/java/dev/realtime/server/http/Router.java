package dev.realtime.server.http;

import dev.realtime.server.api.EmitEndpoint;
import dev.realtime.server.api.HealthEndpoint;
import dev.realtime.server.api.HistoryEndpoint;
import dev.realtime.server.api.StatsEndpoint;
import dev.realtime.server.demo.DemoJobs;
import dev.realtime.server.metrics.ServerMetrics;
import dev.realtime.server.pages.StaticFiles;
import dev.realtime.server.sse.SseEndpoint;
import dev.realtime.server.sse.SseStream;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each request to its endpoint by method and path, and turns whatever goes wrong into an
 * answer (see {@link Exchange#fail}). Shared by every connection: it holds no per-request state.
 *
 * <pre>
 * GET  {base}                               the event stream (SSE)
 * POST {base}/channels/{channel}/events     emit to one channel
 * POST {base}/events                        emit to several channels
 * GET  {base}/channels/{channel}/history    read history
 * GET  /healthz, GET /metrics, GET /stats   health, Prometheus metrics, the dashboard's JSON
 * GET  /realtime.js                         the browser client
 * GET  /, /chat, /jobs, /dashboard          the demo pages (unless turned off), /assets/*
 * POST /demo/jobs                           start a demo job (with the pages)
 * </pre>
 */
@ChannelHandler.Sharable
public final class Router extends SimpleChannelInboundHandler<FullHttpRequest> {
  /**
   * The client ended its side of a connection that no longer has a request handler (an event
   * stream): it is gone, so the connection closes. (Connections allow half-closure, so that a
   * client that half-closes after its requests still gets the answers: {@link OneAtATime}.)
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) ctx.close();
    else ctx.fireUserEventTriggered(evt);
  }

  private static final Logger log = LoggerFactory.getLogger(Router.class);

  /** The most query parameters a request may have (a stream of 100 channels needs about 200). */
  static final int MAX_PARAMETERS = 1024;

  private final String base;
  private final String channelsPrefix;
  private final SseEndpoint sse;
  private final EmitEndpoint emit;
  private final HistoryEndpoint history;
  private final HealthEndpoint health;
  private final StatsEndpoint stats;
  private final StaticFiles files;
  private final DemoJobs jobs; // null when the pages are off
  private final Responses responses;
  private final ServerMetrics metrics;

  public Router(
      String basePath,
      SseEndpoint sse,
      EmitEndpoint emit,
      HistoryEndpoint history,
      HealthEndpoint health,
      StatsEndpoint stats,
      StaticFiles files,
      DemoJobs jobs,
      Responses responses,
      ServerMetrics metrics) {
    this.base = basePath;
    this.channelsPrefix = basePath + "/channels/";
    this.sse = sse;
    this.emit = emit;
    this.history = history;
    this.health = health;
    this.stats = stats;
    this.files = files;
    this.jobs = jobs;
    this.responses = responses;
    this.metrics = metrics;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (ctx.channel().attr(SseStream.OF_CHANNEL).get() != null) {
      return; // a request pipelined behind an event stream cannot be answered on it
    }
    if (!request.decoderResult().isSuccess()) {
      // The decoder drops everything after a request it could not read, so the connection can
      // answer nothing more: it closes after this answer, or a keep-alive client would wait.
      Exchange x =
          new Exchange(ctx, request, new QueryStringDecoder("/"), responses, metrics, false);
      Throwable cause = request.decoderResult().cause();
      x.error(
          400,
          cause instanceof TooLongHttpLineException
              ? "the request line is over "
                  + HttpPipeline.MAX_INITIAL_LINE
                  + " bytes, the most accepted: use fewer or shorter channel names"
              : "the request is not valid HTTP/1.1: "
                  + (cause == null || cause.getMessage() == null
                      ? "it could not be read"
                      : cause.getMessage()));
      return;
    }
    String coding = request.headers().get(HttpHeaderNames.TRANSFER_ENCODING);
    if (coding != null) {
      // The aggregator has taken 'chunked' off; what is left is a coding this server does not
      // undo (gzip, say): reading the body as it came would store the compressed bytes (RFC 9112,
      // 6.1: 501). The body was read whole, so the connection can go on.
      new Exchange(ctx, request, new QueryStringDecoder("/"), responses, metrics)
          .error(
              501,
              "Transfer-Encoding '"
                  + coding
                  + "' is not supported: send the body as it is, with Content-Length or"
                  + " 'Transfer-Encoding: chunked'");
      return;
    }
    QueryStringDecoder uri = null;
    String malformed = notAsciiOrNotUtf8(request.uri());
    if (malformed == null) {
      try {
        // One more than accepted, so a query over the bound is refused, not cut short silently.
        // Parameters are separated by '&' only, as browsers' URLSearchParams does: a ';' is part of
        // the value (a channel named a;b), not the start of another parameter.
        uri =
            QueryStringDecoder.builder()
                .charset(StandardCharsets.UTF_8)
                .hasPath(true)
                .maxParams(MAX_PARAMETERS + 1)
                .semicolonIsNormalChar(true)
                .build(originForm(request.uri()));
        uri.path();
        int parameters = 0;
        for (List<String> values : uri.parameters().values()) parameters += values.size();
        if (parameters > MAX_PARAMETERS) {
          malformed = "the query has over " + MAX_PARAMETERS + " parameters, the most accepted";
        }
      } catch (IllegalArgumentException e) {
        malformed = "the request URI is malformed (" + e.getMessage() + "): percent-encode it";
      }
    }
    if (malformed != null) {
      new Exchange(ctx, request, new QueryStringDecoder("/"), responses, metrics)
          .error(400, malformed);
      return;
    }
    Exchange x = new Exchange(ctx, request, uri, responses, metrics);
    try {
      route(x, request.method(), uri.path());
    } catch (RuntimeException e) {
      x.fail(e);
    }
  }

  /**
   * The path and query of a request target: an absolute-form one ({@code http://host/path?q}, which
   * RFC 9112 (3.2.2) has servers accept, as a proxy sends) without its scheme and authority.
   */
  static String originForm(String uri) {
    int scheme = uri.indexOf("://");
    if (scheme < 0 || uri.startsWith("/")) return uri;
    String name = uri.substring(0, scheme).toLowerCase(Locale.ROOT);
    if (!name.equals("http") && !name.equals("https")) return uri;
    int from = scheme + 3, end = uri.length();
    for (int i = from; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c == '/' || c == '?' || c == '#') {
        end = i;
        break;
      }
    }
    String rest = uri.substring(end);
    return rest.startsWith("/") ? rest : "/" + rest;
  }

  /**
   * Why {@code uri} is not a request target whose names read back as sent, or null: a request
   * target is ASCII (raw UTF-8 would be read as Latin-1, storing under a garbled name), and what
   * its percent-escapes spell must be UTF-8 (Netty's decoder would put U+FFFD for what is not, so
   * different names would meet in one channel).
   */
  static String notAsciiOrNotUtf8(String uri) {
    ByteArrayOutputStream bytes = null;
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= 0x20 || c >= 0x7F) {
        return "the request URI has a character that is not printable ASCII ("
            + String.format("U+%04X", (int) c)
            + " at position "
            + i
            + "): percent-encode names as UTF-8";
      }
      if (c == '%' && i + 2 < uri.length()) {
        int hi = Character.digit(uri.charAt(i + 1), 16),
            lo = Character.digit(uri.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) continue; // the decoder names a malformed escape
        if (bytes == null) bytes = new ByteArrayOutputStream(uri.length());
        bytes.write(hi << 4 | lo);
        i += 2;
      } else if (bytes != null) {
        bytes.write(c);
      }
    }
    if (bytes == null) return null;
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()));
      return null;
    } catch (CharacterCodingException e) {
      return "the request URI's percent-escapes are not UTF-8: percent-encode names as UTF-8";
    }
  }

  private void route(Exchange x, HttpMethod method, String path) {
    if (method.equals(HttpMethod.OPTIONS)) {
      DefaultFullHttpResponse r =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
      responses.cors().preflight(x.headers(), r.headers());
      responses.write(x.ctx(), r, HttpUtil.isKeepAlive(x.request()));
      return;
    }
    if (path.equals(base)) {
      expect(method, HttpMethod.GET, path);
      sse.handle(x);
    } else if (path.equals(base + "/events")) {
      expect(method, HttpMethod.POST, path);
      emit.many(x);
    } else if (path.startsWith(channelsPrefix)) {
      String rest = path.substring(channelsPrefix.length());
      int slash = rest.lastIndexOf('/');
      // An empty name (channels//events) goes on, to be refused as a name, not as a path.
      String channel = slash < 0 ? null : rest.substring(0, slash);
      String what = slash < 0 ? "" : rest.substring(slash + 1);
      if (channel != null && what.equals("events")) {
        expect(method, HttpMethod.POST, path);
        emit.one(x, channel);
      } else if (channel != null && what.equals("history")) {
        expectGetOrHead(method, path);
        history.handle(x, channel);
      } else {
        notFound(x, path);
      }
    } else if (path.equals("/healthz")) {
      expectGetOrHead(method, path);
      health.handle(x);
    } else if (path.equals("/metrics")) {
      expectGetOrHead(method, path);
      x.send(
          200,
          "text/plain; version=0.0.4; charset=utf-8",
          metrics.scrape().getBytes(StandardCharsets.UTF_8));
    } else if (path.equals("/stats")) {
      expectGetOrHead(method, path);
      stats.handle(x);
    } else if (files.serves(path)) {
      expectGetOrHead(method, path);
      files.serve(x, path);
    } else if (jobs != null && path.equals("/demo/jobs")) {
      expect(method, HttpMethod.POST, path);
      jobs.start(x);
    } else {
      notFound(x, path);
    }
  }

  private void notFound(Exchange x, String path) {
    x.error(
        404,
        "no such path: "
            + shorten(path)
            + " (the API is GET "
            + base
            + ", POST "
            + base
            + "/events, POST "
            + channelsPrefix
            + "{channel}/events, GET "
            + channelsPrefix
            + "{channel}/history, GET /healthz, GET /metrics, GET /stats, GET /realtime.js"
            + (jobs == null ? "" : "; pages: GET /, /chat, /jobs, /dashboard; POST /demo/jobs")
            + ")");
  }

  private static void expect(HttpMethod actual, HttpMethod expected, String path) {
    if (!actual.equals(expected)) {
      throw HttpError.methodNotAllowed(
          actual + " " + shorten(path) + " is not accepted: use " + expected,
          expected + ", OPTIONS");
    }
  }

  /**
   * A resource that is read: HEAD is answered as GET without the body (Netty's server codec drops
   * the content of an answer to HEAD and keeps its Content-Length), for monitors that probe with
   * it.
   */
  private static void expectGetOrHead(HttpMethod actual, String path) {
    if (!actual.equals(HttpMethod.GET) && !actual.equals(HttpMethod.HEAD)) {
      throw HttpError.methodNotAllowed(
          actual + " " + shorten(path) + " is not accepted: use GET (or HEAD)",
          "GET, HEAD, OPTIONS");
    }
  }

  private static String shorten(String s) {
    return s.length() <= 100 ? s : s.substring(0, 100) + "...";
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    SseStream stream = ctx.channel().attr(SseStream.OF_CHANNEL).get();
    if (stream != null) stream.writabilityChanged();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
