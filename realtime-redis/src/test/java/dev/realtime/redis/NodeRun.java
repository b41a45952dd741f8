package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One run of the driver: its stdout lines (JSON objects) and stderr, read as they come. */
final class NodeRun implements AutoCloseable {
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(20);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final List<String> command;
  private final Process process;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final StringBuffer stderr = new StringBuffer();
  private final Thread outReader;
  private final Thread errReader;

  NodeRun(List<String> command, Path dir) throws IOException {
    this.command = command;
    this.process = new ProcessBuilder(command).directory(dir.toFile()).start();
    process.getOutputStream().close();
    this.outReader =
        Thread.ofVirtual().start(() -> readLines(process.getInputStream(), stdout::add));
    this.errReader =
        Thread.ofVirtual()
            .start(() -> readLines(process.getErrorStream(), l -> stderr.append(l).append('\n')));
  }

  private static void readLines(InputStream in, java.util.function.Consumer<String> sink) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) sink.accept(line);
    } catch (IOException ignored) {
      // the process ended
    }
  }

  /** Waits for a line of this kind, failing early when the process exits without it. */
  void awaitLine(String kind) {
    await().atMost(NODE_TIMEOUT).until(() -> !lines(kind).isEmpty() || !process.isAlive());
    assertThat(lines(kind)).as("a '%s' line from %s", kind, command).isNotEmpty();
  }

  /** Waits for the process to end (killing it after the timeout) and for its output. */
  int awaitExit() throws InterruptedException {
    if (!process.waitFor(NODE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("node did not exit within " + NODE_TIMEOUT + ": " + command);
    }
    outReader.join(5000);
    errReader.join(5000);
    return process.exitValue();
  }

  /** The stdout lines whose "kind" is {@code kind}, parsed. */
  List<JsonNode> lines(String kind) {
    List<JsonNode> found = new ArrayList<>();
    for (String line : stdout) {
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (RuntimeException notJson) {
        continue;
      }
      if (node.path("kind").stringValue("").equals(kind)) found.add(node);
    }
    return found;
  }

  String transcript() {
    return "--- node "
        + String.join(" ", command.subList(1, command.size()))
        + (process.isAlive() ? " (running)" : " (exit " + process.exitValue() + ")")
        + "\nstdout:\n"
        + String.join("\n", stdout)
        + "\nstderr:\n"
        + stderr;
  }

  @Override
  public void close() {
    if (process.isAlive()) process.destroyForcibly();
  }
}
