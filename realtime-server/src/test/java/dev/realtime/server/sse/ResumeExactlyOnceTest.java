package dev.realtime.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import dev.realtime.server.SseRecorder.Frame;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that drop at random moments while emitters write to several channels, and come back with
 * {@code Last-Event-ID} (EventSource) or {@code last_ack_<channel>} (the original client): every
 * message arrives exactly once, in order per channel. Seeded: {@code -Dseed=} replays a run.
 */
class ResumeExactlyOnceTest {
  static final List<String> CHANNELS = List.of("alpha", "beta", "gamma,δ");
  static final int PER_CHANNEL = 400;

  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime).config(ServerConfig.builder().port(0).build()).start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  @Test
  void lastEventIdResumesExactlyOnce() throws Exception {
    run(true);
  }

  @Test
  void lastAckPerChannelResumesExactlyOnce() throws Exception {
    run(false);
  }

  private void run(boolean withLastEventId) throws Exception {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("ResumeExactlyOnceTest seed=" + seed + " lastEventId=" + withLastEventId);
    Random random = new Random(seed);
    Map<String, List<String>> emitted = new ConcurrentHashMap<>();
    AtomicBoolean emitting = new AtomicBoolean(true);
    List<Thread> emitters = new ArrayList<>();
    for (String c : CHANNELS) {
      emitted.put(c, java.util.Collections.synchronizedList(new ArrayList<>()));
      long emitterSeed = random.nextLong();
      emitters.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    Random r = new Random(emitterSeed);
                    var ch = realtime.channel(c);
                    for (int i = 0; i < PER_CHANNEL; i++) {
                      emitted.get(c).add(ch.emit("n", Map.of("seq", i)));
                      sleep(r.nextInt(4));
                    }
                  }));
    }
    StringBuilder query = new StringBuilder();
    for (String c : CHANNELS) {
      if (query.length() > 0) query.append('&');
      String encoded = URLEncoder.encode(c, StandardCharsets.UTF_8);
      query.append("channel=").append(encoded);
      // EventSource repeats its first URL on every reconnect: Date.now()-style time 0 here, and
      // the Last-Event-ID header (which takes precedence) carries the real positions.
      if (withLastEventId) query.append("&last_ack_").append(encoded).append("=0");
    }
    Map<String, List<String>> received = new HashMap<>();
    CHANNELS.forEach(c -> received.put(c, new ArrayList<>()));
    Map<String, String> lastAck = new HashMap<>();
    CHANNELS.forEach(c -> lastAck.put(c, "0-0")); // from the beginning, as the URL of the other run
    String lastEventId = null;
    int connections = 0;
    while (received.values().stream().mapToInt(List::size).sum() < CHANNELS.size() * PER_CHANNEL) {
      connections++;
      StringBuilder url = new StringBuilder(server.url() + "/api/realtime?" + query);
      Map<String, String> headers = new HashMap<>();
      if (withLastEventId && lastEventId != null) headers.put("Last-Event-ID", lastEventId);
      if (!withLastEventId) {
        lastAck.forEach(
            (c, id) ->
                url.append("&last_ack_")
                    .append(URLEncoder.encode(c, StandardCharsets.UTF_8))
                    .append('=')
                    .append(id));
      }
      int take = 1 + random.nextInt(120);
      try (SseRecorder sse = SseRecorder.open(url.toString(), headers)) {
        assertThat(sse.status()).isEqualTo(200);
        int got = 0;
        while (got < take) {
          Frame f = sse.poll(connections == 1 ? 5000 : 1000);
          if (f == null) break; // everything was delivered
          if (f.id() != null) lastEventId = f.id();
          if (f.data() == null) continue; // a ping, or an id-only frame
          if (!f.type().equals("event")) {
            assertThat(f.type()).as("frame %s", f).isEqualTo("connected");
            continue;
          }
          String channel = f.json().get("channel").asString();
          received.get(channel).add(f.json().get("id").asString());
          lastAck.put(channel, f.json().get("id").asString());
          got++;
        }
      } // dropped: the client closes mid-stream, whatever the server is writing
      if (connections == 1 && lastEventId == null) throw new AssertionError("no id at all");
      if (connections > Integer.getInteger("maxConnections", 2000))
        break; // reported below with what is missing
    }
    for (Thread t : emitters) t.join();
    for (String c : CHANNELS) {
      if (!received.get(c).equals(emitted.get(c))) {
        System.out.println(
            c
                + ": received "
                + received.get(c).size()
                + " of "
                + emitted.get(c).size()
                + "; last received "
                + (received.get(c).isEmpty()
                    ? "-"
                    : received.get(c).get(received.get(c).size() - 1))
                + "; last Last-Event-ID "
                + lastEventId
                + "; lastAck "
                + lastAck);
      }
    }
    for (String c : CHANNELS) {
      assertThat(received.get(c)).as("channel %s (seed %d)", c, seed).isEqualTo(emitted.get(c));
    }
    System.out.println("  " + connections + " connections");
    assertThat(connections).isGreaterThan(5);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
