package dev.realtime.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code realtime tail} against a server in this JVM: live events, filters, restarts. */
class TailCommandTest {
  Realtime realtime;
  RealtimeServer server;
  String url;
  final LineQueue out = new LineQueue();
  final LineQueue err = new LineQueue();

  @BeforeEach
  void start() {
    realtime = Realtime.create();
    server = serve(0);
    url = server.url();
  }

  RealtimeServer serve(int port) {
    return RealtimeServer.builder(realtime)
        .config(ServerConfig.builder().port(port).build())
        .start();
  }

  @AfterEach
  void stop() {
    server.close();
    realtime.close();
  }

  /** Runs tail on its own thread; --seconds 30 ends it should a test fail half-way. */
  CompletableFuture<Integer> tail(String... args) {
    List<String> all = new ArrayList<>(List.of("tail", "--url", url, "--seconds", "30"));
    all.addAll(List.of(args));
    return CompletableFuture.supplyAsync(
        () -> Main.run(out.writer(), err.writer(), all.toArray(String[]::new)),
        r -> Thread.ofVirtual().start(r));
  }

  static void awaitStreams(RealtimeServer s, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (s.metrics().openStreams() != n) {
      if (System.nanoTime() > deadline) throw new AssertionError("no " + n + " open streams");
      Thread.sleep(10);
    }
  }

  static String line(String id, String event, String channel, String data) {
    return "{\"id\":\""
        + id
        + "\",\"event\":\""
        + event
        + "\",\"channel\":\""
        + channel
        + "\",\"data\":"
        + data
        + "}";
  }

  @Test
  void printsEachEventAsOneJsonLineAsItArrivesAndExitsAfterMaxEvents() throws Exception {
    CompletableFuture<Integer> exit = tail("room", "--max-events", "3");
    awaitStreams(server, 1);
    for (int i = 1; i <= 3; i++) {
      String json = "{\"n\":" + i + ",\"big\":123456789012345678901234567890}";
      String id = CliRun.of("emit", "--url", url, "room", "chat.message", json).ok().strip();
      assertThat(out.next()).isEqualTo(line(id, "chat.message", "room", json));
    }
    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(out.poll(100)).isNull();
    assertThat(err.poll(0)).isNull();
    awaitStreams(server, 0); // it hung up
  }

  @Test
  void resumesAfterARestartWithEveryEventOnceAndInOrder() throws Exception {
    CompletableFuture<Integer> exit = tail("room", "--max-events", "6");
    awaitStreams(server, 1);
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 2; i++) ids.add(realtime.channel("room").emit("n", i));
    assertThat(out.next()).isEqualTo(line(ids.get(0), "n", "room", "1"));
    assertThat(out.next()).isEqualTo(line(ids.get(1), "n", "room", "2"));

    int port = server.port();
    server.close(); // the stream gets a reconnect frame, then nothing listens
    for (int i = 3; i <= 4; i++) ids.add(realtime.channel("room").emit("n", i));
    Thread.sleep(300); // a reconnect attempt or two finds nothing there
    server = serve(port);
    awaitStreams(server, 1);
    for (int i = 5; i <= 6; i++) {
      ids.add(CliRun.of("emit", "--url", url, "room", "n", Integer.toString(i)).ok().strip());
    }

    for (int i = 3; i <= 6; i++) {
      assertThat(out.next()).isEqualTo(line(ids.get(i - 1), "n", "room", Integer.toString(i)));
    }
    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(out.poll(100)).isNull();
    String lost;
    while ((lost = err.poll(0)) != null) {
      assertThat(lost).startsWith("realtime: cannot reach " + url).contains("; reconnecting in ");
    }
  }

  @Test
  void filtersEventsAcrossChannelsAndStartsWithHistory() throws Exception {
    String x1 = realtime.channel("a").emit("x", 1);
    realtime.channel("a").emit("y", 2);
    CompletableFuture<Integer> exit =
        tail("a", "b", "--events", "x,z", "--history", "10", "--max-events", "3");
    assertThat(out.next()).isEqualTo(line(x1, "x", "a", "1"));
    awaitStreams(server, 1);
    realtime.channel("b").emit("y", 3);
    String z = realtime.channel("b").emit("z", 4);
    String x5 = realtime.channel("a").emit("x", 5);
    // In order within a channel; across channels the server promises no order.
    assertThat(List.of(out.next(), out.next()))
        .containsExactlyInAnyOrder(line(z, "z", "b", "4"), line(x5, "x", "a", "5"));
    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
  }

  /** {@code --history} alone, before or after the channel, replays what history holds (to 1000). */
  @Test
  void historyWithoutANumberReplaysWhatHistoryHolds() throws Exception {
    String one = realtime.channel("h").emit("n", 1);
    String two = realtime.channel("h").emit("n", 2);
    CliRun after = CliRun.of("tail", "--url", url, "h", "--history", "--max-events", "2");
    assertThat(after.ok().lines())
        .containsExactly(line(one, "n", "h", "1"), line(two, "n", "h", "2"));
    CliRun before = CliRun.of("tail", "--url", url, "--history", "h", "--max-events", "1");
    assertThat(before.ok().lines()).containsExactly(line(one, "n", "h", "1"));
    CliRun attached = CliRun.of("tail", "--url", url, "h", "--history=1", "--max-events", "1");
    assertThat(attached.ok().lines()).containsExactly(line(two, "n", "h", "2"));
    CliRun notANumber = CliRun.of("tail", "--url", url, "h", "--history=ten");
    assertThat(notANumber.exitCode()).isEqualTo(2);
    assertThat(notANumber.errorLine()).contains("--history ten is not accepted: give 0 to 1000");
  }

  @Test
  void secondsEndsAQuietTailWithExitCode0() throws Exception {
    long start = System.nanoTime();
    CliRun r = CliRun.of("tail", "--url", url, "room", "--seconds", "1");
    assertThat(r.ok()).isEmpty();
    assertThat(System.nanoTime() - start).isBetween(900_000_000L, 5_000_000_000L);
  }

  @Test
  void optionsThatAreNotAcceptedAreOneLineWithExitCode2() {
    CliRun zero = CliRun.of("tail", "--url", url, "room", "--max-events", "0");
    assertThat(zero.exitCode()).isEqualTo(2);
    assertThat(zero.errorLine()).contains("--max-events 0").contains("1 or more");
    CliRun history = CliRun.of("tail", "--url", url, "room", "--history", "5000");
    assertThat(history.exitCode()).isEqualTo(2);
    assertThat(history.errorLine()).contains("history '5000'").endsWith("(HTTP 400)");
    CliRun noChannel = CliRun.of("tail", "--url", url);
    assertThat(noChannel.exitCode()).isEqualTo(2);
    assertThat(noChannel.errorLine()).contains("CHANNEL");
  }
}
