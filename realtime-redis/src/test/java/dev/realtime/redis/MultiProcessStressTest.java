package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Several JVMs emit to one channel at once while subscribers in this JVM and in another one join:
 * each must receive exactly the stream's sequence from its starting point, even though PUBLISH
 * order can differ from stream order when emitters race. A writer that behaves like the original
 * (XADD, then PUBLISH of its envelope, without "prev", in a second round trip that is sometimes
 * late) writes among them, so readers that take entries from this engine's envelopes find their
 * chain broken at random points and must fall back to reading the stream. Seeded: {@code -Dseed=N}
 * replays a run.
 */
class MultiProcessStressTest {

  static List<Long> seeds() {
    String fixed = System.getProperty("seed");
    return fixed != null ? List.of(Long.parseLong(fixed)) : List.of(System.nanoTime());
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void everyProcessSeesTheStreamExactlyOnceInOrder(long seed) throws Exception {
    System.out.println(
        "MultiProcessStressTest seed=" + seed + " (replay with -Dseed=" + seed + ")");
    Random random = new Random(seed);
    int emitters = 3, perEmitter = 300 + random.nextInt(700);
    int foreignWrites = 50 + random.nextInt(200);
    int total = emitters * perEmitter + foreignWrites;
    String channel = "multi-" + seed;
    List<Process> children = new ArrayList<>(); // other JVMs, ended even if the test fails
    try (RedisServer server = RedisServer.start();
        Realtime local = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      Process remoteSubscriber =
          ChildProcesses.start(
              ChildProcesses.Subscriber.class, server.uri(), channel, Integer.toString(total));
      children.add(remoteSubscriber);
      BufferedReader remoteOut =
          new BufferedReader(
              new InputStreamReader(remoteSubscriber.getInputStream(), StandardCharsets.UTF_8));
      assertThat(remoteOut.readLine()).isEqualTo("ready");

      ConcurrentLinkedQueue<String> fromStart = new ConcurrentLinkedQueue<>();
      local
          .channel(channel)
          .subscribe(Subscribe.toAll().after("0-0").onData(m -> fromStart.add(m.id())));
      List<Process> emitterProcesses = new ArrayList<>();
      for (int e = 0; e < emitters; e++) {
        emitterProcesses.add(
            ChildProcesses.start(
                ChildProcesses.Emitter.class,
                server.uri(),
                channel,
                Integer.toString(perEmitter),
                Long.toString(random.nextLong())));
        children.add(emitterProcesses.getLast());
      }
      Thread foreign =
          writeLikeTheOriginal(server.uri(), channel, foreignWrites, random.nextLong());
      // Late joiners in this JVM: with a replay of the newest n, while the emitters run.
      List<ConcurrentLinkedQueue<String>> joiners = new ArrayList<>();
      for (int j = 0; j < 4; j++) {
        Thread.sleep(50 + random.nextInt(150));
        ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
        local
            .channel(channel)
            .subscribe(
                Subscribe.toAll()
                    .history(HistoryQuery.latest(1 + random.nextInt(300)))
                    .onData(m -> got.add(m.id())));
        joiners.add(got);
      }
      for (Process p : emitterProcesses) {
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
      }
      foreign.join(60_000);
      assertThat(foreign.isAlive()).isFalse();

      List<String> stream = readStream(server.uri(), channel);
      assertThat(stream).hasSize(total);
      String last = stream.get(total - 1);

      List<String> remote = new ArrayList<>();
      String line;
      while (remote.size() < total && (line = remoteOut.readLine()) != null) remote.add(line);
      remoteSubscriber.waitFor(10, TimeUnit.SECONDS);
      assertThat(remote).as("the other JVM, seed " + seed).containsExactlyElementsOf(stream);

      await().atMost(Duration.ofSeconds(20)).until(() -> fromStart.contains(last));
      assertThat(new ArrayList<>(fromStart))
          .as("from the start, seed " + seed)
          .containsExactlyElementsOf(stream);
      for (int j = 0; j < joiners.size(); j++) {
        ConcurrentLinkedQueue<String> got = joiners.get(j);
        await().atMost(Duration.ofSeconds(20)).until(() -> got.contains(last));
        List<String> received = new ArrayList<>(got);
        int start = stream.indexOf(received.get(0));
        assertThat(received)
            .as("joiner " + j + ", seed " + seed)
            .containsExactlyElementsOf(stream.subList(start, total));
      }
    } finally {
      for (Process p : children) p.destroyForcibly();
    }
  }

  /**
   * Writes as the original does: XADD with its fields, then, in a second round trip, PUBLISH of the
   * envelope without "prev"; a quarter of the publishes come a few milliseconds late.
   */
  private static Thread writeLikeTheOriginal(String uri, String channel, int writes, long seed) {
    return Thread.ofPlatform()
        .name("original-writer")
        .start(
            () -> {
              Random random = new Random(seed);
              RedisClient client = RedisClient.create(uri);
              try (StatefulRedisConnection<String, String> c = client.connect()) {
                // Among the emitters, not before them (their JVMs take a while to start).
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (c.sync().xlen(channel) == 0 && System.nanoTime() < deadline) {
                  Thread.sleep(1);
                }
                for (int i = 0; i < writes; i++) {
                  String data = "{\"foreign\":" + i + "}";
                  String id =
                      c.sync().xadd(channel, "data", data, "event", "n", "channel", channel);
                  if (random.nextInt(4) == 0) Thread.sleep(random.nextInt(3));
                  c.sync()
                      .publish(
                          channel,
                          "{\"data\":"
                              + data
                              + ",\"event\":\"n\",\"channel\":\""
                              + channel
                              + "\",\"id\":\""
                              + id
                              + "\"}");
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                client.shutdown();
              }
            });
  }

  private static List<String> readStream(String uri, String key) {
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      List<String> ids = new ArrayList<>();
      for (StreamMessage<String, String> m : c.sync().xrange(key, Range.create("-", "+"))) {
        ids.add(m.getId());
      }
      return ids;
    } finally {
      client.shutdown();
    }
  }
}
