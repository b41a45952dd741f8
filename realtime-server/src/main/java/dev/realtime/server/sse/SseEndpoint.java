package dev.realtime.server.sse;

import dev.realtime.Realtime;
import dev.realtime.RealtimeClosedException;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.auth.Action;
import dev.realtime.server.auth.Gatekeeper;
import dev.realtime.server.http.Exchange;
import dev.realtime.server.metrics.ServerMetrics;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/realtime}: checks the request, admits its channels, subscribes each one where the
 * client left off, and only then answers 200 and opens the stream, so every failure before that is
 * a proper status and not a broken stream.
 */
public final class SseEndpoint {
  private static final Logger log = LoggerFactory.getLogger(SseEndpoint.class);

  private final Realtime realtime;
  private final ServerConfig config;
  private final Gatekeeper gate;
  private final Set<SseStream> open = ConcurrentHashMap.newKeySet();
  private final Feeds feeds;
  private final ChannelCounts channelCounts = new ChannelCounts();
  private volatile boolean shuttingDown;

  /** Each subscription delivers on its own virtual thread while it has something to deliver. */
  private static final Executor DELIVERY =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("sse-delivery-", 0).factory());

  public SseEndpoint(
      Realtime realtime, ServerConfig config, Gatekeeper gate, ServerMetrics metrics) {
    this.realtime = realtime;
    this.config = config;
    this.gate = gate;
    this.feeds = new Feeds(realtime, metrics, config.writeDelay());
  }

  public void handle(Exchange x) {
    StreamRequest parsed =
        StreamRequest.parse(realtime, x.query(), x.headers().get("Last-Event-ID"));
    gate.admit(x.presented(), Action.SUBSCRIBE, parsed.channels())
        .thenCompose(channels -> subscribe(x, parsed, channels))
        .whenComplete(
            (stream, error) -> {
              if (error != null) {
                // Refused before it opened: the connection answers this and later requests again
                // (a keep-alive client's next request would otherwise go unanswered).
                x.ctx().channel().attr(SseStream.OF_CHANNEL).set(null);
                x.fail(error);
              }
            });
  }

  private CompletableFuture<SseStream> subscribe(
      Exchange x, StreamRequest parsed, List<String> channels) {
    // Admitted after a shutdown began (a slow authorizer, say): no stream, no subscription.
    if (shuttingDown) throw new RealtimeClosedException("its streams are closing");
    Channel ch = x.ctx().channel();
    SseStream stream =
        new SseStream(
            realtime,
            ch,
            List.copyOf(channels),
            parsed.events(),
            feeds,
            x.metrics(),
            config.maxBufferedBytes(),
            DELIVERY,
            parsed.channels().size() == 1);
    ch.closeFuture().addListener(f -> closed(stream));
    List<CompletableFuture<?>> started = new ArrayList<>();
    for (int i = 0; i < channels.size(); i++) {
      StreamStart start = parsed.starts().get(parsed.channels().indexOf(channels.get(i)));
      started.add(stream.start(i, start));
    }
    return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
        .handle(
            (ok, error) -> {
              if (error != null) {
                stream.close();
                throw error instanceof RuntimeException re ? re : new RuntimeException(error);
              }
              long deadline = deadlineMillis(x);
              // Under the lock shutdown() takes: a stream either opens before shutdown() looks at
              // the open streams (so it is told to reconnect and waited for) or is refused (503).
              // Its open task is queued before it can be seen there, so a reconnect, queued on
              // the same loop, always comes after its head.
              synchronized (channelCounts) { // a close may race this open, too
                try {
                  if (shuttingDown) throw new RejectedExecutionException("shutting down");
                  ch.eventLoop()
                      .execute(() -> stream.open(head(x), config.heartbeat().toMillis(), deadline));
                } catch (RejectedExecutionException stopped) {
                  // Or the server's loops are gone, and with them the close listener's: close
                  // here, or its subscriptions would outlive the server on the embedder's Realtime.
                  stream.close();
                  throw new RealtimeClosedException("its streams are closing");
                }
                if (open.add(stream)) channelCounts.opened(stream.channels());
              }
              if (!ch.isActive()) closed(stream);
              return stream;
            });
  }

  /**
   * How long the stream may stay open, 0 for as long as it likes: {@code max-duration}, and no
   * longer than the token it was opened with is accepted (a stream admitted once must not go on
   * delivering past its token's {@code exp}); then it gets a {@code reconnect} frame, and a
   * reconnect needs a token that is valid then.
   */
  private long deadlineMillis(Exchange x) {
    long max = config.maxDuration().toMillis();
    long until = gate.acceptedUntilMillis(x.presented());
    if (until == Long.MAX_VALUE) return max;
    long left = Math.max(1, until - System.currentTimeMillis());
    return max == 0 ? left : Math.min(max, left);
  }

  private HttpResponse head(Exchange x) {
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    HttpHeaders h = head.headers();
    h.set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream");
    h.set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    // A stream ends by closing its connection: a client that pooled it for its next request (Node's
    // fetch right after a reconnect frame, say) would find it closed under that request.
    h.set(HttpHeaderNames.CONNECTION, "close");
    h.set("X-Accel-Buffering", "no"); // nginx: do not buffer the stream
    x.responses().cors().apply(x.headers(), h);
    // HTTP/1.0 has no chunked coding: the frames go bare, and the connection's close ends them.
    boolean http10 = x.request().protocolVersion().minorVersion() == 0;
    HttpUtil.setTransferEncodingChunked(head, !http10);
    return head;
  }

  private void closed(SseStream stream) {
    stream.close();
    synchronized (channelCounts) {
      if (open.remove(stream)) channelCounts.closed(stream.channels());
    }
  }

  /** Open streams per channel. */
  public ChannelCounts channelCounts() {
    return channelCounts;
  }

  /** Streams open now. */
  public int openStreams() {
    return open.size();
  }

  /**
   * Tells every open stream to reconnect (elsewhere, or here after a restart) and ends it; the
   * returned future completes when their connections have closed.
   */
  public CompletableFuture<Void> shutdown() {
    List<SseStream> streams;
    synchronized (channelCounts) {
      shuttingDown = true;
      streams = List.copyOf(open);
    }
    List<CompletableFuture<?>> closing = new ArrayList<>();
    for (SseStream s : streams) {
      CompletableFuture<Void> done = new CompletableFuture<>();
      s.channel().closeFuture().addListener(f -> done.complete(null));
      closing.add(done);
      s.reconnect();
    }
    return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
  }
}
