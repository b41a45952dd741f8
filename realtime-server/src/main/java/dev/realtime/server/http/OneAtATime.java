package dev.realtime.server.http;

import dev.realtime.server.metrics.ServerMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One request at a time per connection, and no connection held by a client that sends nothing.
 *
 * <p><b>Order.</b> HTTP/1.1 lets a client send requests without waiting for the answers
 * (pipelining); the answers must come back in the order of the requests (RFC 9112, 9.3.2), and the
 * codec pairs each answer with the method of the request at its place (HEAD, whose answer has no
 * body). Endpoints answer when they are done, some at once, some later (an authorizer, the Redis
 * engine), so this handler passes a request on only once the answer to the one before it has been
 * written; the ones behind it wait here, in order, with reading paused. It sits between the codec
 * and the body aggregator, so the aggregator's own answers (413, 100-continue) are in the same
 * order. A connection that pipelines more than {@link #MAX_WAITING} requests is closed.
 *
 * <p><b>Time.</b> A connection with no request under way is closed after the idle timeout (a
 * keep-alive connection nobody uses, or a request head that never ends), and a request whose body
 * has not all arrived that long after its head is answered 408 and closed (a client that sends a
 * body slowly, or stops halfway). Time spent answering does not count, nor does sending the answer
 * as long as the client takes some of it every timeout; zero turns all of this off. A connection
 * that becomes an event stream leaves this handler, and with it these limits.
 *
 * <p><b>Shutdown.</b> Once the server drains ({@link HttpPipeline#drain}), a connection with no
 * request under way closes at once; one with a request under way gets its answer, marked {@code
 * Connection: close}, and then closes; what was pipelined behind it is not answered.
 */
final class OneAtATime extends ChannelDuplexHandler {
  static final int MAX_WAITING = 64;

  /** The user event that tells a connection the server drains. */
  static final Object DRAIN = new Object();

  private final Responses responses;
  private final BooleanSupplier draining;
  private final ServerMetrics metrics;
  private final long idleMs; // 0: no limit
  private final ArrayDeque<Object> waiting = new ArrayDeque<>(); // decoded parts not yet passed on
  private int waitingRequests;
  private boolean answering; // a request was passed on and its answer is not yet written
  private boolean receiving; // the request passed on has not all arrived yet
  private HttpHeaders receivingHeaders; // its headers, for a 408's CORS
  private boolean closing; // an answer said Connection: close: nothing more is passed on
  private boolean inputEnded; // the client half-closed: nothing more will come
  private ScheduledFuture<?> timer;

  OneAtATime(Responses responses, ServerMetrics metrics, long idleMs, BooleanSupplier draining) {
    this.responses = responses;
    this.draining = draining;
    this.metrics = metrics;
    this.idleMs = idleMs;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) idle(ctx);
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    idle(ctx);
    ctx.fireChannelActive();
    if (draining.getAsBoolean()) drain(ctx); // accepted just before the listener closed
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == DRAIN) drain(ctx);
    else if (evt instanceof ChannelInputShutdownEvent) inputEnded(ctx);
    else ctx.fireUserEventTriggered(evt);
  }

  /**
   * The client ended its side (a half-close: it sent everything it will send and waits for the
   * answers): what it sent whole is answered, in order, and then the connection closes. A request
   * whose body had not all come never will: the connection closes at once, as it does when nothing
   * is under way.
   */
  private void inputEnded(ChannelHandlerContext ctx) {
    inputEnded = true;
    if (answering && !receiving) return; // next() closes once what was sent is answered
    closing = true;
    drop();
    ctx.close();
  }

  /** The server drains: close now unless an answer is under way (that one closes after it). */
  private void drain(ChannelHandlerContext ctx) {
    // Answering: that answer is the last. Closing: its lingering close is under way already.
    if (answering || closing || ctx.isRemoved()) return;
    closing = true;
    drop();
    ctx.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!waiting.isEmpty() || behindTheCurrent(msg)) {
      if (msg instanceof HttpRequest && ++waitingRequests > MAX_WAITING) {
        ReferenceCountUtil.release(msg);
        closing = true;
        ctx.close(); // a client that pipelines without end gets no more answers
        return;
      }
      waiting.add(msg);
      ctx.channel().config().setAutoRead(false); // the socket holds the rest
      return;
    }
    pass(ctx, msg);
  }

  /**
   * Whether {@code msg} must wait: the rest of the request under way goes on, a next request waits
   * for the answer to this one.
   */
  private boolean behindTheCurrent(Object msg) {
    return answering && !(receiving && !(msg instanceof HttpRequest));
  }

  /** Passes one decoded part on, noting where the request under way stands. */
  private void pass(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      answering = true;
      receiving = true;
      receivingHeaders = request.headers();
      schedule(ctx, () -> requestTimedOut(ctx));
    }
    if (msg instanceof LastHttpContent && receiving) {
      receiving = false;
      receivingHeaders = null;
      cancelTimer(); // answering: the endpoint's own time does not count
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    boolean ends = msg instanceof LastHttpContent && !interim(msg) && answering;
    if (msg instanceof HttpResponse response && !interim(msg) && draining.getAsBoolean()) {
      HttpUtil.setKeepAlive(response, false); // the last answer on this connection: say so
    }
    if (msg instanceof HttpResponse response && !HttpUtil.isKeepAlive(response)) closing = true;
    if (!ends) {
      if (answering && msg instanceof HttpContent && !interim(msg)) {
        // A piece of an answer sent in pieces: the client must take it as it must take the last.
        ChannelPromise sent = promise.unvoid();
        ctx.write(msg, sent);
        if (!sent.isDone()) watchSending(ctx);
        return;
      }
      ctx.write(msg, promise);
      return;
    }
    if (receiving) {
      // Answered before the body all came (a 413, say): what is left of it waits, and goes on to
      // the aggregator, which drops it, or is dropped with the connection.
      receiving = false;
      receivingHeaders = null;
    }
    // The answer counts as given once it is written to the socket, not when it is handed to
    // Netty: until then the next request waits (a large answer read slowly holds back what was
    // pipelined behind it), and no idle time runs (it would cut the answer off).
    ChannelPromise sent = promise.unvoid();
    sent.addListener(
        f -> {
          if (!f.isSuccess()) {
            // The client never got this answer: one passed on after it would read as its answer.
            closing = true;
            ctx.close();
            return;
          }
          execute(
              ctx,
              () -> { // not from inside the write: the next answer may be written at once
                answering = false;
                sending = null;
                if (draining.getAsBoolean() && !ctx.isRemoved()) {
                  closing = true; // the answer went out: the connection closes with it
                  drop();
                  // Reading again (a pipelined request paused it), so the lingering close sees
                  // the client's end instead of waiting out its time.
                  ctx.channel().config().setAutoRead(true);
                  Responses.lingeringClose(ctx.channel());
                  return;
                }
                next(ctx);
              });
        });
    ctx.write(msg, sent);
    if (!sent.isDone()) watchSending(ctx);
  }

  private void watchSending(ChannelHandlerContext ctx) {
    execute(ctx, () -> moved(ctx)); // where the sending stands once the write is flushed
    watchProgress(ctx);
  }

  private static void execute(ChannelHandlerContext ctx, Runnable task) {
    try {
      ctx.executor().execute(task);
    } catch (RejectedExecutionException shuttingDown) {
      // the event loop is going away, and the connection with it
    }
  }

  /**
   * While an answer is being sent, the client must take some of it every idle timeout: one that
   * stops reading (and so holds the answer in the server's memory) is let go, one that reads slowly
   * is not.
   */
  private void watchProgress(ChannelHandlerContext ctx) {
    schedule(
        ctx,
        () -> {
          if (!answering) return;
          // Nothing waiting to be sent: the answer's next piece is being made (read from the
          // engine), which is not the client's doing.
          if (moved(ctx) || nothingToSend(ctx)) watchProgress(ctx);
          else ctx.close();
        });
  }

  private Object sending; // the message at the head of the outbound buffer at the last look
  private int sendingIndex; // and how far into it the socket had taken

  /**
   * Whether the client took bytes since the last look. Netty's side moves only when the kernel's
   * send buffer has room again, which Linux says once a good part of it (megabytes) has drained: a
   * client reading slowly drains it for a long while before that. So on epoll the kernel's own
   * account counts too: it sent new data within the timeout (a client that reads nothing gets only
   * window probes, which are not new data). Otherwise: the message at the head of the outbound
   * buffer changed, or (a large body goes out in pieces) its reader index moved.
   */
  private boolean moved(ChannelHandlerContext ctx) {
    ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
    Object current = out == null ? null : out.current();
    int index = current instanceof ByteBuf b ? b.readerIndex() : -1;
    boolean moved = current != sending || index != sendingIndex;
    sending = current;
    sendingIndex = index;
    if (!moved && ctx.channel() instanceof EpollSocketChannel socket && socket.isActive()) {
      moved = socket.tcpInfo().lastDataSent() < idleMs;
    }
    return moved;
  }

  private static boolean nothingToSend(ChannelHandlerContext ctx) {
    ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
    return out == null || out.isEmpty();
  }

  /** A 1xx answer (100 Continue) is not the answer: the request goes on. */
  private static boolean interim(Object msg) {
    return msg instanceof HttpResponse r && r.status().code() < 200;
  }

  /** After an answer: passes on what waited, up to the end of the next request's head. */
  private void next(ChannelHandlerContext ctx) {
    if (ctx.isRemoved() || !ctx.channel().isActive()) return;
    if (closing) {
      // Nothing more is answered; reading goes on, so the lingering close sees the client's end.
      drop();
      ctx.channel().config().setAutoRead(true);
      if (inputEnded) ctx.close(); // it has ended already
      return;
    }
    Object msg;
    while ((msg = waiting.peek()) != null && !behindTheCurrent(msg)) {
      waiting.poll();
      if (msg instanceof HttpRequest) waitingRequests--;
      pass(ctx, msg);
      if (closing) return;
    }
    if (waiting.isEmpty()) {
      if (inputEnded && !answering) {
        ctx.close(); // everything the client sent before its half-close is answered
        return;
      }
      ctx.channel().config().setAutoRead(true);
      if (!answering) idle(ctx);
    }
  }

  private void idle(ChannelHandlerContext ctx) {
    schedule(ctx, () -> ctx.close());
  }

  private void requestTimedOut(ChannelHandlerContext ctx) {
    if (!receiving || closing) return;
    closing = true;
    metrics.rejected();
    responses.error(
        ctx,
        receivingHeaders,
        false,
        408,
        "the request did not arrive whole within "
            + idleMs
            + " ms of its head (the server's idle-timeout): send the body at once");
  }

  private void schedule(ChannelHandlerContext ctx, Runnable task) {
    cancelTimer();
    if (idleMs > 0) timer = ctx.executor().schedule(task, idleMs, TimeUnit.MILLISECONDS);
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    drop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    // The connection became an event stream: what was pipelined behind it is dropped, as the
    // router would, and reading goes on (a stream notices its client's close by reading). A
    // stream's client that ended its side is gone (a browser's FIN): the stream closes.
    drop();
    ctx.channel().config().setAutoRead(true);
    if (inputEnded) ctx.channel().close();
  }

  private void drop() {
    cancelTimer();
    Object msg;
    while ((msg = waiting.poll()) != null) ReferenceCountUtil.release(msg);
    waitingRequests = 0;
  }
}
