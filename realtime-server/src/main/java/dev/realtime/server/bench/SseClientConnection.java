package dev.realtime.server.bench;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * One SSE connection of the bench, on its group's event loop: sends the {@code GET}, hands the
 * stream's bytes to its {@link SseFrameParser} and what that finds to the group, stamped with the
 * time the read arrived (one clock reading per read, however many events it holds).
 */
final class SseClientConnection extends ChannelInboundHandlerAdapter
    implements SseFrameParser.Sink {
  final int channelIndex;
  final SequenceCheck sequence = new SequenceCheck();
  private final SseClients group;
  private final String uri;
  private final SseFrameParser parser = new SseFrameParser(this);
  Channel channel;
  boolean settled; // connected or failed: counted once either way
  boolean open; // got its connected frame
  boolean ended; // the server ended the stream (counted once)
  private String rejected; // the status line of a non-200 answer, until its body arrives
  private long readAt; // when the current read arrived (µs), 0 until an event needs it

  SseClientConnection(SseClients group, int channelIndex, String uri) {
    this.group = group;
    this.channelIndex = channelIndex;
    this.uri = uri;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    DefaultFullHttpRequest get =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.GET, uri, Unpooled.EMPTY_BUFFER);
    get.headers().set(HttpHeaderNames.HOST, group.hostHeader());
    get.headers().set(HttpHeaderNames.ACCEPT, "text/event-stream");
    ctx.writeAndFlush(get, ctx.voidPromise());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpResponse r && r.status().code() != 200) {
        rejected = "HTTP " + r.status();
      }
      if (msg instanceof HttpContent content) {
        if (rejected != null) {
          String body = content.content().toString(StandardCharsets.UTF_8);
          group.failed(this, rejected + " " + body.substring(0, Math.min(200, body.length())));
          ctx.close();
          return;
        }
        readAt = 0;
        parser.read(content.content());
        if (msg instanceof LastHttpContent) {
          group.ended(this);
          ctx.close();
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    parser.reset();
    if (open) group.ended(this);
    else group.failed(this, rejected != null ? rejected : "closed before the connected frame");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!open) group.failed(this, cause.toString());
    ctx.close();
  }

  @Override
  public void connected() {
    if (open || settled) return;
    open = true;
    group.opened(this);
  }

  @Override
  public void event(long seq, long sentMicros) {
    if (readAt == 0) readAt = EpochMicros.now();
    group.delivered(this, seq, sentMicros, readAt);
  }

  @Override
  public void gap() {
    group.gapFrame();
  }

  @Override
  public void error() {
    group.errorFrame();
  }

  @Override
  public void reconnect() {
    group.reconnectFrame();
  }

  @Override
  public void otherControl() {
    group.otherFrame();
  }

  @Override
  public void unparsable() {
    group.unparsable();
  }
}
