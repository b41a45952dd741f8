package dev.realtime.server.sse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * The stream of an HTTP/1.0 request, which has no chunked coding (RFC 9112 6.1): each chunk the
 * stream writes goes out as its bare content, and the last (empty) one not at all; the connection's
 * close ends the body. Put first in the pipeline once the head is written, so the frames shared
 * with HTTP/1.1 streams stay as they are.
 */
final class Unchunked extends ChannelOutboundHandlerAdapter {
  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof ByteBuf chunk)) {
      ctx.write(msg, promise);
      return;
    }
    try {
      int at = chunk.readerIndex();
      int size = 0;
      int i = at;
      for (byte b; (b = chunk.getByte(i)) != '\r'; i++) size = size * 16 + Character.digit(b, 16);
      int content = i + 2; // past the size line's CRLF
      if (size == 0) {
        // The last chunk: nothing to send, but its promise completes in order (a close waiting on
        // it must not discard the frames still queued before it).
        ctx.write(Unpooled.EMPTY_BUFFER, promise);
        return;
      }
      ctx.write(chunk.retainedSlice(content, size), promise);
    } finally {
      chunk.release();
    }
  }
}
