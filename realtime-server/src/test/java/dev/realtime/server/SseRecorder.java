package dev.realtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An SSE client for tests that records each frame into a queue, to be asserted one by one (the
 * shape of OkHttp's EventSourceRecorder).
 */
public final class SseRecorder implements AutoCloseable {
  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One frame: its id line (or null), its data (or null for comments), its comment (or null). */
  public record Frame(String id, String data, String comment) {
    public JsonNode json() {
      return JSON.readTree(data);
    }

    public String type() {
      JsonNode t = json().get("type");
      return t == null ? "event" : t.asString();
    }
  }

  private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final HttpResponse<Stream<String>> response;
  private final Thread reader;
  private volatile String lastEventId;
  private volatile boolean ended;

  private SseRecorder(HttpResponse<Stream<String>> response) {
    this.response = response;
    this.reader = Thread.ofVirtual().start(this::read);
  }

  public static SseRecorder open(String url) {
    return open(url, Map.of());
  }

  public static SseRecorder open(String url, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    headers.forEach(b::header);
    try {
      return new SseRecorder(CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofLines()));
    } catch (IOException e) {
      throw new RuntimeException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    }
  }

  public int status() {
    return response.statusCode();
  }

  public HttpResponse<Stream<String>> response() {
    return response;
  }

  /** The body of a non-200 answer. */
  public String errorBody() {
    StringBuilder b = new StringBuilder();
    Frame f;
    while ((f = poll(2000)) != null) b.append(f.data());
    return b.toString();
  }

  private void read() {
    String id = null;
    StringBuilder data = null;
    try (Stream<String> lines = response.body()) {
      var it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (response.statusCode() != 200) {
          frames.add(new Frame(null, line, null));
          continue;
        }
        if (line.isEmpty()) {
          if (id != null) lastEventId = id;
          if (data != null || id != null)
            frames.add(new Frame(id, data == null ? null : data.toString(), null));
          id = null;
          data = null;
        } else if (line.startsWith(":")) {
          frames.add(new Frame(null, null, line.substring(1).strip()));
        } else if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.startsWith("data:")) {
          String d = line.substring(5);
          if (d.startsWith(" ")) d = d.substring(1);
          data = data == null ? new StringBuilder(d) : data.append('\n').append(d);
        }
      }
    } catch (RuntimeException e) {
      // closed by the test or the server
    } finally {
      ended = true;
    }
  }

  /** The next frame, or null after {@code ms}. */
  public Frame poll(long ms) {
    try {
      return frames.poll(ms, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The next frame that is not a heartbeat (comment or ping); fails after 10 s. */
  public Frame next() {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      Frame f = poll(deadline - System.currentTimeMillis());
      if (f != null && f.comment() == null && !f.type().equals("ping")) return f;
    }
    throw new AssertionError("no frame within 10 s");
  }

  /** The next {@code n} user events (skipping control frames and comments). */
  public List<Frame> events(int n) {
    List<Frame> out = new ArrayList<>();
    while (out.size() < n) {
      Frame f = next();
      if (f.data() != null && f.type().equals("event")) out.add(f);
    }
    return out;
  }

  public Frame expectType(String type) {
    Frame f = next();
    assertThat(f.type()).as("frame %s", f).isEqualTo(type);
    return f;
  }

  /** The id of the last frame that carried one: what a browser sends as Last-Event-ID. */
  public String lastEventId() {
    return lastEventId;
  }

  public boolean ended() {
    return ended;
  }

  @Override
  public void close() {
    reader.interrupt();
    try {
      response.body().close();
    } catch (RuntimeException e) {
      // already closed
    }
  }
}
