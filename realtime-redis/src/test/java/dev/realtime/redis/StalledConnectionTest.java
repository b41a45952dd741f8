package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.Channel;
import dev.realtime.EngineException;
import dev.realtime.Realtime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A connection that stops passing bytes without being closed (a partition, a stalled proxy) is
 * given up after a command times out on it: the next emit reconnects and goes through, instead of
 * every emit timing out on the dead connection for good.
 */
class StalledConnectionTest {
  /** An engine whose connections go through {@code proxy}, quick to give up on a stalled one. */
  private static RedisEngine.Builder throughProxy(StallingProxy proxy) {
    return RedisEngine.builder("redis://127.0.0.1:" + proxy.port())
        .commandTimeout(Duration.ofMillis(300))
        .retryAfter(Duration.ofMillis(100));
  }

  @Test
  void emitsRecoverOnANewConnectionAfterTheirConnectionStalls() throws Exception {
    try (RedisServer server = RedisServer.start();
        StallingProxy proxy = new StallingProxy(server.port());
        RedisEngine engine = throughProxy(proxy).build();
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("stalled");
      ch.emit("n", 1);
      proxy.stallExisting();
      assertThatThrownBy(() -> ch.emit("n", 2))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("300 ms");
      // Within a few tries (the one that reconnects may come inside retryAfter) an emit goes
      // through.
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(150))
          .ignoreExceptions()
          .until(() -> ch.emit("n", 3) != null);
      try (RedisEngine direct = RedisEngine.connect(server.uri());
          Realtime reader = Realtime.builder().engine(direct).build()) {
        // 2 may or may not have been stored (it timed out, "may have been carried out"); 3 was.
        assertThat(reader.channel("stalled").history()).extracting(m -> m.data()).contains(1, 3);
      }
    }
  }

  @Test
  void emitsQueuedBehindAnUnresponsiveRedisAllFailWithinAboutOneTimeout() {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine =
            RedisEngine.builder(server.uri())
                .commandTimeout(Duration.ofMillis(500))
                .connectTimeout(Duration.ofMillis(500))
                .build();
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("frozen");
      ch.emit("n", 0);
      server.pause(); // SIGSTOP: the connection stays open, nothing answers
      try {
        long start = System.nanoTime();
        var emits = new java.util.ArrayList<java.util.concurrent.CompletableFuture<String>>();
        for (int i = 0; i < 3_000; i++) emits.add(ch.emitAsync("n", i));
        for (var e : emits) {
          assertThatThrownBy(e::join).hasCauseInstanceOf(EngineException.class);
        }
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        // About a command timeout, then a reconnect's connect timeout. Was one command timeout per
        // 256 queued emits (about 6 s): each call waited its own on the stopped connection; and a
        // reconnect's handshake waited Lettuce's 60 s.
        assertThat(tookMs).as("all failed after %d ms", tookMs).isLessThan(4_000);
      } finally {
        server.resume();
      }
    }
  }

  /**
   * Behind a Redis that does not answer, what waits is bounded: emits past {@code maxBacklogBytes}
   * are refused at once (not after a timeout), and once Redis answers again emits go through.
   */
  @Test
  void emitsPastTheBacklogBoundAreRefusedAtOnceWhileRedisDoesNotAnswer() {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine =
            RedisEngine.builder(server.uri())
                .commandTimeout(Duration.ofMillis(2000))
                .maxBacklogBytes(64 * 1024)
                .build();
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("backlog");
      ch.emit("n", 0);
      String kb = "x".repeat(1000);
      server.pause();
      var waiting = new java.util.ArrayList<java.util.concurrent.CompletableFuture<String>>();
      var refused = new java.util.ArrayList<java.util.concurrent.CompletableFuture<String>>();
      try {
        for (int i = 0; i < 200; i++) {
          var e = ch.emitAsync("n", kb);
          (e.isCompletedExceptionally() ? refused : waiting).add(e);
        }
        // About 64 KiB of 1.3 KB emits wait; the rest were refused while Redis was silent.
        assertThat(waiting).hasSizeBetween(40, 60);
        assertThat(refused).hasSize(200 - waiting.size());
        assertThatThrownBy(refused.get(0)::join)
            .hasCauseInstanceOf(EngineException.class)
            .hasMessageContaining("emit to channel 'backlog' refused")
            .hasMessageContaining("maxBacklogBytes (65536)");
      } finally {
        server.resume();
      }
      for (var e : waiting) e.handle((id, error) -> null).join(); // stored or timed out
      assertThat(ch.emit("n", kb)).matches("\\d+-\\d+");
    }
  }

  /**
   * A Redis busy for a while (a long script of another client) is not a dead connection: the emit
   * that timed out meanwhile fails, but the connection stays, and an emit sent later, answered
   * within its own timeout, succeeds.
   */
  @Test
  void aBusyRedisKeepsTheConnectionAndLaterEmitsSucceed() throws Exception {
    try (RedisServer server = RedisServer.start();
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(server.uri());
        var busy = client.connect();
        RedisEngine engine =
            RedisEngine.builder(server.uri()).commandTimeout(Duration.ofMillis(1000)).build();
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("busy");
      ch.emit("n", 0);
      var stall =
          busy.async()
              .eval(
                  "local t0 = redis.call('TIME'); local s0 = t0[1] * 1000000 + t0[2];"
                      + " while true do local t = redis.call('TIME');"
                      + " if t[1] * 1000000 + t[2] - s0 > 1500000 then break end end return 1",
                  io.lettuce.core.ScriptOutputType.INTEGER)
              .toCompletableFuture();
      Thread.sleep(50);
      var early = ch.emitAsync("n", 1); // waits 1.45 s: times out
      Thread.sleep(550);
      var later = ch.emitAsync("n", 2); // waits 0.9 s: answered in time
      stall.get();
      assertThatThrownBy(early::join).hasMessageContaining("did not answer within 1000 ms");
      assertThat(later.join()).matches("\\d+-\\d+");
    }
  }

  /**
   * The Pub/Sub connection's path stalls (no TCP error): the engine's PING gets no answer, the
   * connection is dropped and made again, and the subscriber is told and catches up with what was
   * emitted meanwhile, instead of hearing nothing for good.
   */
  @Test
  void aStalledPubSubConnectionIsReplacedAndTheSubscriberCatchesUp() throws Exception {
    try (RedisServer server = RedisServer.start();
        StallingProxy proxy = new StallingProxy(server.port());
        RedisEngine viaProxy =
            throughProxy(proxy).pubSubPingInterval(Duration.ofMillis(300)).build();
        Realtime subscriber = Realtime.builder().engine(viaProxy).build();
        Realtime emitter = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      java.util.List<Object> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
      subscriber
          .channel("quiet")
          .subscribe(
              dev.realtime.Subscribe.toAll().onStatus(seen::add).onData(m -> seen.add(m.data())));
      emitter.channel("quiet").emit("n", 1);
      await().until(() -> seen.contains(1));
      proxy.stallExisting();
      emitter.channel("quiet").emit("n", 2);
      emitter.channel("quiet").emit("n", 3);
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(3));
      assertThat(seen)
          .containsExactly(
              dev.realtime.ConnectionStatus.CONNECTED,
              1,
              dev.realtime.ConnectionStatus.RECONNECTING,
              dev.realtime.ConnectionStatus.RECONNECTED,
              2,
              3);
    }
  }
}
