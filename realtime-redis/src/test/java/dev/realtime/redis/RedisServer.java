package dev.realtime.redis;

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
 */
public final class RedisServer implements AutoCloseable {
  private final int port;
  private final Path dir;
  private final boolean persistent;
  private String password;
  private Process process;

  private RedisServer(int port, Path dir, boolean persistent) {
    this.port = port;
    this.dir = dir;
    this.persistent = persistent;
  }

  public static RedisServer start() {
    return start(false);
  }

  /**
   * A server that writes every command to its append-only file before answering, so what it
   * acknowledged survives a kill and a restart: a crash that loses nothing acknowledged.
   */
  public static RedisServer startPersistent() {
    return start(true);
  }

  private static RedisServer start(boolean persistent) {
    try {
      RedisServer server =
          new RedisServer(freePort(), Files.createTempDirectory("realtime-redis-"), persistent);
      server.startProcess();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A server that requires {@code password} (AUTH), empty. */
  public static RedisServer startWithPassword(String password) {
    try {
      RedisServer server =
          new RedisServer(freePort(), Files.createTempDirectory("realtime-redis-"), false);
      server.password = password;
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
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                binary,
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                persistent ? "yes" : "no",
                "--appendfsync",
                "always",
                "--dir",
                dir.toString(),
                "--logfile",
                dir.resolve("redis.log").toString()));
    if (password != null) command.addAll(List.of("--requirepass", password));
    process =
        new ProcessBuilder(command)
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
