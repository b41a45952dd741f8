package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Channel;
import dev.realtime.History;
import dev.realtime.HistoryMessage;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The engine's scripts and Redis's script cache, which a restart, a failover, {@code SCRIPT FLUSH}
 * or (from Redis 7.4) eviction of scripts that came by {@code EVAL} can empty while emits are in
 * flight and other processes load the script again.
 */
class ScriptCacheTest {

  private static String appendScript() {
    try (InputStream in = LuaScript.class.getResourceAsStream("append.lua")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * One thread's async emits ride in several batches at once. Another client empties the script
   * cache and loads the script again, over and over: a batch can find the script gone while a later
   * one finds it back. Whatever failed, what was stored is in the order it was emitted, and every
   * failure says it stored nothing.
   */
  @Test
  void aFlushedScriptCacheNeverReordersOneThreadsEmits() throws Exception {
    long seed = System.nanoTime();
    System.out.println("ScriptCacheTest seed=" + seed);
    Random random = new Random(seed);
    String script = appendScript();
    try (RedisServer server = RedisServer.start();
        Realtime realtime =
            Realtime.builder()
                .engine(RedisEngine.connect(server.uri()))
                .history(History.unlimited())
                .build();
        RedisClient client = RedisClient.create(server.uri());
        var admin = client.connect()) {
      RedisCommands<String, String> redis = admin.sync();
      Channel ch = realtime.channel("flush-order");
      AtomicBoolean stop = new AtomicBoolean();
      Thread flusher =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (!stop.get()) {
                      redis.scriptFlush();
                      redis.scriptLoad(script); // another process, loading it again
                      LockSupport.parkNanos(random.nextInt(2_000_000));
                    }
                  });
      List<CompletableFuture<String>> emits = new ArrayList<>();
      int failed = 0;
      List<Integer> stored = new ArrayList<>();
      try {
        for (int round = 0; round < 20 && failed == 0; round++) {
          int from = emits.size();
          for (int i = 0; i < 5_000; i++) emits.add(ch.emitAsync("n", from + i));
          for (int i = from; i < emits.size(); i++) {
            try {
              emits.get(i).get(30, TimeUnit.SECONDS);
              stored.add(i);
            } catch (java.util.concurrent.ExecutionException e) {
              failed++;
              assertThat(e.getCause())
                  .hasMessageContaining("script cache")
                  .hasMessageContaining("nothing was stored");
            }
          }
        }
      } finally {
        stop.set(true);
        flusher.join();
      }
      List<Integer> inStream = new ArrayList<>();
      for (var entry : redis.xrange("flush-order", io.lettuce.core.Range.create("-", "+"))) {
        inStream.add(Integer.parseInt(entry.getBody().get("data")));
      }
      int at = 0;
      while (at < Math.min(inStream.size(), stored.size())
          && inStream.get(at).equals(stored.get(at))) at++;
      assertThat(at == inStream.size() && at == stored.size())
          .as(
              "the stream holds what was stored, in emit order; from index %d the stream has %s,"
                  + " the emits that succeeded %s (seed %d)",
              at,
              inStream.subList(at, Math.min(at + 6, inStream.size())),
              stored.subList(at, Math.min(at + 6, stored.size())),
              seed)
          .isTrue();
      assertThat(failed).as("some emits met an emptied cache (seed %d)", seed).isPositive();
    }
  }

  /** The commands Redis ran, by name, from {@code INFO commandstats}. */
  private static Map<String, Long> calls(RedisCommands<String, String> redis) {
    Map<String, Long> calls = new java.util.HashMap<>();
    for (String line : redis.info("commandstats").split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) continue;
      String name = line.substring("cmdstat_".length(), line.indexOf(':'));
      String count = line.substring(line.indexOf("calls=") + 6);
      calls.put(name, Long.parseLong(count.substring(0, count.indexOf(','))));
    }
    return calls;
  }

  /**
   * A connection loads the scripts when it opens, so calls go by SHA1 and never find the script
   * missing, also on the connections opened after Redis restarted with an empty cache.
   */
  @Test
  void connectionsLoadTheScriptsFirstAndThenSendOnlyTheirSha1() {
    try (RedisServer server = RedisServer.start();
        Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      Channel ch = realtime.channel("loaded");
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 20; i++) ch.emit("n", i);
        assertThat(ch.history()).hasSizeGreaterThanOrEqualTo(20);
        try (RedisClient client = RedisClient.create(server.uri());
            var admin = client.connect()) {
          Map<String, Long> calls = calls(admin.sync());
          assertThat(calls.get("evalsha")).isGreaterThanOrEqualTo(21);
          assertThat(calls.get("script|load")).isGreaterThanOrEqualTo(2);
          assertThat(calls).doesNotContainKey("eval");
        }
        server.kill();
        server.restart(); // an empty script cache, and the engine's connections gone
        await()
            .atMost(Duration.ofSeconds(10))
            .ignoreExceptions()
            .until(() -> ch.emit("n", -1) != null);
      }
    }
  }

  /**
   * Where an ACL refuses SCRIPT LOAD, the engine sends the scripts' text with each call, and
   * everything works.
   */
  @Test
  void withoutScriptLoadTheScriptsGoAsText() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        var admin = client.connect()) {
      // SCRIPT refused, EVAL and EVALSHA allowed
      admin
          .sync()
          .aclSetuser(
              "limited",
              AclSetuserArgs.Builder.on()
                  .addPassword("pw")
                  .allKeys()
                  .allChannels()
                  .allCommands()
                  .removeCommand(CommandType.SCRIPT));
      String uri = "redis://limited:pw@127.0.0.1:" + server.port();
      try (Realtime realtime = Realtime.builder().engine(RedisEngine.connect(uri)).build()) {
        Channel ch = realtime.channel("as-text");
        List<Object> received = new CopyOnWriteArrayList<>();
        try (var sub = ch.subscribe(Subscribe.toAll().onData(m -> received.add(m.data())))) {
          ch.emit("n", 1);
          ch.emit("n", 2);
          await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
        }
        assertThat(ch.history()).extracting(HistoryMessage::data).containsExactly(1, 2);
      }
      Map<String, Long> calls = calls(admin.sync());
      assertThat(calls.get("eval")).isGreaterThanOrEqualTo(3); // two appends and the reads
      assertThat(calls).doesNotContainKey("evalsha");
    }
  }

  /**
   * A connection that opened while Redis was busy (another client's script running: SCRIPT LOAD
   * answered BUSY) loads its script again later, and goes back to calls by SHA1: a passing error is
   * not taken for an ACL's refusal, which would send the whole script with every emit for as long
   * as the connection stays open.
   */
  @Test
  void aConnectionOpenedWhileRedisWasBusyGoesBackToSha1Calls() throws Exception {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        var admin = client.connect();
        Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      RedisCommands<String, String> redis = admin.sync();
      redis.configSet("busy-reply-threshold", "100");
      Channel ch = realtime.channel("busy");
      ch.emit("n", 0);
      // The engine's command connections drop (a network blip, a proxy restart...)
      redis.clientKill(io.lettuce.core.KillArgs.Builder.typeNormal().skipme(true));
      Thread.sleep(300);
      // ... and reconnect while some other client runs a long script.
      try (RedisClient other = RedisClient.create(server.uri());
          var busy = other.connect()) {
        var running = busy.async().eval("while true do end", ScriptOutputType.STATUS);
        Thread.sleep(300);
        try {
          ch.emit("n", 1); // reconnects: SCRIPT LOAD answered -BUSY
        } catch (RuntimeException e) {
          // may fail while Redis is busy: what matters is what comes after
        }
        redis.scriptKill();
        try {
          running.get();
        } catch (Exception expected) {
          // killed
        }
      }
      Thread.sleep(1500); // past retryAfter
      for (int i = 0; i < 50; i++) {
        try {
          ch.emit("n", 2);
          break;
        } catch (RuntimeException e) {
          Thread.sleep(200);
        }
      }
      redis.configResetstat();
      for (int i = 0; i < 20; i++) ch.emit("n", 100 + i);
      Map<String, Long> calls = calls(redis);
      assertThat(calls.getOrDefault("eval", 0L))
          .as("emits that sent the whole append script as text (EVAL), %s", calls)
          .isZero();
    }
  }
}
