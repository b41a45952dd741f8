package dev.realtime.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code realtime tail} against a scripted server, for what a real one rarely does on cue: line
 * endings of every kind, data split over lines, frames cut off by a drop, error and reconnect
 * frames, and a connection gone silent.
 */
class TailProtocolTest {
  final LineQueue out = new LineQueue();
  final LineQueue err = new LineQueue();

  static String event(String id, String data) {
    return "{\"id\":\"" + id + "\",\"data\":" + data + ",\"event\":\"e\",\"channel\":\"a\"}";
  }

  static String printed(String id, String data) {
    return "{\"id\":\"" + id + "\",\"event\":\"e\",\"channel\":\"a\",\"data\":" + data + "}";
  }

  CompletableFuture<Integer> tail(ScriptedSseServer server, String... more) {
    String[] args = new String[5 + more.length];
    System.arraycopy(
        new String[] {"tail", "--url", server.url(), "a", "--seconds=30"}, 0, args, 0, 5);
    System.arraycopy(more, 0, args, 5, more.length);
    return CompletableFuture.supplyAsync(
        () -> Main.run(out.writer(), err.writer(), args), r -> Thread.ofVirtual().start(r));
  }

  @Test
  void aByteOrderMarkBeforeTheFirstFrameLosesNoEvent() throws Exception {
    // EventSource drops one leading BOM; glued to the first field name it would hide that data
    // while its id was taken, and the event would be acknowledged unprinted.
    try (ScriptedSseServer server =
        new ScriptedSseServer(
            "\uFEFFdata: " + event("6-0", "6") + "\nid: 6-0\n\n" + ScriptedSseServer.HOLD)) {
      CompletableFuture<Integer> exit = tail(server, "--max-events", "1");
      assertThat(out.next()).isEqualTo(printed("6-0", "6"));
      assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  void theIdOfAReconnectFrameIsWhereTheNextConnectionResumes() throws Exception {
    // The server moves a filtered stream's position past events it did not send, on its
    // heartbeats and last frame: an EventSource takes that id, and so must tail.
    try (ScriptedSseServer server =
        new ScriptedSseServer(
            "id: 5-0\ndata: {\"type\":\"connected\",\"channel\":\"a\"}\n\n"
                + "id: 8-0\ndata: {\"type\":\"reconnect\",\"timestamp\":1}\n\n",
            "id: 9-0\ndata: " + event("9-0", "9") + "\n\n" + ScriptedSseServer.HOLD)) {
      CompletableFuture<Integer> exit = tail(server, "--max-events", "1");
      assertThat(server.nextLastEventId()).isEqualTo("none");
      assertThat(server.nextLastEventId()).isEqualTo("8-0");
      assertThat(out.next()).isEqualTo(printed("9-0", "9"));
      assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  void aConnectionThatDeliveredAnEventStartsTheWaitsOver() throws Exception {
    // Each connection delivers an event and ends at once: no waits growing as for failed ones.
    String[] scripts = new String[5];
    for (int i = 0; i < 4; i++) {
      scripts[i] = "id: " + (6 + i) + "-0\ndata: " + event((6 + i) + "-0", "" + i) + "\n\n";
    }
    scripts[4] = "id: 10-0\ndata: " + event("10-0", "4") + "\n\n" + ScriptedSseServer.HOLD;
    try (ScriptedSseServer server = new ScriptedSseServer(scripts)) {
      CompletableFuture<Integer> exit = tail(server, "--max-events", "5");
      for (int i = 0; i < 4; i++) {
        String line = err.next();
        long wait = Long.parseLong(line.replaceAll("\\D+", " ").trim().replaceAll(".* ", ""));
        assertThat(wait).as(line).isBetween(125L, 250L);
      }
      assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  void busyAnswersAfterTheFirstConnectionAreRetriedNotFatal() throws Exception {
    String connected = "id: 5-0\ndata: {\"type\":\"connected\",\"channel\":\"a\"}\n\n";
    try (ScriptedSseServer server =
        new ScriptedSseServer(
            connected,
            ScriptedSseServer.refuse(429),
            ScriptedSseServer.refuse(408),
            ScriptedSseServer.refuse(503),
            "id: 6-0\ndata: " + event("6-0", "6") + "\n\n" + ScriptedSseServer.HOLD)) {
      CompletableFuture<Integer> exit = tail(server, "--max-events", "1");
      assertThat(out.next()).isEqualTo(printed("6-0", "6"));
      assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  void aServerThatEndsEachStreamAtOnceIsAskedLessAndLessOften() throws Exception {
    // Connected, then the end, four times: the waits double (they would stay at 125-250 ms if
    // each connection's first frame counted as one that worked).
    String connectedThenEnd = "id: 5-0\ndata: {\"type\":\"connected\",\"channel\":\"a\"}\n\n";
    try (ScriptedSseServer server =
        new ScriptedSseServer(
            connectedThenEnd,
            connectedThenEnd,
            connectedThenEnd,
            connectedThenEnd,
            "id: 6-0\ndata: " + event("6-0", "6") + "\n\n" + ScriptedSseServer.HOLD)) {
      CompletableFuture<Integer> exit = tail(server, "--max-events", "1");
      List<Long> waits = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String line = err.next();
        assertThat(line).startsWith("realtime: the server closed the stream; reconnecting in ");
        waits.add(Long.parseLong(line.replaceAll("\\D+", " ").trim().replaceAll(".* ", "")));
      }
      assertThat(waits.get(0)).isBetween(125L, 250L);
      assertThat(waits.get(3)).as("waits " + waits).isBetween(1_000L, 2_000L);
      assertThat(out.next()).isEqualTo(printed("6-0", "6"));
      assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }
  }

  @Test
  void readsEveryLineEndingAndResumesAfterTheLastWholeFrameOnEveryKindOfEnd() throws Exception {
    try (ScriptedSseServer server =
        new ScriptedSseServer(
            ": ping\r\n\r\n"
                + "id: 5-0\r\ndata: {\"type\":\"connected\",\"channel\":\"a\"}\r\n\r\n"
                + "id: 6-0\r\ndata: {\"id\":\"6-0\",\r\ndata: \"data\":{\"x\":[1,\r\n"
                + "data:2]},\"event\":\"e\",\"channel\":\"a\"}\r\n\r\n"
                + "data: {\"type\":\"gap\",\"channel\":\"a\",\"afterId\":\"6-0\","
                + "\"resumedFrom\":\"9-0\"}\n\n"
                + "id: 9-0\ndata: {\"id\":\"9-0\"", // cut off: neither printed nor acknowledged
            "id: 9-0\ndata: "
                + event("9-0", "\"nine\"")
                + "\n\ndata: {\"type\":\"error\",\"error\":\"slow consumer: too slow\"}\n\n",
            "id: 10-0\ndata: "
                + event("10-0", "10")
                + "\n\ndata: {\"type\":\"reconnect\",\"timestamp\":1}\n\n"
                + ScriptedSseServer.HOLD,
            ": ping\r\rid: 11-0\rdata: "
                + event("11-0", "null")
                + "\r\r"
                + ScriptedSseServer.HOLD)) {
      CompletableFuture<Integer> exit = tail(server, "--max-events", "4");

      assertThat(server.nextLastEventId()).isEqualTo("none");
      assertThat(out.next()).isEqualTo(printed("6-0", "{\"x\":[1,2]}"));
      assertThat(err.next())
          .isEqualTo(
              "realtime: gap on channel 'a': messages after 6-0 are gone; continuing from 9-0");
      assertThat(err.next())
          .startsWith("realtime: the server closed the stream; reconnecting in ")
          .endsWith(" ms");
      assertThat(server.nextLastEventId()).isEqualTo("6-0");
      assertThat(out.next()).isEqualTo(printed("9-0", "\"nine\""));
      assertThat(err.next())
          .startsWith(
              "realtime: the server ended the stream: slow consumer: too slow; reconnecting in ");
      assertThat(server.nextLastEventId()).isEqualTo("9-0");
      assertThat(out.next()).isEqualTo(printed("10-0", "10"));
      assertThat(server.nextLastEventId()).isEqualTo("10-0"); // a reconnect frame: no message
      assertThat(out.next()).isEqualTo(printed("11-0", "null"));
      assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
      assertThat(out.poll(100)).isNull();
      assertThat(err.poll(0)).isNull();
    }
  }

  @Test
  void aConnectionThatFallsSilentIsAbandonedAndResumed() throws Exception {
    long before = ResumingStream.silenceLimitMs;
    ResumingStream.silenceLimitMs = 1000; // over a first connection's class loading
    try (ScriptedSseServer server =
        new ScriptedSseServer(
            "id: 5-0\ndata: {\"type\":\"connected\",\"channel\":\"a\"}\n\n"
                + ScriptedSseServer.HOLD,
            "id: 6-0\ndata: " + event("6-0", "6") + "\n\n" + ScriptedSseServer.HOLD)) {
      CompletableFuture<Integer> exit = tail(server, "--max-events", "1");
      assertThat(server.nextLastEventId()).isEqualTo("none");
      assertThat(err.next())
          .startsWith("realtime: nothing came from " + server.url() + " for 1000 ms; reconnecting");
      assertThat(server.nextLastEventId()).isEqualTo("5-0");
      assertThat(out.next()).isEqualTo(printed("6-0", "6"));
      assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    } finally {
      ResumingStream.silenceLimitMs = before;
    }
  }

  /**
   * The silence limit follows the heartbeat interval the connected frame announces: four of them,
   * and none at all when the server sends no heartbeats (a quiet stream is then not dead).
   */
  @Test
  void theSilenceLimitFollowsTheServersHeartbeat() throws Exception {
    try (ScriptedSseServer server =
        new ScriptedSseServer(
            "id: 5-0\ndata: {\"type\":\"connected\",\"channel\":\"a\",\"heartbeatMs\":250}\n\n"
                + ScriptedSseServer.HOLD,
            "id: 5-0\ndata: {\"type\":\"connected\",\"channel\":\"a\",\"heartbeatMs\":0}\n\n"
                + ScriptedSseServer.HOLD)) {
      CompletableFuture<Integer> exit =
          CompletableFuture.supplyAsync(
              () ->
                  Main.run(
                      out.writer(),
                      err.writer(),
                      "tail",
                      "--url",
                      server.url(),
                      "a",
                      "--seconds=4"),
              r -> Thread.ofVirtual().start(r));
      assertThat(server.nextLastEventId()).isEqualTo("none");
      assertThat(err.next())
          .startsWith("realtime: nothing came from " + server.url() + " for 1000 ms; reconnecting");
      assertThat(server.nextLastEventId()).isEqualTo("5-0");
      // The second connection announces no heartbeats: held silent, it is kept to the end.
      assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
      assertThat(err.poll(0)).isNull();
    }
  }

  /**
   * A reader that went away (the pipe to head -1 closed) ends the tail instead of leaving it on.
   */
  @Test
  void aClosedOutputEndsTheTail() throws Exception {
    java.io.PrintWriter broken =
        new java.io.PrintWriter(
            new java.io.Writer() {
              @Override
              public void write(char[] buf, int off, int len) throws java.io.IOException {
                throw new java.io.IOException("Broken pipe");
              }

              @Override
              public void flush() {}

              @Override
              public void close() {}
            });
    try (ScriptedSseServer server =
        new ScriptedSseServer(
            "id: 6-0\ndata: " + event("6-0", "6") + "\n\n" + ScriptedSseServer.HOLD)) {
      long start = System.nanoTime();
      CompletableFuture<Integer> exit =
          CompletableFuture.supplyAsync(
              () ->
                  Main.run(
                      broken, err.writer(), "tail", "--url", server.url(), "a", "--seconds=30"),
              r -> Thread.ofVirtual().start(r));
      assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
      assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
          .isLessThan(java.time.Duration.ofSeconds(10));
    }
  }
}
