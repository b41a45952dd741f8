package dev.realtime.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Writes complete (non-streaming) answers: JSON bodies, errors as {@code {"error": ...}}, and plain
 * text, each with CORS headers and keep-alive handled.
 */
public final class Responses {
  private final Cors cors;

  public Responses(Cors cors) {
    this.cors = cors;
  }

  public Cors cors() {
    return cors;
  }

  public void json(
      ChannelHandlerContext ctx, HttpHeaders request, boolean keepAlive, int status, byte[] json) {
    send(ctx, request, keepAlive, status, "application/json; charset=utf-8", json);
  }

  public void error(
      ChannelHandlerContext ctx,
      HttpHeaders request,
      boolean keepAlive,
      int status,
      String message) {
    write(ctx, error(request, status, message), keepAlive);
  }

  /** An error answer, for a caller that writes it itself: {@code {"error": message}}, CORS. */
  public FullHttpResponse error(HttpHeaders request, int status, String message) {
    byte[] body = ("{\"error\":" + JsonText.quote(message) + "}").getBytes(StandardCharsets.UTF_8);
    return response(
        request, status, "application/json; charset=utf-8", Unpooled.wrappedBuffer(body), h -> {});
  }

  public void send(
      ChannelHandlerContext ctx,
      HttpHeaders request,
      boolean keepAlive,
      int status,
      String contentType,
      byte[] body) {
    send(ctx, request, keepAlive, status, contentType, Unpooled.wrappedBuffer(body), h -> {});
  }

  /**
   * Like the plain send, the body in a buffer (which this takes over); then {@code extra} adds or
   * replaces headers (caching, say).
   */
  public void send(
      ChannelHandlerContext ctx,
      HttpHeaders request,
      boolean keepAlive,
      int status,
      String contentType,
      ByteBuf body,
      Consumer<HttpHeaders> extra) {
    write(ctx, response(request, status, contentType, body, extra), keepAlive);
  }

  private FullHttpResponse response(
      HttpHeaders request,
      int status,
      String contentType,
      ByteBuf body,
      Consumer<HttpHeaders> extra) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), body);
    HttpHeaders h = response.headers();
    headers(request, h, contentType);
    h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    extra.accept(h);
    return response;
  }

  /**
   * The head of an answer whose length is not known when it starts (sent in pieces): chunked to an
   * HTTP/1.1 client; an HTTP/1.0 one, which knows no chunks, reads the body to the connection's
   * close ({@code keepAlive} must then be false).
   */
  public HttpResponse head(
      HttpHeaders request, boolean http11, boolean keepAlive, int status, String contentType) {
    HttpResponse head =
        new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    headers(request, head.headers(), contentType);
    if (http11) HttpUtil.setTransferEncodingChunked(head, true);
    HttpUtil.setKeepAlive(head, keepAlive);
    return head;
  }

  private void headers(HttpHeaders request, HttpHeaders h, String contentType) {
    h.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    if (request != null) cors.apply(request, h);
  }

  /** Writes a whole response; without {@code keepAlive} the connection then closes. */
  public void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    HttpUtil.setKeepAlive(response, keepAlive);
    ended(ctx.writeAndFlush(response), keepAlive);
  }

  /** After the last of an answer was written: without {@code keepAlive}, the connection closes. */
  public static void ended(ChannelFuture written, boolean keepAlive) {
    if (!keepAlive) written.addListener(LINGERING_CLOSE);
  }

  /** How long a closing connection keeps reading (and dropping) what the client still sends. */
  static final long LINGER_MS = 2_000;

  /**
   * Closes after an answer without closing on the client mid-request: the answer may come before
   * the client has sent all of its body (a 413, say), and closing a socket with unread bytes resets
   * the connection, which can throw the answer away before the client reads it. So the server only
   * ends its side (FIN), keeps reading and dropping, and closes when the client does, or after
   * {@link #LINGER_MS}.
   */
  private static final ChannelFutureListener LINGERING_CLOSE =
      f -> {
        if (f.isSuccess()) lingeringClose(f.channel());
        else f.channel().close();
      };

  /** Ends the server's side of {@code ch} now and closes it once the client has (see above). */
  static void lingeringClose(Channel ch) {
    if (!(ch instanceof DuplexChannel duplex)) {
      ch.close();
      return;
    }
    if (duplex.isInputShutdown()) { // the client has ended its side already
      ch.close();
      return;
    }
    duplex.shutdownOutput();
    ch.eventLoop().schedule(() -> ch.close(), LINGER_MS, TimeUnit.MILLISECONDS);
  }
}
