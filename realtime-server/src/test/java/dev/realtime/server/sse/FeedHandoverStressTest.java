package dev.realtime.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.spi.EntryId;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Streams hand over between their own subscription and the channel's shared live feed in both
 * directions while emitters write: clients start live, after an id ({@code last_ack} or {@code
 * Last-Event-ID}) or with history, some filter events, some take two channels, and many read slowly
 * with pauses, so their sockets back up and their channels leave the feed and rejoin it. Every
 * client must receive exactly the entries after the position its {@code connected} frame names,
 * once each, in log order. Seeded: {@code -Dseed=} replays a run.
 */
class FeedHandoverStressTest {
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final List<String> CHANNELS = List.of("feed-a", "feed-b");
  static final int HISTORY = 150;
  static final int LIVE_EVENTS = 1_200;
  static final int CLIENTS = 24;
  static final int BURST_CLIENTS = 400;
  static final String PAD = "p".repeat(1500);

  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime)
          .config(ServerConfig.builder().port(0).maxBufferedBytes(32 * 1024).build())
          .start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  /** What the log holds per channel, in order: id and event name. */
  final Map<String, List<String[]>> log = new ConcurrentHashMap<>();

  volatile String pad = PAD;

  @Test
  void everyClientGetsExactlyTheEntriesAfterItsPositionWhateverItsPace() throws Exception {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("FeedHandoverStressTest seed=" + seed);
    Random random = new Random(seed);
    for (String c : CHANNELS) log.put(c, Collections.synchronizedList(new ArrayList<>()));
    for (int i = 0; i < HISTORY; i++) emit(random, i);

    List<Client> clients = new CopyOnWriteArrayList<>();
    List<Thread> threads = new ArrayList<>();
    Thread emitter =
        Thread.ofPlatform()
            .start(
                () -> {
                  Random r = new Random(seed + 1);
                  for (int i = 0; i < LIVE_EVENTS; i++) {
                    emit(r, HISTORY + i);
                    if (i % 20 == 0) sleep(r.nextInt(8));
                  }
                });
    for (int k = 0; k < CLIENTS; k++) {
      Client client = new Client(k, new Random(random.nextLong()));
      clients.add(client);
      threads.add(Thread.ofPlatform().name("client-" + k).start(client::run));
      Thread.sleep(random.nextInt(60));
    }
    emitter.join();
    for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(90));

    for (Client c : clients) {
      assertThat(c.failure).as("client %d (%s)", c.k, c.describe).isNull();
      for (String channel : c.channels) {
        List<String> expected = new ArrayList<>();
        EntryId after = EntryId.parse(c.start.get(channel));
        for (String[] e : List.copyOf(log.get(channel))) {
          if (EntryId.parse(e[0]).isAfter(after) && (c.events == null || c.events.contains(e[1]))) {
            expected.add(e[0]);
          }
        }
        assertThat(c.received.get(channel))
            .as("client %d (%s), channel %s", c.k, c.describe, channel)
            .containsExactlyElementsOf(expected);
      }
    }
    System.out.println(
        "FeedHandoverStressTest: channels left the live feed "
            + (long) server.metrics().laggedCount()
            + " times; "
            + (long) server.metrics().slowConsumersDropped()
            + " dropped");
    assertThat(server.metrics().laggedCount()).as("slow readers left the feed").isPositive();
    assertThat(server.metrics().slowConsumersDropped()).isZero();
  }

  /**
   * Hundreds of live connections on one channel and a burst of entries from two emitters: the loops
   * write runs of entries connection by connection and yield between slices; every connection still
   * gets every entry once, in order.
   */
  @Test
  void aBurstReachesHundredsOfConnectionsWholeAndInOrder() throws Exception {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("FeedHandoverStressTest burst seed=" + seed);
    Random random = new Random(seed);
    pad = "p".repeat(100);
    for (String c : CHANNELS) log.put(c, Collections.synchronizedList(new ArrayList<>()));
    for (int i = 0; i < HISTORY; i++) emit(random, i);
    List<Client> clients = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < BURST_CLIENTS; k++) {
      Client client = new Client(k, new Random(random.nextLong()), true);
      clients.add(client);
      threads.add(Thread.ofVirtual().start(client::run));
    }
    while (clients.stream().anyMatch(c -> c.start.isEmpty() && c.failure == null)) {
      Thread.sleep(10);
    }
    List<Thread> emitters = new ArrayList<>();
    int perEmitter = LIVE_EVENTS / 2;
    for (int t = 0; t < 2; t++) {
      long s = random.nextLong();
      emitters.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    Random r = new Random(s);
                    for (int i = 0; i < perEmitter; i++) emit(r, HISTORY + i);
                  }));
    }
    for (Thread t : emitters) t.join();
    for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(90));
    for (Client c : clients) {
      assertThat(c.failure).as("client %d", c.k).isNull();
      for (String channel : c.channels) {
        EntryId after = EntryId.parse(c.start.get(channel));
        List<String> expected = new ArrayList<>();
        for (String[] e : List.copyOf(log.get(channel))) {
          if (EntryId.parse(e[0]).isAfter(after)) expected.add(e[0]);
        }
        assertThat(c.received.get(channel))
            .as("client %d, channel %s", c.k, channel)
            .containsExactlyElementsOf(expected);
      }
    }
  }

  /**
   * A reader resuming far back replays through a socket that keeps backing up, joins the feed, and
   * leaves it again while entries keep coming: it must resume each time from what it was really
   * written, never from where it started (which would repeat the replay).
   */
  @Test
  void aSlowReaderResumingFarBackLeavesAndRejoinsTheFeedWithoutRepeats() throws Exception {
    for (String c : CHANNELS) log.put(c, Collections.synchronizedList(new ArrayList<>()));
    Random random = new Random(7);
    for (int i = 0; i < 300; i++) emitTo(CHANNELS.get(0), "tick", i);
    String resumeAt = log.get(CHANNELS.get(0)).get(100)[0];
    List<Client> clients = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      Client c = new Client(k, resumeAt, 2 + k, 15);
      clients.add(c);
      threads.add(Thread.ofPlatform().start(c::run));
    }
    for (int i = 0; i < LIVE_EVENTS + HISTORY - 300; i++) {
      emitTo(CHANNELS.get(0), "tick", 300 + i);
      if (i % 10 == 0) Thread.sleep(random.nextInt(15));
    }
    for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(120));
    for (Client c : clients) {
      assertThat(c.failure).as("client %d (%s)", c.k, c.describe).isNull();
      List<String> expected = new ArrayList<>();
      for (String[] e : log.get(CHANNELS.get(0)).subList(101, log.get(CHANNELS.get(0)).size())) {
        expected.add(e[0]);
      }
      assertThat(c.received.get(CHANNELS.get(0)))
          .as("client %d (%s)", c.k, c.describe)
          .containsExactlyElementsOf(expected);
    }
    assertThat(server.metrics().laggedCount()).as("the readers left the feed").isPositive();
  }

  private void emitTo(String channel, String event, int seq) {
    synchronized (log.get(channel)) {
      String id = realtime.channel(channel).emit(event, Map.of("seq", seq, "pad", pad)).toString();
      log.get(channel).add(new String[] {id, event});
    }
  }

  private void emit(Random r, int seq) {
    emitTo(CHANNELS.get(r.nextInt(4) == 0 ? 1 : 0), r.nextBoolean() ? "tick" : "tock", seq);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A raw-socket SSE client with its own pace: reads chunk by chunk, pausing at random. */
  final class Client {
    final int k;
    final Random random;
    final List<String> channels;
    final Set<String> events;
    final String query;
    final String lastEventId;
    final String describe;
    final int pauseEvery;
    int pauseMs = -1; // -1: mostly 5 ms, sometimes 200 to 1000 ms
    final Map<String, String> start = new TreeMap<>();
    final Map<String, List<String>> received = new ConcurrentHashMap<>();
    volatile Throwable failure;

    Client(int k, Random random) {
      this(k, random, false);
    }

    /** A one-channel client resuming after {@code lastEventId}, pausing as told. */
    Client(int k, String lastEventId, int pauseEvery, int pauseMs) {
      this.k = k;
      this.random = new Random(k);
      this.channels = List.of(CHANNELS.get(0));
      this.events = null;
      this.query = "channel=" + CHANNELS.get(0);
      this.lastEventId = lastEventId;
      this.pauseEvery = pauseEvery;
      this.pauseMs = pauseMs;
      this.describe = "Last-Event-ID, pauses " + pauseMs + " ms every " + pauseEvery + " frames";
      received.put(CHANNELS.get(0), new ArrayList<>());
    }

    /** {@code burst}: a live, fast reader of the first channel. */
    Client(int k, Random random, boolean burst) {
      this.k = k;
      this.random = random;
      this.channels = !burst && random.nextInt(4) == 0 ? CHANNELS : List.of(CHANNELS.get(0));
      this.events = !burst && random.nextInt(4) == 0 ? Set.of("tick") : null;
      int mode = burst ? 0 : random.nextInt(4);
      StringBuilder q = new StringBuilder();
      String lei = null;
      String how;
      for (String c : channels) {
        q.append("&channel=").append(c);
        received.put(c, new ArrayList<>());
      }
      if (events != null) q.append("&events=tick");
      List<String[]> history = List.copyOf(log.get(CHANNELS.get(0)));
      String resumeAt = history.get(random.nextInt(history.size()))[0];
      switch (mode) {
        case 0 -> how = "live";
        case 1 -> {
          how = "history";
          q.append("&history=").append(1 + random.nextInt(100));
        }
        case 2 -> {
          how = "last_ack";
          for (String c : channels) q.append("&last_ack_").append(c).append('=').append(resumeAt);
        }
        default -> {
          how = "Last-Event-ID";
          lei =
              channels.size() == 1
                  ? resumeAt
                  : StreamRequest.encode(
                      channels, channels.stream().map(c -> resumeAt).toArray(String[]::new), false);
        }
      }
      this.query = q.substring(1);
      this.lastEventId = lei;
      this.pauseEvery = burst || random.nextInt(3) == 0 ? 0 : 5 + random.nextInt(60);
      this.describe =
          how
              + ", channels "
              + channels
              + (events == null ? "" : ", events=tick")
              + (pauseEvery == 0 ? ", fast" : ", pauses every " + pauseEvery + " frames");
    }

    void run() {
      try (Socket socket = new Socket()) {
        socket.setReceiveBufferSize(8 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
        socket.setSoTimeout(30_000);
        String request =
            "GET /api/realtime?"
                + query
                + " HTTP/1.1\r\nHost: x\r\n"
                + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n")
                + "\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
        InputStream in = new BufferedInputStream(socket.getInputStream(), 4096);
        String status = line(in);
        if (!status.contains(" 200 ")) throw new AssertionError("status " + status);
        while (!line(in).isEmpty()) {
          // headers
        }
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        int frames = 0;
        while (!done()) {
          int size = Integer.parseInt(line(in), 16);
          if (size == 0) throw new AssertionError("the server ended the stream");
          byte[] chunk = in.readNBytes(size);
          line(in);
          frame.write(chunk);
          String text = frame.toString(StandardCharsets.UTF_8);
          int end;
          while ((end = text.indexOf("\n\n")) >= 0) {
            onFrame(text.substring(0, end));
            text = text.substring(end + 2);
            frames++;
            if (pauseEvery > 0 && frames % pauseEvery == 0) {
              Thread.sleep(
                  pauseMs >= 0 ? pauseMs : random.nextInt(10) == 0 ? 200 + random.nextInt(800) : 5);
            }
          }
          frame.reset();
          frame.write(text.getBytes(StandardCharsets.UTF_8));
        }
      } catch (Throwable t) {
        failure = t;
      }
    }

    private boolean done() {
      if (start.size() < channels.size()) return false;
      // The emitter first: once it is done the log is final, so being caught up with the log's
      // last entry means being done. Checked after the channels, the emitter could append entries
      // between the two checks and the client would stop short of them.
      if (!emitterDone()) return false;
      for (String c : channels) {
        List<String[]> entries = log.get(c);
        String last;
        synchronized (entries) {
          if (entries.size() < HISTORY / 4) return false;
          last = lastMatching(entries);
        }
        List<String> got = received.get(c);
        if (last == null || EntryId.parse(last).compareTo(EntryId.parse(start.get(c))) <= 0) {
          continue;
        }
        if (got.isEmpty() || !got.get(got.size() - 1).equals(last)) return false;
      }
      return true;
    }

    private String lastMatching(List<String[]> entries) {
      for (int i = entries.size() - 1; i >= 0; i--) {
        if (events == null || events.contains(entries.get(i)[1])) return entries.get(i)[0];
      }
      return null;
    }

    private boolean emitterDone() {
      int total = 0;
      for (List<String[]> l : log.values()) total += l.size();
      return total == HISTORY + LIVE_EVENTS;
    }

    private void onFrame(String text) {
      String data = null;
      String id = null;
      for (String l : text.split("\n")) {
        if (l.startsWith("data: ")) data = l.substring(6);
        if (l.startsWith("id: ")) id = l.substring(4);
      }
      if (data == null) return; // a heartbeat
      JsonNode json = JSON.readTree(data);
      JsonNode type = json.get("type");
      if (type != null) {
        switch (type.asString()) {
          case "connected" -> {
            if (id != null) {
              if (channels.size() == 1) {
                start.put(channels.get(0), id);
              } else {
                start.putAll(StreamRequest.decode(id, channels));
              }
            }
          }
          case "ping" -> {}
          default -> throw new AssertionError("unexpected frame " + data);
        }
        return;
      }
      received.get(json.get("channel").asString()).add(json.get("id").asString());
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) throw new IOException("the server closed the connection");
      if (c != '\r') b.append((char) c);
    }
    return b.toString();
  }
}
