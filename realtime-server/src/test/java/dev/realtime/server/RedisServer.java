package dev.realtime.server;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} of the test's own: a free port on 127.0.0.1, a temporary directory,
 * no persistence. Tests kill it (SIGKILL, as a crash) and start it again on the same port.
 *
 * <p>A copy of realtime-redis's test helper of the same name (test classes are not shared between
 * modules).
 */
public final class RedisServer implements AutoCloseable {
  private final int port;
  private final Path dir;
  private Process process;

  private RedisServer(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  public static RedisServer start() {
    try {
      RedisServer server =
          new RedisServer(freePort(), Files.createTempDirectory("realtime-redis-"));
      server.startProcess();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  private void startProcess() throws IOException {
    String binary = findBinary();
    process =
        new ProcessBuilder(
                binary,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString(),
                "--logfile",
                dir.resolve("redis.log").toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "redis-server exited: " + Files.readString(dir.resolve("stdout.log")));
        }
        sleep(20);
      }
    }
    throw new IllegalStateException("redis-server did not listen on port " + port + " within 10 s");
  }

  private static String findBinary() {
    for (String candidate : List.of("/usr/bin/redis-server", "/usr/local/bin/redis-server")) {
      if (new File(candidate).canExecute()) return candidate;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String p : path.split(File.pathSeparator)) {
        File f = new File(p, "redis-server");
        if (f.canExecute()) return f.getPath();
      }
    }
    throw new IllegalStateException(
        "redis-server not found: install it (apt-get install -y redis-server); .ci/run does");
  }

  /** Kills the server as a crash would (SIGKILL), losing everything it held. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts it again on the same port, empty. */
  public void restart() {
    try {
      startProcess();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory
    }
  }
}
