package dev.realtime.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.Schema;
import dev.realtime.server.HttpCalls;
import dev.realtime.server.HttpCalls.Answer;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A large body sent to many channels is checked and encoded once per channel: that work runs off
 * the event loop, which meanwhile serves its other connections. Small emits stay on the loop.
 */
class LargeEmitTest {
  /** Where the data of each emit was checked (its record built): a thread per emit. */
  static final Set<Thread> CHECKED_ON = ConcurrentHashMap.newKeySet();

  record Note(String text) {
    Note {
      CHECKED_ON.add(Thread.currentThread());
    }
  }

  final Realtime realtime =
      Realtime.builder()
          .schema(Schema.builder().event("note", Note.class).build())
          .maxPayloadBytes(1 << 20)
          .build();
  final RealtimeServer server =
      RealtimeServer.builder(realtime)
          .config(ServerConfig.builder().port(0).ioThreads(1).build())
          .start();
  final String api = server.url() + "/api/realtime";

  @AfterEach
  void close() {
    server.close();
    realtime.close();
    CHECKED_ON.clear();
  }

  @Test
  void aLargeMultiChannelEmitIsCheckedOffTheEventLoop() {
    List<String> channels = new ArrayList<>();
    for (int i = 0; i < 20; i++) channels.add("\"c" + i + "\"");
    String text = "x".repeat(20_000); // 20 KB to 20 channels: 400 KB of work
    Answer many =
        HttpCalls.post(
            api + "/events",
            "{\"channels\":"
                + channels
                + ",\"event\":\"note\",\"data\":{\"text\":\""
                + text
                + "\"}}");
    assertThat(many.status()).as(many.body()).isEqualTo(201);
    assertThat(CHECKED_ON).isNotEmpty().allMatch(Thread::isVirtual);
    assertThat(realtime.channel("c19").history()).hasSize(1);

    CHECKED_ON.clear();
    Answer large =
        HttpCalls.post(
            api + "/channels/big/events",
            "{\"event\":\"note\",\"data\":{\"text\":\"" + "y".repeat(300_000) + "\"}}");
    assertThat(large.status()).as(large.body()).isEqualTo(201);
    assertThat(CHECKED_ON).isNotEmpty().allMatch(Thread::isVirtual);

    CHECKED_ON.clear();
    Answer small =
        HttpCalls.post(
            api + "/channels/small/events", "{\"event\":\"note\",\"data\":{\"text\":\"hi\"}}");
    assertThat(small.status()).isEqualTo(201);
    assertThat(CHECKED_ON).isNotEmpty().noneMatch(Thread::isVirtual); // the loop: no hand-off
  }

  /** Errors found off the loop are answered as they would be on it. */
  @Test
  void aLargeBodyThatIsWrongIsStillA400() {
    Answer bad =
        HttpCalls.post(
            api + "/events",
            "{\"channels\":[\"a\",\"b\"],\"event\":\"note\",\"data\":{\"text\":\""
                + "z".repeat(300_000)
                + "\"},");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.body()).contains("not JSON");
    Answer badName =
        HttpCalls.post(
            api + "/events",
            "{\"channels\":[\"a\",\"\"],\"event\":\"note\",\"data\":{\"text\":\""
                + "z".repeat(300_000)
                + "\"}}");
    assertThat(badName.status()).isEqualTo(400);
    assertThat(realtime.channel("a").history()).isEmpty();
  }
}
