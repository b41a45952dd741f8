package dev.realtime.server.bench;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One keep-alive connection of the emitter with at most one request in flight, and the events
 * waiting for it. Each channel is emitted through one connection only, one request after the other,
 * so the server receives a channel's events in the order of their sequence numbers; two connections
 * in flight on one channel could be appended the other way round, which the bench would then
 * wrongly blame on the server.
 */
final class EmitConnection extends SimpleChannelInboundHandler<FullHttpResponse> {
  private final Emitter emitter;
  private long[] queue = new long[64]; // event numbers, a ring
  private int head;
  private int size;
  private long inFlight = -1;
  private boolean dead;
  Channel channel;

  EmitConnection(Emitter emitter) {
    this.emitter = emitter;
  }

  /** Queues event {@code event} and sends it when the request before it has been answered. */
  void enqueue(long event) {
    if (dead) {
      emitter.failed(event, "the emitter's connection closed");
      return;
    }
    if (size == queue.length) {
      long[] grown = new long[queue.length * 2];
      for (int i = 0; i < size; i++) grown[i] = queue[(head + i) % queue.length];
      queue = grown;
      head = 0;
    }
    queue[(head + size++) % queue.length] = event;
    sendNext();
  }

  private void sendNext() {
    if (inFlight >= 0 || size == 0 || dead) return;
    long event = queue[head];
    head = (head + 1) % queue.length;
    size--;
    inFlight = event;
    channel.writeAndFlush(emitter.request(event), channel.voidPromise());
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
    long event = inFlight;
    inFlight = -1;
    if (event < 0) return;
    if (response.status().code() == 201) {
      emitter.succeeded(event);
    } else {
      String body = response.content().toString(StandardCharsets.UTF_8);
      emitter.failed(
          event,
          "HTTP " + response.status() + " " + body.substring(0, Math.min(200, body.length())));
    }
    sendNext();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    dead = true;
    if (inFlight >= 0) emitter.failed(inFlight, "the emitter's connection closed");
    inFlight = -1;
    for (int i = 0; i < size; i++) {
      emitter.failed(queue[(head + i) % queue.length], "the emitter's connection closed");
    }
    size = 0;
    Arrays.fill(queue, 0);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
