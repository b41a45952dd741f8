package dev.realtime.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Realtime;
import dev.realtime.redis.RedisEngine;
import dev.realtime.redis.RedisServer;
import dev.realtime.server.HttpCalls.Answer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server on the Redis engine: two servers on one Redis see each other's events, and with Redis
 * killed, health says 503, emits answer 503, and streams resume once it is back.
 */
class RedisServedTest {
  final RedisServer redis = RedisServer.startPersistent();
  final RedisEngine engineA = RedisEngine.connect(redis.uri());
  final RedisEngine engineB = RedisEngine.connect(redis.uri());
  final Realtime realtimeA = Realtime.builder().engine(engineA).build();
  final Realtime realtimeB = Realtime.builder().engine(engineB).build();
  final RealtimeServer a =
      RealtimeServer.builder(realtimeA).config(ServerConfig.builder().port(0).build()).start();
  final RealtimeServer b =
      RealtimeServer.builder(realtimeB).config(ServerConfig.builder().port(0).build()).start();

  @AfterEach
  void close() {
    a.close();
    b.close();
    realtimeA.close();
    realtimeB.close();
    engineA.close();
    engineB.close();
    redis.close();
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
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> HttpCalls.get(a.url() + "/healthz").status() == 200);
      // The emit connection reconnects on its own schedule: a client retries its 503s.
      Answer[] third = new Answer[1];
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () -> {
                third[0] =
                    HttpCalls.post(
                        a.url() + "/api/realtime/channels/room/events",
                        "{\"event\":\"n\",\"data\":3}");
                return third[0].status() == 201;
              });
      var next = sse.events(1).get(0);
      assertThat(next.id()).isEqualTo(third[0].json().get("id").asString());
      assertThat(next.json().get("data").asInt()).isEqualTo(3);
    }
  }
}
