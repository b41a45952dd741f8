package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Channel;
import dev.realtime.EngineException;
import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import dev.realtime.spi.Append;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.Payload;
import io.lettuce.core.RedisClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions made or ended while Redis is away, emits queued when the engine closes, an emit
 * whose connection broke after it was sent, and the bounds of what the engine keeps in memory.
 */
class OutageEdgesTest {

  /** PUBSUB NUMSUB of one channel, asked of the server itself. */
  static long subscribers(RedisServer server, String channel) {
    RedisClient client = RedisClient.create(server.uri());
    try (var c = client.connect()) {
      return c.sync().pubsubNumsub(channel).getOrDefault(channel, 0L);
    } finally {
      client.shutdown();
    }
  }

  /** XLEN of one stream, asked of the server itself. */
  static long length(RedisServer server, String key) {
    RedisClient client = RedisClient.create(server.uri());
    try (var c = client.connect()) {
      return c.sync().xlen(key);
    } finally {
      client.shutdown();
    }
  }

  /**
   * A subscription started while Redis is down (a resume with after(id), which needs no read) makes
   * the engine SUBSCRIBE; Lettuce holds the command, it expires after the command timeout, and
   * Lettuce subscribes again after a reconnect only what Redis had confirmed. The engine sends it
   * again: once Redis is back, later emits reach the subscriber.
   */
  @Test
  void aChannelWatchedDuringAnOutageHearsEmitsAfterIt() throws Exception {
    try (RedisServer server = RedisServer.startPersistent();
        RedisEngine engine =
            RedisEngine.builder(server.uri()).commandTimeout(Duration.ofMillis(500)).build();
        Realtime realtime = Realtime.builder().engine(engine).build();
        Realtime emitter = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      Channel ch = realtime.channel("late-watch");
      String first = ch.emit("n", "zero");
      server.kill();
      Thread.sleep(300);
      ConcurrentLinkedQueue<Object> got = new ConcurrentLinkedQueue<>();
      ch.subscribe(Subscribe.toAll().after(first).onData(m -> got.add(m.data())));
      Thread.sleep(1_500); // longer than the command timeout: the held SUBSCRIBE expires
      server.restart();
      await().atMost(Duration.ofSeconds(15)).until(() -> subscribers(server, "late-watch") == 1);
      String after =
          await()
              .atMost(Duration.ofSeconds(15))
              .ignoreExceptions()
              .until(() -> emitter.channel("late-watch").emit("n", "after-outage"), id -> true);
      await().atMost(Duration.ofSeconds(5)).until(() -> got.contains("after-outage"));
      assertThat(after).isNotNull();
      assertThat(got).containsExactly("after-outage");
    }
  }

  /**
   * The mirror image: the last subscription of a channel ends while Redis is down. Its UNSUBSCRIBE
   * expires, Lettuce still counts the channel and subscribes it again after the reconnect; the
   * engine ends that subscription, so the process does not go on receiving a channel nobody here
   * watches.
   */
  @Test
  void aChannelUnwatchedDuringAnOutageIsNotSubscribedAgainAfterIt() throws Exception {
    try (RedisServer server = RedisServer.startPersistent();
        RedisEngine engine =
            RedisEngine.builder(server.uri()).commandTimeout(Duration.ofMillis(500)).build();
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("gone-watch");
      var subscription = ch.subscribe(Subscribe.toAll().onData(m -> {}));
      Channel other = realtime.channel("kept-watch");
      other.subscribe(Subscribe.toAll().onData(m -> {}));
      server.kill();
      Thread.sleep(300);
      subscription.unsubscribe();
      Thread.sleep(1_500); // the held UNSUBSCRIBE expires
      server.restart();
      await().atMost(Duration.ofSeconds(15)).until(() -> subscribers(server, "kept-watch") == 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> subscribers(server, "gone-watch") == 0);
      Thread.sleep(500);
      assertThat(subscribers(server, "gone-watch")).isZero();
      assertThat(engine.watchedChannelCount()).isEqualTo(1);
    }
  }

  private static final EngineException CLOSED = new EngineException("the engine is closed");

  /**
   * The batcher alone, as the engine's close() leaves it: calls are outstanding and 100,000 emits
   * queue behind them; then the calls fail, every later send fails at once (the link is closed) and
   * the completion executor refuses work. Each failed batch's completion drains the next: run on
   * one stack, that overflowed it, and a batch taken from the queue was never completed.
   */
  @Test
  void aQueueThatFailsAtOnceAfterCloseCompletesEveryEmit() {
    List<CompletableFuture<List<Object>>> held = new ArrayList<>();
    AtomicBoolean closed = new AtomicBoolean();
    AtomicInteger deepest = new AtomicInteger();
    AppendBatcher batcher =
        new AppendBatcher(
            4,
            64,
            RedisEngine.Builder.DEFAULT_MAX_BACKLOG_BYTES,
            "",
            new byte[0],
            (keys, args) -> {
              deepest.accumulateAndGet(
                  StackWalker.getInstance().walk(f -> (int) f.count()), Math::max);
              if (closed.get()) return CompletableFuture.failedFuture(CLOSED);
              CompletableFuture<List<Object>> call = new CompletableFuture<>();
              held.add(call);
              return call;
            },
            (what, error) -> CLOSED, // one shared instance: 100,000 stack traces would not fit
            task -> {
              if (closed.get()) throw new RejectedExecutionException("shut down");
              task.run();
            },
            0);
    List<CompletableFuture<EntryId>> futures = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      futures.add(
          batcher.append(new Append("q", "n", Payload.ofJson("1"), History.unlimited()), false));
    }
    closed.set(true);
    for (CompletableFuture<List<Object>> call : new ArrayList<>(held)) {
      call.completeExceptionally(new IllegalStateException("Connection closed"));
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> futures.stream().allMatch(CompletableFuture::isDone));
    assertThat(futures).allMatch(CompletableFuture::isCompletedExceptionally);
    assertThat(deepest.get()).isLessThan(500);
  }

  /** As above through the engine: every emit queued when it closes completes, none hangs. */
  @Test
  void closingTheEngineCompletesEveryQueuedEmit() {
    try (RedisServer server = RedisServer.start()) {
      RedisEngine engine = RedisEngine.connect(server.uri());
      List<CompletableFuture<EntryId>> futures = new ArrayList<>();
      for (int i = 0; i < 100_000; i++) {
        futures.add(
            engine.append(
                new Append("close-race", "n", Payload.ofJson("1"), History.maxLength(10))));
      }
      engine.close();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> futures.stream().allMatch(CompletableFuture::isDone));
    }
  }

  /**
   * The connection breaks after Redis ran an emit but before its reply came: the emit was stored.
   * Like a timeout, the error says that it may have been, so that a retry is a decision.
   */
  @Test
  void anEmitCutOffInFlightSaysItMayHaveBeenStored() throws Exception {
    try (RedisServer server = RedisServer.start();
        CutProxy proxy = new CutProxy(server.port());
        Realtime realtime =
            Realtime.builder()
                .engine(RedisEngine.connect("redis://127.0.0.1:" + proxy.port()))
                .build()) {
      Channel ch = realtime.channel("cut");
      ch.emit("n", "before");
      proxy.dropReplies = true;
      CompletableFuture<String> inFlight = ch.emitAsync("n", "in-flight");
      await().atMost(Duration.ofSeconds(5)).until(() -> length(server, "cut") == 2); // Redis ran it
      proxy.cutAll();
      Throwable error = null;
      try {
        inFlight.get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        error = e.getCause();
      }
      assertThat(error)
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("may have been carried out")
          .hasMessageContaining("a retry may store it twice");
    }
  }

  /**
   * A watched channel's in-memory tail holds at most 8 MiB of payloads (besides its 4,096 entries):
   * without that bound, 4,096 entries of the largest payload are 4 GiB per channel. Entries that
   * leave it are let go at once. Subscribers behind it read Redis, and get everything.
   */
  @Test
  void theTailOfAWatchedChannelIsBoundedInBytes() throws Exception {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("tail-size");
      AtomicInteger got = new AtomicInteger();
      ch.subscribe(Subscribe.toAll().onData(m -> got.incrementAndGet()));
      String blob = "x".repeat(64 * 1024);
      List<CompletableFuture<String>> emits = new ArrayList<>();
      for (int i = 0; i < 400; i++) emits.add(ch.emitAsync("n", blob)); // 25 MiB
      CompletableFuture.allOf(emits.toArray(CompletableFuture[]::new)).join();
      await().atMost(Duration.ofSeconds(20)).until(() -> got.get() == 400);
      long[] size = engine.feedOf("tail-size").tailSize();
      assertThat(size[1]).isLessThanOrEqualTo(ChannelFeed.TAIL_MAX_BYTES);
      assertThat(size[0]).isBetween(100L, 128L); // 8 MiB of 64 KiB payloads
      AtomicInteger late = new AtomicInteger();
      ch.subscribe(Subscribe.toAll().history(true).onData(m -> late.incrementAndGet()));
      await().atMost(Duration.ofSeconds(20)).until(() -> late.get() == 400);
    }
  }

  /**
   * History.maxLength takes any long of at least 1; the script passes it to XADD as the text it
   * came as (a Lua number reached Redis as 1e+17, refused: every emit failed).
   */
  @Test
  void aLargeMaxLengthStores() {
    try (RedisServer server = RedisServer.start();
        Realtime realtime =
            Realtime.builder()
                .engine(RedisEngine.connect(server.uri()))
                .history(
                    History.maxLength(100_000_000_000_000_000L)
                        .expireAfter(History.MAX_EXPIRE_AFTER))
                .build()) {
      assertThat(realtime.channel("big-maxlen").emit("n", "x")).matches("\\d+-\\d+");
      assertThat(realtime.channel("big-maxlen").history()).hasSize(1);
    }
  }

  /** A TCP proxy that can stop passing replies and cut every connection. */
  static final class CutProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    volatile boolean dropReplies;

    CutProxy(int target) throws IOException {
      this.target = target;
      this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                    sockets.add(client);
                    sockets.add(upstream);
                    pipe(client.getInputStream(), upstream.getOutputStream(), false);
                    pipe(upstream.getInputStream(), client.getOutputStream(), true);
                  } catch (IOException e) {
                    return;
                  }
                }
              });
    }

    private void pipe(InputStream in, OutputStream out, boolean replies) {
      Thread.ofPlatform()
          .daemon()
          .start(
              () -> {
                byte[] buf = new byte[8192];
                try {
                  for (int n; (n = in.read(buf)) > 0; ) {
                    if (replies && dropReplies) continue;
                    out.write(buf, 0, n);
                    out.flush();
                  }
                } catch (IOException ignored) {
                  // cut
                }
              });
    }

    int port() {
      return server.getLocalPort();
    }

    void cutAll() {
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
      cutAll();
    }
  }
}
