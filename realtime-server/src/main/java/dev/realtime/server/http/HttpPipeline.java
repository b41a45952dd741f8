package dev.realtime.server.http;

import dev.realtime.server.metrics.ServerMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;

/**
 * Each connection's handlers: HTTP/1.1 codec, one request at a time in order with idle and request
 * time limits ({@link OneAtATime}), a body aggregator bounded by the largest request accepted
 * (answering 413 in JSON past it), and the shared {@link Router}.
 */
public final class HttpPipeline extends ChannelInitializer<SocketChannel> {
  /**
   * The longest request line accepted: a stream of 100 channels with long names and a position for
   * each fits (the line's buffer grows only as far as a request needs).
   */
  public static final int MAX_INITIAL_LINE = 65_536;

  static final int MAX_HEADER_SIZE = 16384;
  private static final String CODEC = "http";
  private static final String BODY = "body";
  private static final String ORDER = "order";

  private final Router router;
  private final Responses responses;
  private final ServerMetrics metrics;
  private final int maxRequestBytes;
  private final long idleMs;
  private final ChannelGroup connections;
  private volatile boolean draining;

  public HttpPipeline(
      Router router,
      Responses responses,
      ServerMetrics metrics,
      int maxRequestBytes,
      long idleMs,
      ChannelGroup connections) {
    this.idleMs = idleMs;
    this.connections = connections;
    this.router = router;
    this.responses = responses;
    this.metrics = metrics;
    this.maxRequestBytes = maxRequestBytes;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    connections.add(ch); // closed together on shutdown
    ch.pipeline()
        .addLast(CODEC, new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, 8192))
        .addLast(ORDER, new OneAtATime(responses, metrics, idleMs, () -> draining))
        .addLast(BODY, new BoundedBody(maxRequestBytes, responses, metrics))
        .addLast(router);
  }

  /**
   * Starts a graceful shutdown of the HTTP connections (the listener is closed first): from now on
   * an idle connection closes at once, and one with a request under way after its answer, which
   * says {@code Connection: close}. Event streams are not concerned (they left the request handler;
   * the stream endpoint ends them). Any thread.
   */
  public void drain() {
    draining = true;
    for (Channel ch : connections) {
      try {
        ch.pipeline().fireUserEventTriggered(OneAtATime.DRAIN);
      } catch (RuntimeException loopGone) {
        ch.close();
      }
    }
  }

  /**
   * Turns a connection whose response head has been written into a raw event stream: its HTTP
   * codec, request order and body aggregator go (they hold about a kilobyte per connection), and
   * from then on the stream writes whole chunks itself. What the client sends afterwards is read
   * and dropped. Event loop only.
   */
  public static void streamOnly(Channel ch) {
    ChannelPipeline p = ch.pipeline();
    if (p.get(ORDER) != null) p.remove(ORDER);
    if (p.get(BODY) != null) p.remove(BODY);
    if (p.get(CODEC) != null) p.remove(CODEC);
  }

  /** Answers a body over the bound with a JSON 413 that says the bound. */
  private static final class BoundedBody extends HttpObjectAggregator {
    private final Responses responses;
    private final ServerMetrics metrics;
    private final int max;

    BoundedBody(int max, Responses responses, ServerMetrics metrics) {
      super(max, true);
      this.max = max;
      this.responses = responses;
      this.metrics = metrics;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      metrics.rejected();
      responses.error(ctx, oversized.headers(), false, 413, tooLarge(oversized));
    }

    /**
     * A request with {@code Expect: 100-continue} is answered before its body: a body announced
     * over the bound, or another expectation, gets the same JSON error (with CORS) as any other,
     * not Netty's empty 413 or 417; the connection then closes.
     */
    @Override
    protected Object newContinueResponse(
        HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
      Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
      if (!(answer instanceof FullHttpResponse r) || r.status().code() < 400) return answer;
      int status = r.status().code();
      r.release();
      metrics.rejected();
      FullHttpResponse error =
          responses.error(
              start.headers(),
              status,
              status == 413
                  ? tooLarge(start)
                  : "the Expect header is not supported; the one accepted is 'Expect: 100-continue'");
      HttpUtil.setKeepAlive(error, false);
      return error;
    }

    private String tooLarge(HttpMessage request) {
      long length = HttpUtil.getContentLength(request, -1L);
      return "the request body is over "
          + max
          + " bytes, the most this server accepts"
          + (length < 0 ? "" : " (Content-Length: " + length + ")");
    }
  }
}
