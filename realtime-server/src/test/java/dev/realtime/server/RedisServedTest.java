package dev.realtime.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Realtime;
import dev.realtime.redis.RedisEngine;
import dev.realtime.redis.RedisServer;
import dev.realtime.server.HttpCalls.Answer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server on the Redis engine: two servers on one Redis see each other's events, and with Redis
 * killed, health says 503, emits answer 503, and streams resume once it is back.
 */
class RedisServedTest {
  // Started in @BeforeEach, not in field initializers: if one of them fails, @AfterEach still
  // runs and closes the redis-server started before it.
  RedisServer redis;
  RedisEngine engineA;
  RedisEngine engineB;
  Realtime realtimeA;
  Realtime realtimeB;
  RealtimeServer a;
  RealtimeServer b;

  @BeforeEach
  void start() {
    redis = RedisServer.startPersistent();
    engineA = RedisEngine.connect(redis.uri());
    engineB = RedisEngine.connect(redis.uri());
    realtimeA = Realtime.builder().engine(engineA).build();
    realtimeB = Realtime.builder().engine(engineB).build();
    a = RealtimeServer.builder(realtimeA).config(ServerConfig.builder().port(0).build()).start();
    b = RealtimeServer.builder(realtimeB).config(ServerConfig.builder().port(0).build()).start();
  }

  @AfterEach
  void close() {
    try {
      if (a != null) a.close();
      if (b != null) b.close();
      if (realtimeA != null) realtimeA.close();
      if (realtimeB != null) realtimeB.close();
      if (engineA != null) engineA.close();
      if (engineB != null) engineB.close();
    } finally {
      if (redis != null) redis.close();
    }
  }

  /** A key of another type is a lasting conflict, not an outage: 409, never "try again later". */
  @Test
  void aChannelWhoseKeyIsNotAStreamIsA409() {
    var client = io.lettuce.core.RedisClient.create(redis.uri());
    try (var connection = client.connect()) {
      connection.sync().set("plain", "x");
    } finally {
      client.shutdown();
    }
    String api = a.url() + "/api/realtime";
    for (Answer answer :
        java.util.List.of(
            HttpCalls.post(api + "/channels/plain/events", "{\"event\":\"n\",\"data\":1}"),
            HttpCalls.get(api + "/channels/plain/history"),
            HttpCalls.get(api + "?channel=plain"))) {
      assertThat(answer.status()).as(answer.body()).isEqualTo(409);
      assertThat(answer.error())
          .contains("holds a string, not a stream")
          .contains("cannot be used until that data is removed");
    }
    // On the same keep-alive connection as the refused stream: it answers again (it went silent
    // once, since the refused stream had marked the connection as streaming).
    assertThat(HttpCalls.get(a.url() + "/healthz").status()).isEqualTo(200);

    // A multi-channel emit stores what it can and says which channels failed and which were
    // stored (with their ids), so a client retries only the failed ones.
    Answer partly =
        HttpCalls.post(
            api + "/events", "{\"channels\":[\"fine\",\"plain\"],\"event\":\"n\",\"data\":2}");
    assertThat(partly.status()).as(partly.body()).isEqualTo(409);
    assertThat(partly.error()).contains("holds a string");
    String stored = partly.json().get("ids").get("fine").asString();
    assertThat(partly.json().get("ids").has("plain")).isFalse();
    assertThat(partly.json().get("failed").get("plain").asString()).contains("holds a string");
    assertThat(realtimeA.channel("fine").history())
        .extracting(dev.realtime.HistoryMessage::id)
        .containsExactly(stored);
  }

  @Test
  void twoServersOnOneRedisSurviveARedisRestart() {
    try (SseRecorder sse = SseRecorder.open(b.url() + "/api/realtime?channel=room")) {
      sse.expectType("connected");
      Answer first =
          HttpCalls.post(
              a.url() + "/api/realtime/channels/room/events", "{\"event\":\"n\",\"data\":1}");
      assertThat(first.status()).isEqualTo(201);
      assertThat(sse.events(1).get(0).id()).isEqualTo(first.json().get("id").asString());

      redis.kill();
      assertThat(HttpCalls.get(a.url() + "/healthz").status()).isEqualTo(503);
      Answer refused =
          HttpCalls.post(
              a.url() + "/api/realtime/channels/room/events", "{\"event\":\"n\",\"data\":2}");
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.error()).contains("engine");

      redis.restart();
      sleep(RedisEngine.Builder.DEFAULT_RETRY_AFTER.toMillis() + 100); // past the fail-fast pause
      // The first emit after the outage reconnects and goes through: no 503 to retry.
      Answer third =
          HttpCalls.post(
              a.url() + "/api/realtime/channels/room/events", "{\"event\":\"n\",\"data\":3}");
      assertThat(third.status()).as(third.body()).isEqualTo(201);
      long emitted = System.nanoTime();
      var next = sse.events(1).get(0);
      assertThat(next.id()).isEqualTo(third.json().get("id").asString());
      assertThat(next.json().get("data").asInt()).isEqualTo(3);
      // Live delivery is back within about a second (Lettuce alone could wait 30 s to reconnect).
      assertThat(Duration.ofNanos(System.nanoTime() - emitted)).isLessThan(Duration.ofSeconds(5));
    }
  }

  /**
   * A stream that opens while Redis is away, resuming from a position, gets its replay once Redis
   * is back, with nothing emitted after: its failed read is retried, not left waiting for an append
   * that never comes.
   */
  @Test
  void aStreamThatCouldNotReadDuringAnOutageCatchesUpWithoutANewEmit() {
    var channel = realtimeA.channel("quiet");
    String first = channel.emit("n", 1);
    String second = channel.emit("n", 2);
    try (SseRecorder live = SseRecorder.open(b.url() + "/api/realtime?channel=quiet")) {
      live.expectType("connected");
      redis.kill();
      try (SseRecorder resumed =
          SseRecorder.open(b.url() + "/api/realtime?channel=quiet&last_ack_quiet=0-0")) {
        redis.restart();
        long back = System.nanoTime();
        if (resumed.status() == 200) {
          // Opened before the kill reached the server: it replays once Redis is back.
          assertThat(resumed.events(2))
              .extracting(SseRecorder.Frame::id)
              .containsExactly(first, second);
          assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(Duration.ofSeconds(8));
        } else {
          assertThat(resumed.status()).isEqualTo(503);
        }
      }
      // Nothing was emitted meanwhile, so the live stream has nothing to catch up on; it still
      // gets what comes next.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  HttpCalls.post(
                              a.url() + "/api/realtime/channels/quiet/events",
                              "{\"event\":\"n\",\"data\":3}")
                          .status()
                      == 201);
      assertThat(live.events(1).get(0).json().get("data").asInt()).isEqualTo(3);
    }
  }

  /**
   * A long history answer over Redis is what one read returns, sent in pages (the newest entries
   * too); Redis killed halfway through one cuts it short: never a JSON array that looks whole.
   */
  @Test
  void aLongHistoryAnswerComesInPagesAndIsCutShortWhenRedisDiesHalfway() throws Exception {
    var channel = realtimeA.channel("long");
    java.util.List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 400; i++)
      ids.add(channel.emit("n", "z".repeat(i % 5 == 0 ? 60_000 : 50) + i));
    String api = b.url() + "/api/realtime/channels/long/history";
    var mapper = tools.jackson.databind.json.JsonMapper.builder().build();
    var oldest = mapper.readTree(HttpCalls.get(api).body());
    assertThat(oldest.size()).isEqualTo(400);
    assertThat(oldest.get(399).get("id").asString()).isEqualTo(ids.get(399));
    var newest =
        mapper.readTree(HttpCalls.get(api + "?latest=true&limit=300&after=" + ids.get(50)).body());
    assertThat(newest.size()).isEqualTo(300);
    assertThat(newest.get(0).get("id").asString()).isEqualTo(ids.get(100));
    assertThat(newest.get(299).get("data").asString()).endsWith("399");

    for (int i = 0; i < 600; i++) channel.emit("n", "y".repeat(100_000)); // 60 MB to read
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", b.port())) {
      socket.setReceiveBufferSize(64 * 1024);
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              "GET /api/realtime/channels/long/history?latest=true HTTP/1.1\r\nHost: x\r\n\r\n"
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      var in = socket.getInputStream();
      byte[] head = in.readNBytes(200_000); // the answer started
      assertThat(new String(head, java.nio.charset.StandardCharsets.ISO_8859_1))
          .startsWith("HTTP/1.1 200")
          .containsIgnoringCase("transfer-encoding: chunked");
      redis.kill();
      var rest = new java.io.ByteArrayOutputStream();
      try {
        in.transferTo(rest); // to the server's close
      } catch (java.io.IOException reset) {
        // cut: as good as a close
      }
      assertThat(rest.size()).isLessThan(60_000_000);
      assertThat(rest.toString(java.nio.charset.StandardCharsets.ISO_8859_1))
          .doesNotEndWith("\r\n0\r\n\r\n");
    }
    assertThat(HttpCalls.get(b.url() + "/healthz").status()).isEqualTo(503); // and it still answers
  }

  /**
   * An entry another writer deleted (XDEL) after a stream's position, older ones still held: the
   * stream is told with a gap frame whose resumedFrom is just after its position, then goes on.
   */
  @Test
  void anEntryDeletedAfterAStreamsPositionIsAGapFrameAndTheStreamGoesOn() {
    var channel = realtimeA.channel("deleted");
    String first = channel.emit("n", 1);
    String second = channel.emit("n", 2);
    String third = channel.emit("n", 3);
    var client = io.lettuce.core.RedisClient.create(redis.uri());
    try (var connection = client.connect()) {
      connection.sync().xdel("deleted", second);
    } finally {
      client.shutdown();
    }
    try (SseRecorder sse =
        SseRecorder.open(b.url() + "/api/realtime?channel=deleted&last_ack_deleted=" + first)) {
      sse.expectType("connected");
      SseRecorder.Frame gap = sse.expectType("gap");
      assertThat(gap.json().get("afterId").asString()).isEqualTo(first);
      assertThat(gap.json().get("resumedFrom").asString())
          .isEqualTo(dev.realtime.spi.EntryId.parse(first).successor().toString());
      assertThat(sse.events(1).get(0).id()).isEqualTo(third);
      String fourth = channel.emit("n", 4);
      assertThat(sse.events(1).get(0).id()).isEqualTo(fourth);
    }
  }

  /**
   * A stream another writer filled up to the last possible id: its newest 100 are a whole answer
   * (one past the newest id does not exist), and an emit to it is a lasting 409, not a 503 that
   * clients would retry for ever.
   */
  @Test
  void aStreamAtTheLastPossibleIdIsReadableAndRefusesEmitsForGood() {
    var client = io.lettuce.core.RedisClient.create(redis.uri());
    java.util.List<String> ids = new java.util.ArrayList<>();
    try (var connection = client.connect()) {
      for (int i = 0; i < 100; i++) {
        String id = Long.toUnsignedString(-1L) + "-" + Long.toUnsignedString(-100L + i);
        ids.add(
            connection
                .sync()
                .xadd(
                    "full",
                    new io.lettuce.core.XAddArgs().id(id),
                    java.util.Map.of(
                        "data", Integer.toString(i), "event", "n", "channel", "full")));
      }
    } finally {
      client.shutdown();
    }
    String api = a.url() + "/api/realtime/channels/full";
    Answer newest = HttpCalls.get(api + "/history?latest=true");
    assertThat(newest.status()).as(newest.body()).isEqualTo(200);
    assertThat(newest.json().size()).isEqualTo(100);
    assertThat(newest.json().get(99).get("id").asString())
        .isEqualTo("18446744073709551615-18446744073709551615");
    assertThat(newest.json().get(0).get("id").asString()).isEqualTo(ids.get(0));
    Answer emit = HttpCalls.post(api + "/events", "{\"event\":\"n\",\"data\":1}");
    assertThat(emit.status()).as(emit.body()).isEqualTo(409);
    assertThat(emit.error()).contains("exhausted the last possible ID");
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
