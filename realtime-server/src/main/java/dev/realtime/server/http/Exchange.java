package dev.realtime.server.http;

import dev.realtime.CursorUnavailableException;
import dev.realtime.EngineException;
import dev.realtime.IncompatibleDataException;
import dev.realtime.InvalidNameException;
import dev.realtime.PayloadTooLargeException;
import dev.realtime.RealtimeClosedException;
import dev.realtime.ValidationException;
import dev.realtime.server.auth.AuthException;
import dev.realtime.server.auth.Gatekeeper;
import dev.realtime.server.metrics.ServerMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request and its answer. Turns every failure into a status and a message that says what was
 * wrong: a client's mistake is a 4xx, an engine outage a 503; anything else is a bug of ours,
 * logged and answered 500.
 */
public final class Exchange {
  private static final Logger log = LoggerFactory.getLogger(Exchange.class);

  private final ChannelHandlerContext ctx;
  private final FullHttpRequest request;
  private final QueryStringDecoder uri;
  private final Responses responses;
  private final ServerMetrics metrics;
  private final boolean keepAlive;

  Exchange(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      QueryStringDecoder uri,
      Responses responses,
      ServerMetrics metrics) {
    this(ctx, request, uri, responses, metrics, HttpUtil.isKeepAlive(request));
  }

  /** With {@code keepAlive} false the connection closes after the answer, whatever was asked. */
  Exchange(
      ChannelHandlerContext ctx,
      FullHttpRequest request,
      QueryStringDecoder uri,
      Responses responses,
      ServerMetrics metrics,
      boolean keepAlive) {
    this.ctx = ctx;
    this.request = request;
    this.uri = uri;
    this.responses = responses;
    this.metrics = metrics;
    this.keepAlive = keepAlive;
  }

  public ChannelHandlerContext ctx() {
    return ctx;
  }

  public FullHttpRequest request() {
    return request;
  }

  public HttpHeaders headers() {
    return request.headers();
  }

  public String path() {
    return uri.path();
  }

  public Map<String, List<String>> query() {
    return uri.parameters();
  }

  /** The last value of query parameter {@code name}, or null. */
  public String param(String name) {
    List<String> values = uri.parameters().get(name);
    return values == null || values.isEmpty() ? null : values.get(values.size() - 1);
  }

  public Responses responses() {
    return responses;
  }

  public ServerMetrics metrics() {
    return metrics;
  }

  /** The request as the auth hook sees it. */
  public Gatekeeper.Presented presented() {
    Map<String, List<String>> headers = new HashMap<>();
    for (Map.Entry<String, String> h : request.headers()) {
      headers.computeIfAbsent(h.getKey(), k -> new java.util.ArrayList<>()).add(h.getValue());
    }
    String remote =
        ctx.channel().remoteAddress() instanceof InetSocketAddress a
            ? a.getAddress().getHostAddress()
            : String.valueOf(ctx.channel().remoteAddress());
    return new Gatekeeper.Presented(
        request.method().name(),
        uri.path(),
        headers,
        uri.parameters(),
        remote,
        request.headers().get(HttpHeaderNames.AUTHORIZATION),
        param("token"),
        request.headers().get(HttpHeaderNames.COOKIE));
  }

  public void json(int status, byte[] body) {
    responses.json(ctx, request.headers(), keepAlive, status, body);
  }

  public void send(int status, String contentType, byte[] body) {
    responses.send(ctx, request.headers(), keepAlive, status, contentType, body);
  }

  /** Like {@link #send(int, String, byte[])}, then {@code extra} adds or replaces headers. */
  public void send(int status, String contentType, byte[] body, Consumer<HttpHeaders> extra) {
    responses.send(
        ctx,
        request.headers(),
        keepAlive,
        status,
        contentType,
        Unpooled.wrappedBuffer(body),
        extra);
  }

  /** Like {@link #send(int, String, byte[])}, the body already in a buffer (which this takes). */
  public void send(int status, String contentType, ByteBuf body) {
    responses.send(ctx, request.headers(), keepAlive, status, contentType, body, h -> {});
  }

  /** Whether the request was {@code HEAD}: the codec sends its answer's head only. */
  public boolean isHead() {
    return request.method().equals(HttpMethod.HEAD);
  }

  /**
   * Starts an answer whose length is not known yet, sent in pieces ({@link #piece}, then {@link
   * #end}): chunked, or to an HTTP/1.0 client to the connection's close. Event loop only.
   */
  public void startPieces(int status, String contentType) {
    boolean http11 = request.protocolVersion().equals(HttpVersion.HTTP_1_1);
    piecesKeepAlive = keepAlive && http11;
    ctx.write(
        responses.head(request.headers(), http11, piecesKeepAlive, status, contentType),
        ctx.voidPromise());
  }

  private boolean piecesKeepAlive;

  /** Writes a piece of the answer {@link #startPieces started}; done once the socket took it. */
  public ChannelFuture piece(ByteBuf content) {
    return ctx.writeAndFlush(new DefaultHttpContent(content));
  }

  /** Writes the last piece of the answer {@link #startPieces started}. */
  public void end(ByteBuf last) {
    Responses.ended(ctx.writeAndFlush(new DefaultLastHttpContent(last)), piecesKeepAlive);
  }

  /**
   * Ends an answer {@link #startPieces started} that cannot be finished (the engine failed
   * halfway): the connection closes without the answer's end, so the client sees it cut short, not
   * whole.
   */
  public void abort() {
    ctx.close();
  }

  public void error(int status, String message) {
    metrics.rejected();
    responses.error(ctx, request.headers(), keepAlive, status, message);
  }

  /** Answers {@code failure} with the status it stands for. Safe to call from any thread. */
  public void fail(Throwable failure) {
    fail(failure, "");
  }

  /**
   * Like {@link #fail(Throwable)}, with {@code moreMembers} (JSON text: {@code ,"name":value}...)
   * added to the error object after {@code "error"}.
   */
  public void fail(Throwable failure, String moreMembers) {
    Throwable cause = unwrap(failure);
    if (!ctx.executor().inEventLoop()) {
      ctx.executor().execute(() -> fail(cause, moreMembers));
      return;
    }
    int status = status(cause);
    String message = message(cause);
    if (status == 500) log.error("{} {} failed", request.method(), uri.path(), cause);
    if (cause instanceof HttpError e && e.allow() != null) {
      metrics.rejected();
      FullHttpResponse answer = responses.error(request.headers(), status, message);
      answer.headers().set(HttpHeaderNames.ALLOW, e.allow());
      responses.write(ctx, answer, keepAlive);
    } else if (moreMembers.isEmpty()) {
      error(status, message);
    } else {
      metrics.rejected();
      responses.json(
          ctx,
          request.headers(),
          keepAlive,
          status,
          ("{\"error\":" + JsonText.quote(message) + moreMembers + "}")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  /** The failure inside the {@code CompletionException}s around it. */
  public static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return t;
  }

  /** The status a failure stands for. */
  static int status(Throwable cause) {
    return switch (cause) {
      case HttpError e -> e.status();
      case AuthException e -> e.status();
      case InvalidNameException e -> 400;
      case PayloadTooLargeException e -> 413;
      case ValidationException e -> 422;
      case CursorUnavailableException e -> 410;
      case IncompatibleDataException e -> 409;
      case EngineException e -> 503;
      case RealtimeClosedException e -> 503;
      case IllegalArgumentException e -> 400;
      default -> 500;
    };
  }

  /** What a failure's answer says: what was wrong and, where it helps, what to do. */
  public static String message(Throwable cause) {
    return switch (cause) {
      case IncompatibleDataException e ->
          e.getMessage()
              + ": the channel cannot be used until that data is removed; use another name";
      case EngineException e -> "the engine is unavailable: " + e.getMessage();
      case RealtimeClosedException e ->
          "the server is shutting down (" + e.getMessage() + "); try again later";
      case RuntimeException e when status(e) != 500 -> e.getMessage();
      default -> "the server failed on this request: " + cause;
    };
  }
}
