package dev.realtime.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.History;
import dev.realtime.HistoryMessage;
import dev.realtime.Realtime;
import dev.realtime.memory.MemoryEngine;
import dev.realtime.server.HttpCalls;
import dev.realtime.server.HttpCalls.Answer;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import dev.realtime.server.auth.TokenMinter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /demo/jobs}: a job's events land on its channel, started before the answer, then the
 * steps and the completion; bad plans are 400s; with a secret the token must grant the channel.
 */
class DemoJobsTest {
  static final String SECRET = "a-test-secret-of-at-least-thirty-two-bytes!";

  final Realtime realtime = Realtime.create();
  RealtimeServer server;

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  @Test
  void aJobEmitsItsStepsOnItsOwnChannel() {
    server =
        RealtimeServer.builder(realtime).config(ServerConfig.builder().port(0).build()).start();
    Answer started = HttpCalls.post(server.url() + "/demo/jobs", "{\"steps\":4,\"stepMs\":20}");
    assertThat(started.status()).as(started.body()).isEqualTo(201);
    String job = started.json().get("job").asString();
    String channel = started.json().get("channel").asString();
    assertThat(channel).isEqualTo("job-" + job);
    assertThat(realtime.channel(channel).history())
        .extracting(HistoryMessage::event)
        .startsWith("job.started");

    // A subscriber that comes late with history sees all of it.
    try (SseRecorder sse =
        SseRecorder.open(server.url() + "/api/realtime?channel=" + channel + "&history=100")) {
      List<String> events =
          sse.events(6).stream()
              .map(f -> f.json().get("event").asString() + " " + f.json().get("data"))
              .toList();
      assertThat(events)
          .containsExactly(
              "job.started {\"progress\":0}",
              "job.progress {\"progress\":25}",
              "job.progress {\"progress\":50}",
              "job.progress {\"progress\":75}",
              "job.progress {\"progress\":100}",
              "job.completed {\"progress\":100}");
    }
    assertThat(server.metrics().emits()).isEqualTo(6);
  }

  @Test
  void aJobsChannelKeepsAllOfItsEventsAndIsGoneTenMinutesAfterTheLast() {
    AtomicLong now = new AtomicLong(System.currentTimeMillis());
    try (MemoryEngine engine = MemoryEngine.create(now::get);
        Realtime clocked = Realtime.builder().engine(engine).history(History.unlimited()).build()) {
      server =
          RealtimeServer.builder(clocked).config(ServerConfig.builder().port(0).build()).start();
      Answer started = HttpCalls.post(server.url() + "/demo/jobs", "{\"steps\":100,\"stepMs\":20}");
      assertThat(started.status()).as(started.body()).isEqualTo(201);
      String channel = started.json().get("channel").asString();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> clocked.channel(channel).history().size() == 102);
      assertThat(clocked.channel(channel).history().getLast().event()).isEqualTo("job.completed");
      now.addAndGet(Duration.ofMinutes(10).minusSeconds(1).toMillis());
      assertThat(clocked.channel(channel).history()).hasSize(102);
      now.addAndGet(Duration.ofSeconds(2).toMillis());
      assertThat(clocked.channel(channel).history())
          .as("the job's history ten minutes after its last event")
          .isEmpty();
      server.close();
    }
  }

  @Test
  void refusesBadPlansAndTokensWithoutTheChannel() {
    server =
        RealtimeServer.builder(realtime)
            .config(ServerConfig.builder().port(0).secret(SECRET).build())
            .start();
    TokenMinter minter = new TokenMinter(SECRET);
    String jobs = minter.mint("ada", List.of("job-*"), List.of("job-*"), Duration.ofMinutes(5));
    String rooms = minter.mint("bob", List.of("room-*"), List.of("room-*"), Duration.ofMinutes(5));
    String url = server.url() + "/demo/jobs";

    assertThat(HttpCalls.post(url, "{}").status()).isEqualTo(401);
    Answer forbidden = HttpCalls.post(url, "{}", Map.of("Authorization", "Bearer " + rooms));
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.error()).contains("may not publish to channel 'job-");
    Answer tooMany =
        HttpCalls.post(url, "{\"steps\":1000}", Map.of("Authorization", "Bearer " + jobs));
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.error()).isEqualTo("steps 1000 is not a whole number from 1 to 100");
    assertThat(
            HttpCalls.post(url, "{\"stepMs\":\"x\"}", Map.of("Authorization", "Bearer " + jobs))
                .status())
        .isEqualTo(400);
    assertThat(HttpCalls.post(url, "not json", Map.of("Authorization", "Bearer " + jobs)).error())
        .contains("not JSON");
    // One client could otherwise hold every slot for 1,000 s.
    Answer tooLong =
        HttpCalls.post(
            url, "{\"steps\":100,\"stepMs\":10000}", Map.of("Authorization", "Bearer " + jobs));
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.error())
        .isEqualTo("a demo job lasts at most 60 s: steps 100 x stepMs 10000 is 1000000 ms");
    Answer ok = HttpCalls.post(url, "", Map.of("Authorization", "Bearer " + jobs));
    assertThat(ok.status()).isEqualTo(201);
  }

  /** Requests without a valid token are refused 401 and spend nobody's start budget. */
  @Test
  void refusedRequestsDoNotSpendTheStartBudget() {
    server =
        RealtimeServer.builder(realtime)
            .config(ServerConfig.builder().port(0).secret(SECRET).build())
            .start();
    String token =
        new TokenMinter(SECRET)
            .mint("ada", List.of("job-*"), List.of("job-*"), Duration.ofMinutes(5));
    String url = server.url() + "/demo/jobs";
    for (int i = 0; i < 3 * DemoJobs.STARTS_PER_SECOND; i++) {
      assertThat(HttpCalls.post(url, "{}").status()).isEqualTo(401); // never 429
    }
    Answer mine = HttpCalls.post(url, "{}", Map.of("Authorization", "Bearer " + token));
    assertThat(mine.status()).as(mine.body()).isEqualTo(201);
  }
}
