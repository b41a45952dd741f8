package dev.realtime.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * realtime.js (under Node) against a real server: positions taken from every id line (a filtered
 * stream's heartbeats and last frames move them past what the filter passed over), odd channel
 * names across drops, the attempt count after a drop, and limits checked up front.
 */
class RealtimeJsPositionsTest {
  final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing.reversed()) c.close();
  }

  <T extends AutoCloseable> T closeLater(T c) {
    closing.add(c);
    return c;
  }

  RealtimeServer server(Realtime realtime, ServerConfig.Builder config) {
    closeLater(realtime);
    return closeLater(RealtimeServer.builder(realtime).config(config.port(0).build()).start());
  }

  /**
   * A stream filtered to "keep" on busy channels: one keep, then skips, then a skip emitted with a
   * retention of two, which trims the keep away. Resumed from its last keep the client would be
   * told of a gap; resumed from the position the server's id lines moved to, it is not.
   */
  void resumesPastFilteredEntries(List<String> channels, ServerConfig.Builder config, boolean cut)
      throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server = server(realtime, config);
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    NodeClient client = closeLater(NodeClient.start());
    client.connect(
        Map.of(
            "url",
            proxy.url() + "/api/realtime",
            "channels",
            channels,
            "events",
            List.of("keep"),
            "backoff",
            Map.of("initialMs", 40, "maxMs", 100)));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    String ch = channels.getFirst();
    realtime.channel(ch).emit("keep", 0);
    client.awaitData(1, Duration.ofSeconds(5));
    for (int i = 0; i < 5; i++) realtime.channel(ch).emit("skip", i);
    // The stream passes the skips live before the trim below (trimmed under a live stream's feed,
    // they would be a gap there and then, which is not what this test is about).
    Thread.sleep(300);
    realtime.channel(ch, History.maxLength(2)).emit("skip", 5); // the keep is gone from history
    Thread.sleep(400); // heartbeats (when on) carry the moved position
    if (cut) proxy.cut();
    client.awaitStatus("reconnecting", Duration.ofSeconds(10));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    String next = realtime.channel(ch).emit("keep", 6);
    assertThat(client.awaitData(2, Duration.ofSeconds(5)).get(1).get("id").asString())
        .isEqualTo(next);
    assertThat(client.ofType("gap")).as("gaps where nothing matching was lost").isEmpty();
  }

  @Test
  void aHeartbeatsIdMovesTheOnlyChannelOfAStream() throws Exception {
    resumesPastFilteredEntries(
        List.of("f"), ServerConfig.builder().heartbeat(Duration.ofMillis(100)), true);
  }

  @Test
  void aHeartbeatsIdMovesEveryChannelOfAStream() throws Exception {
    resumesPastFilteredEntries(
        List.of("f", "g"), ServerConfig.builder().heartbeat(Duration.ofMillis(100)), true);
  }

  @Test
  void aReconnectFramesIdMovesThePosition() throws Exception {
    resumesPastFilteredEntries(
        List.of("f"),
        ServerConfig.builder().heartbeat(Duration.ZERO).maxDuration(Duration.ofMillis(1200)),
        false);
  }

  @Test
  void oddChannelNamesResumeWithoutLossOrRepeat() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server =
        server(realtime, ServerConfig.builder().heartbeat(Duration.ofMillis(100)));
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    NodeClient client = closeLater(NodeClient.start());
    List<String> names =
        List.of(
            "a&b",
            "x=y",
            "50%",
            "with space",
            "\u00fcn\u00ef \u65e5\u672c",
            ".",
            "..",
            "a+b",
            "%41",
            "last_ack_a&b",
            "q?r#s",
            "t/u\\v",
            "~*'()");
    client.connect(
        Map.of(
            "url",
            proxy.url() + "/api/realtime",
            "channels",
            names,
            "backoff",
            Map.of("initialMs", 40, "maxMs", 100)));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    List<String> expected = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (String n : names) expected.add(n + "|" + realtime.channel(n).emit("n", round));
      client.awaitData(expected.size(), Duration.ofSeconds(5));
      proxy.cut();
      client.awaitStatus("reconnecting", Duration.ofSeconds(10));
      client.awaitStatus("connected", Duration.ofSeconds(10));
    }
    Thread.sleep(300);
    List<String> got =
        client.data().stream()
            .map(d -> d.get("channel").asString() + "|" + d.get("id").asString())
            .toList();
    assertThat(got).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(client.ofType("gap")).isEmpty();
  }

  @Test
  void theDropOfAConnectionThatWorkedIsNotAFailedAttempt() throws Exception {
    Realtime realtime = Realtime.create();
    RealtimeServer server = server(realtime, ServerConfig.builder());
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    NodeClient client = closeLater(NodeClient.start());
    client.connect(
        Map.of(
            "url",
            proxy.url() + "/api/realtime",
            "channels",
            List.of("a"),
            "maxAttempts",
            1,
            "backoff",
            Map.of("initialMs", 40, "maxMs", 100)));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    realtime.channel("a").emit("n", 1);
    client.awaitData(1, Duration.ofSeconds(5)); // it delivered: a success
    proxy.cut();
    client.awaitStatus("reconnecting", Duration.ofSeconds(10));
    client.awaitStatus("connected", Duration.ofSeconds(10)); // maxAttempts 1: one retry after it
    String next = realtime.channel("a").emit("n", 2);
    assertThat(client.awaitData(2, Duration.ofSeconds(5)).get(1).get("id").asString())
        .isEqualTo(next);
  }

  @Test
  void timesBeyondWhatATimerCanWaitAndLoneSurrogatesAreRefusedUpFront() throws Exception {
    NodeClient client = closeLater(NodeClient.start());
    String url = "http://127.0.0.1:9/api/realtime";
    assertThatThrownBy(() -> client.connect(Map.of("url", url, "heartbeatTimeoutMs", 3e9)))
        .hasMessageContaining("RangeError: heartbeatTimeoutMs 3000000000")
        .hasMessageContaining("to 2147483647");
    assertThatThrownBy(
            () ->
                client.connect(
                    Map.of("url", url, "backoff", Map.of("initialMs", 10, "maxMs", 3e9))))
        .hasMessageContaining("RangeError: backoff")
        .hasMessageContaining("<= 2147483647");
    assertThatThrownBy(() -> client.connect(Map.of("url", url, "channels", List.of("s\uD800x"))))
        .hasMessageContaining("RangeError: channel")
        .hasMessageContaining("lone surrogate");
  }

  @Test
  void aServerHeartbeatLongerThanATimerCanWaitLeavesTheWatchdogOff() throws Exception {
    // 10 days of heartbeat: three of them do not fit a timer, which would fire at once.
    Realtime realtime = Realtime.create();
    RealtimeServer server = server(realtime, ServerConfig.builder().heartbeat(Duration.ofDays(10)));
    NodeClient client = closeLater(NodeClient.start());
    client.connect(Map.of("url", server.url() + "/api/realtime", "channels", List.of("a")));
    client.awaitStatus("connected", Duration.ofSeconds(10));
    Thread.sleep(500);
    String id = realtime.channel("a").emit("n", 1);
    assertThat(client.awaitData(1, Duration.ofSeconds(5)).get(0).get("id").asString())
        .isEqualTo(id);
    assertThat(client.ofType("error")).as("the connection was not declared dead").isEmpty();
  }
}
