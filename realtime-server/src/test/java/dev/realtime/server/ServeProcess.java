package dev.realtime.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** {@code ./realtime serve} as a real OS process of the test's own, to be killed and restarted. */
public final class ServeProcess implements AutoCloseable {
  public final Process process;

  /** Where it serves; null when it exited without serving. */
  public final String url;

  public final List<String> output;

  private ServeProcess(Process process, String url, List<String> output) {
    this.process = process;
    this.url = url;
    this.output = output;
  }

  /** Starts {@code serve} with {@code args} and waits until it says where it serves. */
  public static ServeProcess start(String... args) throws IOException, InterruptedException {
    ServeProcess p = launch(args);
    if (p.url == null) {
      p.close();
      throw new IllegalStateException("serve did not start: " + p.output);
    }
    return p;
  }

  /**
   * Starts {@code serve} with {@code args} and waits until it says where it serves, or exits, or 30
   * s pass (then {@link #url} is null).
   */
  public static ServeProcess launch(String... args) throws IOException, InterruptedException {
    return launch(java.util.Map.of(), args);
  }

  /** Like {@link #launch(String...)}, with {@code env} as its only REALTIME_* variables. */
  public static ServeProcess launch(java.util.Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.realtime.server.cli.Main");
    command.add("serve");
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("REALTIME_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    Thread.ofVirtual()
        .start(
            () -> {
              try (var r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  output.add(line);
                  lines.add(line);
                }
              } catch (IOException e) {
                // the process ended
              }
            });
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      String line = lines.poll(200, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith("realtime: serving ")) {
        return new ServeProcess(
            p, line.substring("realtime: serving ".length()).split(" ")[0], output);
      }
      if (line == null && !p.isAlive()) break;
    }
    return new ServeProcess(p, null, output);
  }

  /** Kills it as a crash would: SIGKILL, no goodbye to anyone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }
}
