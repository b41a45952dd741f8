package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.Channel;
import dev.realtime.ConnectionStatus;
import dev.realtime.EngineException;
import dev.realtime.History;
import dev.realtime.HistoryMessage;
import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Redis really goes away (SIGKILL) in the middle of a stream, and comes back. */
class RedisFaultTest {

  @Test
  void emitsFailFastWhileRedisIsDownAndWorkAgainAfter() {
    try (RedisServer server = RedisServer.start();
        Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      Channel ch = realtime.channel("fault-emit");
      assertThat(ch.emit("n", 1)).matches("\\d+-\\d+");
      server.kill();
      long start = System.nanoTime();
      assertThatThrownBy(() -> ch.emit("n", 2))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("Redis at redis://127.0.0.1:" + server.port());
      assertThatThrownBy(() -> ch.emit("n", 3)).isInstanceOf(EngineException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      server.restart();
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> ch.emit("n", 4) != null);
      assertThat(ch.history()).extracting(HistoryMessage::data).contains(4);
    }
  }

  /**
   * A command that got no answer in time may still have been carried out: the error must not say
   * the emit was lost, since a retry could store it twice.
   */
  @Test
  void anEmitThatTimesOutSaysItMayHaveBeenStored() {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine =
            RedisEngine.builder(server.uri()).commandTimeout(Duration.ofMillis(300)).build();
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel ch = realtime.channel("fault-timeout");
      ch.emit("n", 0);
      server.pause();
      try {
        assertThatThrownBy(() -> ch.emit("n", 1))
            .isInstanceOf(EngineException.class)
            .hasMessageContaining("did not answer within 300 ms")
            .hasMessageContaining("may be stored");
        // A read that gets no answer changed nothing: no emit advice there.
        assertThatThrownBy(ch::history)
            .isInstanceOf(EngineException.class)
            .hasMessageContaining("reading channel 'fault-timeout' failed")
            .hasMessageContaining("retrying is safe")
            .hasMessageNotContaining("emit");
      } finally {
        server.resume();
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> ch.history().size() == 2); // it was stored after all
    }
  }

  /**
   * Only the command connections drop (CLIENT KILL TYPE normal), the Pub/Sub one stays: an event
   * written the original's way (its envelope names no previous id, so the feed must read the
   * stream) still arrives, without a new emit or a Pub/Sub reconnect to wake anything.
   */
  @Test
  void anEventArrivesWhenOnlyTheCommandConnectionsDropped() {
    try (RedisServer server = RedisServer.start();
        Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      ConcurrentLinkedQueue<Object> got = new ConcurrentLinkedQueue<>();
      realtime.channel("fault-cmd").subscribe(Subscribe.toAll().onData(m -> got.add(m.data())));
      var client = io.lettuce.core.RedisClient.create(server.uri());
      try (var connection = client.connect()) {
        var redis = connection.sync();
        redis.clientKill(io.lettuce.core.KillArgs.Builder.typeNormal().skipme());
        String id =
            redis.xadd("fault-cmd", "data", "\"second\"", "event", "orig", "channel", "fault-cmd");
        redis.publish(
            "fault-cmd",
            "{\"data\":\"second\",\"event\":\"orig\",\"channel\":\"fault-cmd\",\"id\":\""
                + id
                + "\"}");
        await().atMost(Duration.ofSeconds(8)).until(() -> got.contains("second"));
      } finally {
        client.shutdown();
      }
    }
  }

  @Test
  void subscribersAreToldOfTheOutageAndCatchUpWithoutLossOrDuplicates() {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("RedisFaultTest seed=" + seed + " (replay with -Dseed=" + seed + ")");
    Random random = new Random(seed);
    try (RedisServer server = RedisServer.startPersistent();
        Realtime subscriberSide =
            Realtime.builder().engine(RedisEngine.connect(server.uri())).build();
        Realtime emitterSide =
            Realtime.builder()
                .engine(RedisEngine.connect(server.uri()))
                .history(History.unlimited())
                .build()) {
      String name = "fault-stream-" + seed;
      ConcurrentLinkedQueue<String> received = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<ConnectionStatus> statuses = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      subscriberSide
          .channel(name)
          .subscribe(
              Subscribe.toAll()
                  .onData(m -> received.add(m.id()))
                  .onStatus(statuses::add)
                  .onError(errors::add));
      // One emitter keeps emitting through the outage, retrying what fails.
      Channel ch = emitterSide.channel(name);
      List<String> acknowledged = new CopyOnWriteArrayList<>(); // read while the emitter runs
      AtomicBoolean stop = new AtomicBoolean();
      Thread emitter =
          Thread.ofPlatform()
              .start(
                  () -> {
                    int n = 0;
                    while (!stop.get()) {
                      try {
                        acknowledged.add(ch.emit("n", n++));
                      } catch (EngineException down) {
                        sleep(20);
                      }
                      if (random.nextInt(10) == 0) sleep(1);
                    }
                  });
      await().until(() -> received.size() > 100);
      server.kill();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> statuses.contains(ConnectionStatus.RECONNECTING));
      sleep(200 + random.nextInt(500));
      server.restart();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> statuses.contains(ConnectionStatus.RECONNECTED));
      int afterRestart = acknowledged.size();
      await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.size() > afterRestart + 100);
      stop.set(true);
      join(emitter);

      List<String> stream = new ArrayList<>();
      for (HistoryMessage m : readAll(ch)) stream.add(m.id());
      assertThat(stream).containsAll(acknowledged); // acknowledged emits survived the crash
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> received.contains(stream.get(stream.size() - 1)));
      assertThat(new ArrayList<>(received))
          .as("seed " + seed + ": every stored event once, in order")
          .containsExactlyElementsOf(stream);
      assertThat(statuses)
          .startsWith(ConnectionStatus.CONNECTED, ConnectionStatus.RECONNECTING)
          .contains(ConnectionStatus.RECONNECTED);
    }
  }

  private static List<HistoryMessage> readAll(Channel ch) {
    List<HistoryMessage> all = new ArrayList<>();
    long start = 0;
    for (; ; ) {
      List<HistoryMessage> page = ch.history(HistoryQuery.limit(1000).start(start));
      for (HistoryMessage m : page) {
        if (all.isEmpty() || !m.id().equals(all.get(all.size() - 1).id()) && !all.contains(m)) {
          if (all.stream().noneMatch(x -> x.id().equals(m.id()))) all.add(m);
        }
      }
      if (page.size() < 1000) return all;
      start = Long.parseLong(page.get(page.size() - 1).id().split("-")[0]);
    }
  }

  private static void join(Thread t) {
    try {
      t.join(10_000);
      // An emitter still running would go on adding to what the test is checking.
      assertThat(t.isAlive()).as("the emitter stopped within 10 s").isFalse();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A Pub/Sub reconnect whose handshake fails (the password changed meanwhile) is not a reconnect:
   * subscribers hear RECONNECTING once, not a RECONNECTED and a RECONNECTING per failed attempt,
   * and RECONNECTED once a connection works again.
   */
  @Test
  void failedHandshakesAreOneOutageNotManyReconnects() {
    try (RedisServer server = RedisServer.startWithPassword("first");
        Realtime realtime =
            Realtime.builder()
                .engine(RedisEngine.connect("redis://:first@127.0.0.1:" + server.port()))
                .build();
        var client =
            io.lettuce.core.RedisClient.create("redis://:first@127.0.0.1:" + server.port());
        var admin = client.connect()) {
      ConcurrentLinkedQueue<Object> seen = new ConcurrentLinkedQueue<>();
      realtime
          .channel("fault-auth")
          .subscribe(Subscribe.toAll().onStatus(seen::add).onData(m -> seen.add(m.data())));
      await().until(() -> seen.contains(ConnectionStatus.CONNECTED));
      admin.sync().configSet("requirepass", "second");
      admin.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub());
      await().until(() -> seen.contains(ConnectionStatus.RECONNECTING));
      admin.sync().xadd("fault-auth", "data", "1", "event", "n", "channel", "fault-auth");
      sleep(3_000); // several attempts, each refused
      assertThat(seen).containsExactly(ConnectionStatus.CONNECTED, ConnectionStatus.RECONNECTING);
      admin.sync().configSet("requirepass", "first");
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 4);
      assertThat(seen)
          .containsExactly(
              ConnectionStatus.CONNECTED,
              ConnectionStatus.RECONNECTING,
              ConnectionStatus.RECONNECTED,
              1);
    }
  }
}
