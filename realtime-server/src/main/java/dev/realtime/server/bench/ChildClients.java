package dev.realtime.server.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A share of the connections held by a child JVM, started from the same classpath with the same
 * {@code java}. One process may open only so many files (here 20,000), so the bench spreads its
 * connections over processes. The child speaks lines on its stdout, each starting with {@link
 * #PREFIX} ({@code connected} with a {@link ClientGroup.Connected}, then {@code report} with a
 * {@link ClientReport}, as JSON); anything else it prints is passed on. It reads one line, {@code
 * finish <drain ms> <emitted to channel 0> <to channel 1> ...}, from its stdin, and exits when its
 * stdin closes, so it never outlives the bench.
 */
public final class ChildClients implements ClientGroup {
  public static final String PREFIX = "@bench ";
  static final JsonMapper JSON = JsonMapper.builder().build();

  /**
   * A small heap and the serial collector: the child holds connections and counts, and should leave
   * the CPU to the server it measures.
   */
  static final List<String> JVM_OPTIONS = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC");

  private final String name;
  private final int count;
  private final Process process;
  private final Writer stdin;
  private final PrintWriter err;
  private final CompletableFuture<Connected> connected = new CompletableFuture<>();
  private final CompletableFuture<ClientReport> report = new CompletableFuture<>();

  private ChildClients(String name, int count, Process process, PrintWriter err) {
    this.name = name;
    this.count = count;
    this.process = process;
    this.err = err;
    this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread.ofPlatform().daemon().name(name + "-stdout").start(this::readStdout);
  }

  /**
   * Starts {@code java <options> -cp <this classpath> mainClass args...}, which opens {@code count}
   * connections; its stderr goes to this process's stderr.
   */
  public static ChildClients start(
      String name, int count, String mainClass, List<String> args, PrintWriter err)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(javaCommand());
    command.addAll(JVM_OPTIONS);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectError(Redirect.INHERIT).start();
    return new ChildClients(name, count, p, err);
  }

  /** The {@code java} running this process ({@code jcmd} is next to it). */
  public static String javaCommand() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  public long pid() {
    return process.pid();
  }

  private void readStdout() {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith(PREFIX + "connected ")) {
          connected.complete(JSON.readValue(line.substring(PREFIX.length() + 10), Connected.class));
        } else if (line.startsWith(PREFIX + "report ")) {
          report.complete(ClientReport.fromJson(line.substring(PREFIX.length() + 7)));
        } else {
          synchronized (err) {
            err.println("[" + name + "] " + line);
            err.flush();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      connected.completeExceptionally(e);
      report.completeExceptionally(e);
    }
    String exit;
    try {
      exit =
          process.waitFor(10, TimeUnit.SECONDS) ? "code " + process.exitValue() : "still running";
    } catch (InterruptedException e) {
      exit = "interrupted";
    }
    IllegalStateException gone =
        new IllegalStateException(
            "client process " + name + " (pid " + process.pid() + ") ended (" + exit + ") early");
    connected.completeExceptionally(gone);
    report.completeExceptionally(gone);
  }

  @Override
  public Connected awaitConnected(Duration timeout) throws InterruptedException {
    try {
      // The child applies the timeout itself; the margin covers its start-up.
      return connected.get(timeout.toMillis() + 60_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return new Connected(0, count, e.getCause().getMessage());
    } catch (TimeoutException e) {
      return new Connected(0, count, "client process " + name + " did not report its connections");
    }
  }

  @Override
  public CompletableFuture<ClientReport> finish(long[] emittedPerChannel, Duration drainIdle) {
    StringBuilder line = new StringBuilder("finish ").append(drainIdle.toMillis());
    for (long n : emittedPerChannel) line.append(' ').append(n);
    try {
      stdin.write(line.append('\n').toString());
      stdin.flush();
    } catch (IOException e) {
      report.completeExceptionally(e);
    }
    return report;
  }

  @Override
  public void close() {
    try {
      stdin.close();
    } catch (IOException e) {
      // it is going away anyway
    }
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
