package dev.realtime.server.cli;

import dev.realtime.server.ServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A server's event stream followed across disconnects, printing each user event as one JSON line.
 *
 * <p>Exactly once rests on the server: every reconnect sends {@code Last-Event-ID} with the id of
 * the last frame read whole (the {@code connected} frame carries one too, so a stream that has not
 * seen an event yet still resumes where it started), and the server replays what came after it
 * while history holds it, or says {@code gap}. An event is printed and acknowledged in the same
 * step, and a frame cut off by a drop is neither, so nothing is printed twice or skipped.
 *
 * <p>Each connection has its own HttpClient, so that {@link #stop()} and the silence watchdog can
 * abort a read blocked on a dead socket ({@link HttpClient#shutdownNow()}) without waiting for TCP.
 */
final class ResumingStream {
  /**
   * A connection silent this long (four of the server's default heartbeats) is taken as dead, until
   * its {@code connected} frame says how often the server sends heartbeats (then four of those, or
   * never when it sends none).
   */
  static volatile long silenceLimitMs = 4 * ServerConfig.DEFAULT_HEARTBEAT.toMillis();

  private static final long NEVER = Long.MAX_VALUE / 2;

  private final ServerClient client;
  private final String query;
  private final PrintWriter out;
  private final PrintWriter err;
  private final long maxEvents;
  private final Backoff backoff = new Backoff(new Random());
  private final CountDownLatch stopped = new CountDownLatch(1);

  private volatile HttpClient current;
  private volatile long lastReadNanos;
  private volatile long silenceMs = silenceLimitMs; // of the current connection
  private volatile boolean silent;
  private String lastEventId;

  /** How long a connection must have lasted for the next drop to start the waits over. */
  static final long STEADY_NANOS = TimeUnit.SECONDS.toNanos(1);

  private long openedNanos; // when the current connection was asked for
  private boolean framed; // whether it brought a frame
  private boolean delivered; // whether it brought an event
  private String lostBecause;
  private long printed;
  private boolean connectedOnce;

  /**
   * @param query the stream's query ({@code channel=a&events=...}), encoded
   * @param maxEvents stop after printing this many events; 0 for no limit
   */
  ResumingStream(
      ServerClient client, String query, PrintWriter out, PrintWriter err, long maxEvents) {
    this.client = client;
    this.query = query;
    this.out = out;
    this.err = err;
    this.maxEvents = maxEvents;
  }

  /**
   * Follows the stream until {@link #stop()} or {@code maxEvents} events. Reconnects after drops;
   * throws a {@link UserError} when the server refuses the stream (a 4xx other than 408 and 429,
   * which say "later", or anything before the first connection worked: a wrong URL should fail, not
   * retry forever).
   */
  void run() {
    Thread watchdog = Thread.ofVirtual().name("realtime-tail-watchdog").start(this::watch);
    try {
      while (!isStopped()) {
        String lost = connectOnce(); // null: stopped, or the server asked for a reconnect
        if (isStopped()) return;
        long wait = backoff.next();
        if (lost != null) {
          err.println("realtime: " + lost + "; reconnecting in " + wait + " ms");
          err.flush();
        }
        if (stopped.await(wait, TimeUnit.MILLISECONDS)) return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      stop();
      watchdog.interrupt();
    }
  }

  /** Ends {@link #run()} soon, from any thread. */
  void stop() {
    stopped.countDown();
    HttpClient c = current;
    if (c != null) c.shutdownNow();
  }

  private boolean isStopped() {
    return stopped.getCount() == 0;
  }

  private String connectOnce() throws InterruptedException {
    HttpClient http = ServerClient.newHttpClient();
    current = http;
    openedNanos = System.nanoTime();
    framed = false;
    delivered = false;
    silenceMs = silenceLimitMs;
    lastReadNanos = System.nanoTime();
    lostBecause = null;
    silent = false;
    try {
      if (isStopped()) return null;
      HttpResponse<Stream<String>> r;
      try {
        r =
            http.send(
                client.streamRequest(query, lastEventId), HttpResponse.BodyHandlers.ofLines());
      } catch (IOException e) {
        if (isStopped() || silent) return lost(null);
        if (!connectedOnce) throw client.unreachable(e);
        return "cannot reach " + client.given() + " (" + ServerClient.why(e) + ")";
      }
      try (Stream<String> lines = r.body()) {
        if (r.statusCode() != 200) {
          UserError error = client.error(r.statusCode(), lines.collect(Collectors.joining("\n")));
          int status = r.statusCode();
          if (connectedOnce && (status >= 500 || status == 408 || status == 429)) {
            return error.getMessage(); // the server is busy or restarting: try again later
          }
          throw error;
        }
        String type = r.headers().firstValue("Content-Type").orElse("none");
        if (!type.startsWith("text/event-stream")) {
          throw UserError.failure(
              client.given()
                  + " answered "
                  + type
                  + ", not text/event-stream: is --url a realtime server?");
        }
        return read(lines.iterator());
      } catch (UncheckedIOException e) {
        return lost(
            "the stream from "
                + client.given()
                + " broke ("
                + ServerClient.why(e.getCause())
                + ")");
      }
    } finally {
      current = null;
      http.shutdownNow();
      // A connection that worked (delivered an event, or lasted): the next drop starts the waits
      // over. Not one that only got its first frames: a server that sends its connected frames and
      // ends at once
      // (shutting down, a tiny max-duration) would be asked again every few hundred ms for good.
      if (delivered || (framed && System.nanoTime() - openedNanos >= STEADY_NANOS)) {
        backoff.reset();
      }
    }
  }

  private String lost(String why) {
    if (isStopped()) return null;
    if (silent) {
      silent = false;
      return "nothing came from " + client.given() + " for " + silenceMs + " ms";
    }
    return why;
  }

  private String read(Iterator<String> lines) {
    SseParser parser = new SseParser();
    while (lines.hasNext()) {
      String line = lines.next();
      lastReadNanos = System.nanoTime();
      SseParser.Frame frame = parser.line(line);
      if (frame == null) continue;
      connectedOnce = true;
      framed = true;
      // The id first, as EventSource takes it: a reconnect frame's id is where to resume.
      if (frame.id() != null) lastEventId = frame.id();
      if (frame.data() != null && !handle(frame.data())) return null;
      if (isStopped()) return null;
    }
    return lost(lostBecause != null ? lostBecause : "the server closed the stream");
  }

  /** Prints or acts on one frame's data; false when the server asked for a reconnect. */
  private boolean handle(String data) {
    JsonNode json;
    try {
      json = EmitCommand.JSON.readTree(data);
    } catch (JacksonException e) {
      return warn("skipped a frame that is not JSON: " + shorten(data));
    }
    if (json.has("event") && json.has("id") && json.has("channel")) {
      ObjectNode line = EmitCommand.JSON.createObjectNode();
      line.set("id", json.get("id"));
      line.set("event", json.get("event"));
      line.set("channel", json.get("channel"));
      line.set("data", json.get("data"));
      out.println(EmitCommand.JSON.writeValueAsString(line));
      out.flush();
      delivered = true;
      // A PrintWriter keeps its write errors to itself, and the JVM ignores SIGPIPE: without this
      // a tail whose reader went away (| head -1) would follow the stream forever.
      if (out.checkError() || ++printed == maxEvents) stopped.countDown();
      return true;
    }
    return switch (json.path("type").asString("")) {
      case "gap" -> {
        JsonNode from = json.path("resumedFrom");
        yield warn(
            "gap on channel '"
                + json.path("channel").asString("?")
                + "': messages after "
                + json.path("afterId").asString("?")
                + " are gone; continuing from "
                + (from.isString() ? from.stringValue() : "the next new message"));
      }
      case "reconnect" -> false;
      case "connected" -> {
        long heartbeat = json.path("heartbeatMs").asLong(-1);
        if (heartbeat == 0) silenceMs = NEVER; // no heartbeats: silence says nothing
        else if (heartbeat > 0) silenceMs = Math.min(NEVER, 4 * heartbeat);
        yield true;
      }
      case "error" -> {
        lostBecause = "the server ended the stream: " + json.path("error").asString("no reason");
        yield true;
      }
      default -> true; // connected, and types a newer server may add
    };
  }

  private boolean warn(String message) {
    err.println("realtime: " + message);
    err.flush();
    return true;
  }

  /** Aborts a connection that has been silent past its limit (see {@link #silenceLimitMs}). */
  private void watch() {
    try {
      while (!stopped.await(Math.max(10, Math.min(1000, silenceMs / 4)), TimeUnit.MILLISECONDS)) {
        HttpClient c = current;
        long limit = silenceMs;
        if (c != null && limit < NEVER && System.nanoTime() - lastReadNanos > limit * 1_000_000) {
          silent = true;
          c.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      // run() ended
    }
  }

  private static String shorten(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() <= 80 ? one : one.substring(0, 80) + "...";
  }
}
