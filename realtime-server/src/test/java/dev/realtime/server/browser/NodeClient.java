package dev.realtime.server.browser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The browser client ({@code clients/realtime-js/realtime.js}) running in Node, driven by {@code
 * src/test/node/client-driver.mjs}: commands go in as JSON lines, every callback comes back as a
 * JSON line, recorded in order (the shape of OkHttp's EventSourceRecorder). Node 18+ has fetch and
 * web streams, the same APIs a browser gives the client.
 */
final class NodeClient implements AutoCloseable {
  static final Path CLIENT = Path.of("../clients/realtime-js/realtime.js").toAbsolutePath();
  static final Path DRIVER = Path.of("src/test/node/client-driver.mjs").toAbsolutePath();
  // Non-ASCII written as \\u escapes: a lone surrogate reaches Node as it is (UTF-8 has none).
  static final JsonMapper JSON =
      JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

  private final Process process;
  private final Writer commands;
  private final List<JsonNode> lines = new ArrayList<>(); // guarded by this
  private final StringBuilder stderr = new StringBuilder();
  private int read; // how far next() has read

  private NodeClient(Process process) {
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread.ofVirtual().start(() -> pump(process));
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                String s =
                    new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                synchronized (stderr) {
                  stderr.append(s);
                }
              } catch (IOException ignored) {
                // ended
              }
            });
  }

  static NodeClient start() {
    return start(CLIENT);
  }

  /** Drives the client at {@code client} (a copy of realtime.js with other defaults, say). */
  static NodeClient start(Path client) {
    if (!Files.isRegularFile(client)) throw new IllegalStateException("no client at " + client);
    try {
      return new NodeClient(
          new ProcessBuilder("node", DRIVER.toString(), client.toString()).start());
    } catch (IOException e) {
      throw new IllegalStateException(
          "the client tests need Node.js 18+ on the PATH (./test installs it as root): " + e, e);
    }
  }

  private void pump(Process p) {
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        JsonNode json = JSON.readTree(line);
        synchronized (this) {
          lines.add(json);
          notifyAll();
        }
      }
    } catch (IOException ignored) {
      // the process ended
    }
  }

  /**
   * Runs a command, like {@code command("addChannel", "channel", "b")}, and waits for its ack. What
   * the command printed stays to be read by {@link #next}.
   */
  void command(String op, Object... fields) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", op);
    for (int i = 0; i < fields.length; i += 2) c.put((String) fields[i], fields[i + 1]);
    int from;
    synchronized (this) {
      from = lines.size();
    }
    try {
      commands.write(JSON.writeValueAsString(c) + "\n");
      commands.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    awaitLine(from, l -> type(l, "ack") && l.get("op").asString().equals(op));
  }

  private synchronized void awaitLine(int from, Predicate<JsonNode> matches) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    for (int i = from; ; ) {
      for (; i < lines.size(); i++) {
        if (type(lines.get(i), "driverError")) throw new AssertionError(lines.get(i).toString());
        if (matches.test(lines.get(i))) return;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) throw new AssertionError("no ack within 10 s\n" + dump());
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  void connect(Map<String, Object> options) {
    command("connect", "options", options);
  }

  /**
   * The next line (after those already returned) that matches, skipping the others; fails after
   * {@code timeout} with everything recorded.
   */
  synchronized JsonNode next(Predicate<JsonNode> matches, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      while (read < lines.size()) {
        JsonNode l = lines.get(read++);
        if (type(l, "driverError")) throw new AssertionError("driver: " + l.get("message"));
        if (matches.test(l)) return l;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) throw new AssertionError("no matching line within " + timeout + "\n" + dump());
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  JsonNode next(String type) {
    return next(l -> type(l, type), Duration.ofSeconds(10));
  }

  JsonNode awaitStatus(String status, Duration timeout) {
    return next(l -> type(l, "status") && l.get("status").asString().equals(status), timeout);
  }

  /** Waits until {@code n} data lines have been recorded in all; returns every data line. */
  synchronized List<JsonNode> awaitData(int n, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (data().size() < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "only " + data().size() + " of " + n + " messages within " + timeout + "\n" + dump());
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    return data();
  }

  /** Every line recorded so far. */
  synchronized List<JsonNode> all() {
    return List.copyOf(lines);
  }

  synchronized List<JsonNode> data() {
    return lines.stream().filter(l -> type(l, "data")).toList();
  }

  synchronized List<JsonNode> ofType(String type) {
    return lines.stream().filter(l -> type(l, type)).toList();
  }

  /** The statuses reported, in order. */
  List<String> statuses() {
    return ofType("status").stream().map(l -> l.get("status").asString()).toList();
  }

  static boolean type(JsonNode line, String type) {
    return line.get("type").asString().equals(type);
  }

  private synchronized String dump() {
    StringBuilder b = new StringBuilder("recorded:\n");
    int from = Math.max(0, lines.size() - 60);
    if (from > 0) b.append("  ... ").append(from).append(" earlier lines\n");
    for (JsonNode l : lines.subList(from, lines.size())) b.append("  ").append(l).append('\n');
    synchronized (stderr) {
      if (!stderr.isEmpty()) b.append("stderr: ").append(stderr);
    }
    return b.toString();
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
