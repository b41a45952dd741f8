package dev.realtime.redis;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} of the test's own: a free port on 127.0.0.1, a temporary directory,
 * no persistence. Tests kill it (SIGKILL, as a crash) and start it again on the same port. {@link
 * #builder()} adds a password, an ACL user, or TLS (then the port is the TLS port and there is no
 * plain one).
 *
 * <p>No server outlives the JVM that started it: every process started is registered until it is
 * seen dead, and a shutdown hook kills (SIGKILL, which also ends a SIGSTOPped one) whatever a test
 * left running. Where the JVM dies without running its hooks (SIGKILL, as Surefire does to a fork
 * that timed out), a watcher of each server, a small {@code sh} child of the JVM blocked reading
 * its stdin from the JVM, sees the end of that stdin and kills the server. The server itself is
 * started directly, so its pid is the redis-server's: {@link #kill()}, {@link #pause()} and {@link
 * #resume()} signal the server, not a wrapper.
 */
public final class RedisServer implements AutoCloseable {
  /** Every server process started and not yet seen dead, with its watcher. */
  private static final Set<Running> RUNNING = ConcurrentHashMap.newKeySet();

  private static volatile boolean shuttingDown;

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(RedisServer::killLeftOvers, "RedisServer-shutdown"));
  }

  /**
   * What the watcher runs: {@code $1} is the server's pid, {@code $2} its directory (its working
   * directory). It reads its stdin until "exit" (the JVM saw the server end) or the end of the
   * input without it: the JVM is gone, so it kills the server, after checking that the pid still is
   * that server (on Linux: that process's working directory is the server's), not a process that
   * got the pid since.
   */
  private static final String WATCHER =
      String.join(
          "\n",
          "while read -r line; do [ \"$line\" = exit ] && exit 0; done",
          "[ \"$line\" = exit ] && exit 0",
          "if [ -d /proc/self ]; then",
          "  [ -d \"/proc/$1\" ] && [ \"/proc/$1/cwd\" -ef \"$2\" ] && kill -9 \"$1\"",
          "else",
          "  case \"$(ps -o comm= -p \"$1\" 2>/dev/null)\" in *redis-server*) kill -9 \"$1\";; esac",
          "fi",
          "exit 0");

  /** A started server process, its watcher (null if none could be started) and directory. */
  private record Running(Process server, Process watcher, Path dir, String startedBy) {}

  private final int port;
  private final Path dir;
  private final boolean persistent;
  private final String password;
  private final List<String> user;
  private final TestCertificates tls;
  private final Integer replicaOf;
  private final String sentinelMaster;
  private final int sentinelMasterPort;
  private final boolean cluster;
  private Process process;
  private Running running;

  private RedisServer(Builder b, int port, Path dir, TestCertificates tls) {
    this.port = port;
    this.dir = dir;
    this.persistent = b.persistent;
    this.password = b.password;
    this.user = b.user;
    this.tls = tls;
    this.replicaOf = b.replicaOf;
    this.sentinelMaster = b.sentinelMaster;
    this.sentinelMasterPort = b.sentinelMasterPort;
    this.cluster = b.cluster;
  }

  public static RedisServer start() {
    return builder().start();
  }

  /**
   * A server that writes every command to its append-only file before answering, so what it
   * acknowledged survives a kill and a restart: a crash that loses nothing acknowledged.
   */
  public static RedisServer startPersistent() {
    return builder().persistent().start();
  }

  /** A server that requires {@code password} (AUTH), empty. */
  public static RedisServer startWithPassword(String password) {
    return builder().password(password).start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What kind of server to start. */
  public static final class Builder {
    private boolean persistent;
    private String password;
    private List<String> user;
    private String[] tlsNames;
    private Integer replicaOf;
    private String sentinelMaster;
    private int sentinelMasterPort;
    private boolean cluster;

    private Builder() {}

    /** A node in cluster mode (cluster_enabled:1), its config file in the temporary directory. */
    public Builder cluster() {
      this.cluster = true;
      return this;
    }

    /** A replica of the server on 127.0.0.1:{@code masterPort}. */
    public Builder replicaOf(int masterPort) {
      this.replicaOf = masterPort;
      return this;
    }

    /**
     * A Sentinel (redis-server in sentinel mode) that monitors the master on 127.0.0.1:{@code
     * masterPort} as {@code name}, alone (quorum 1), declaring it down after a second without an
     * answer and then promoting a replica.
     */
    public Builder sentinelFor(String name, int masterPort) {
      this.sentinelMaster = name;
      this.sentinelMasterPort = masterPort;
      return this;
    }

    /** See {@link RedisServer#startPersistent()}. */
    public Builder persistent() {
      this.persistent = true;
      return this;
    }

    /** The default user's password ({@code requirepass}): clients must authenticate. */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /** An ACL user who may do everything, with {@code password}: for user:password@ URIs. */
    public Builder user(String name, String password) {
      this.user = List.of(name, "on", ">" + password, "~*", "&*", "+@all");
      return this;
    }

    /** TLS only, with a certificate for 127.0.0.1 and localhost from a throwaway CA. */
    public Builder tls() {
      return tls("IP:127.0.0.1", "DNS:localhost");
    }

    /** TLS only, with a certificate for {@code subjectAltNames} ({@code DNS:x}, {@code IP:y}). */
    public Builder tls(String... subjectAltNames) {
      this.tlsNames = subjectAltNames.clone();
      return this;
    }

    public RedisServer start() {
      try {
        Path dir = Files.createTempDirectory("realtime-redis-");
        TestCertificates tls =
            tlsNames == null ? null : TestCertificates.create(dir.resolve("tls"), tlsNames);
        RedisServer server = new RedisServer(this, FreePorts.outsideTheEphemeralRange(), dir, tls);
        try {
          server.startProcess();
        } catch (IOException | RuntimeException | Error e) {
          server.close(); // nothing of it is left running (launch kills what did not start)
          throw e;
        }
        return server;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** The port clients connect to: the TLS port of a TLS server. */
  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:port}, or {@code rediss://} for a TLS server; no credentials. */
  public String uri() {
    return (tls == null ? "redis" : "rediss") + "://127.0.0.1:" + port;
  }

  /** The CA certificate (PEM) that signed a TLS server's certificate: what a client must trust. */
  public Path caCertificate() {
    if (tls == null) throw new IllegalStateException("not a TLS server");
    return tls.ca();
  }

  private void startProcess() throws IOException {
    if (sentinelMaster != null) {
      startSentinel();
      return;
    }
    String binary = findBinary();
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                binary,
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
    if (tls == null) {
      command.addAll(List.of("--port", Integer.toString(port)));
    } else {
      command.addAll(
          List.of(
              "--port",
              "0", // no plain port
              "--tls-port",
              Integer.toString(port),
              "--tls-cert-file",
              tls.certificate().toString(),
              "--tls-key-file",
              tls.key().toString(),
              "--tls-ca-cert-file",
              tls.ca().toString(),
              "--tls-auth-clients",
              "no"));
    }
    if (password != null) command.addAll(List.of("--requirepass", password));
    if (user != null) {
      command.add("--user");
      command.addAll(user);
    }
    if (replicaOf != null) {
      command.addAll(List.of("--replicaof", "127.0.0.1", replicaOf.toString()));
    }
    if (cluster) {
      command.addAll(
          List.of(
              "--cluster-enabled",
              "yes",
              "--cluster-config-file",
              dir.resolve("nodes.conf").toString()));
    }
    launch(command);
  }

  private void startSentinel() throws IOException {
    Path config = dir.resolve("sentinel.conf"); // Sentinel rewrites its file: one of its own
    Files.writeString(
        config,
        String.join(
            "\n",
            "bind 127.0.0.1",
            "port " + port,
            "dir " + dir,
            "logfile " + dir.resolve("redis.log"),
            "sentinel monitor " + sentinelMaster + " 127.0.0.1 " + sentinelMasterPort + " 1",
            "sentinel down-after-milliseconds " + sentinelMaster + " 1000",
            "sentinel failover-timeout " + sentinelMaster + " 10000",
            ""));
    launch(List.of(findBinary(), config.toString(), "--sentinel"));
  }

  private void launch(List<String> command) throws IOException {
    if (running != null) stop(running); // never two of ours on one port, the first one untracked
    Process started =
        new ProcessBuilder(command)
            .directory(dir.toFile()) // the watcher knows it by its working directory
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .start();
    process = started;
    running = new Running(started, startWatcher(started.pid()), dir, startedBy());
    RUNNING.add(running);
    boolean listening = false;
    try {
      if (shuttingDown) throw new IllegalStateException("the JVM is shutting down");
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!listening && System.nanoTime() < deadline) {
        try (Socket s = new Socket("127.0.0.1", port)) {
          listening = true;
        } catch (IOException notYet) {
          if (!started.isAlive()) {
            throw new IllegalStateException(
                "redis-server exited: " + Files.readString(dir.resolve("stdout.log")) + readLog());
          }
          sleep(20);
        }
      }
      if (!listening) {
        throw new IllegalStateException(
            "redis-server did not listen on port " + port + " within 10 s");
      }
    } finally {
      if (!listening) {
        stop(running);
        running = null;
      }
    }
  }

  /**
   * Starts the watcher of the server {@code pid}: null where there is no {@code sh} (then only the
   * shutdown hook stands between a dying JVM and an orphaned server).
   */
  private Process startWatcher(long pid) {
    try {
      return new ProcessBuilder(
              "/bin/sh",
              "-c",
              WATCHER,
              "redis-server-watcher",
              Long.toString(pid),
              dir.toAbsolutePath().toString())
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException | RuntimeException noShell) {
      return null;
    }
  }

  /** The first caller outside this class: which test a server left running came from. */
  private static String startedBy() {
    return StackWalker.getInstance()
        .walk(
            frames ->
                frames
                    .filter(f -> !f.getClassName().startsWith(RedisServer.class.getName()))
                    .findFirst()
                    .map(f -> f.getClassName() + "." + f.getMethodName() + ":" + f.getLineNumber())
                    .orElse("?"));
  }

  /**
   * Kills {@code r}'s server (SIGKILL) and waits until it is gone, then ends its watcher. Throws if
   * it did not die within 10 s; it then stays registered for the shutdown hook.
   */
  private static void stop(Running r) {
    r.server().destroyForcibly();
    if (!waitFor(r.server(), Duration.ofSeconds(10))) {
      throw new IllegalStateException(
          "redis-server " + r.server().pid() + " still runs 10 s after SIGKILL");
    }
    endWatcher(r.watcher(), Duration.ofSeconds(2));
    RUNNING.remove(r);
  }

  /** Tells the watcher that its server is gone ("exit"), and waits for it to end. */
  private static void endWatcher(Process watcher, Duration patience) {
    if (watcher == null) return;
    try (OutputStream in = watcher.getOutputStream()) {
      in.write("exit\n".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException alreadyGone) {
      // it ended already
    }
    if (!waitFor(watcher, patience)) {
      watcher.destroyForcibly();
      waitFor(watcher, patience);
    }
  }

  /** Waits up to {@code patience} for {@code p} to end, even if interrupted (kept for later). */
  private static boolean waitFor(Process p, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  /**
   * The shutdown hook: kills every server still running (a test that did not close its own), waits
   * for them, ends their watchers, and says which tests started them.
   */
  private static void killLeftOvers() {
    shuttingDown = true;
    List<Running> left = List.copyOf(RUNNING);
    if (left.isEmpty()) return;
    for (Running r : left) r.server().destroyForcibly(); // SIGKILL: ends a stopped one too
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    StringBuilder report = new StringBuilder();
    for (Running r : left) {
      boolean dead =
          waitFor(r.server(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      if (dead) {
        endWatcher(r.watcher(), Duration.ofMillis(500));
        deleteDirectory(r.dir());
      } // else the watcher kills it once the JVM is gone
      RUNNING.remove(r);
      report.append(
          String.format(
              "%n  pid %d (%s), started by %s",
              r.server().pid(), dead ? "killed" : "STILL RUNNING", r.startedBy()));
    }
    System.err.println("RedisServer: redis-server left running at JVM exit:" + report);
  }

  private String readLog() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "";
    }
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

  /**
   * Kills the server as a crash would (SIGKILL, which also ends a paused one), losing everything it
   * held, and waits until it is gone.
   */
  public void kill() {
    if (running != null) {
      stop(running);
      running = null;
    }
  }

  /** Freezes the server (SIGSTOP): it keeps its connections but answers nothing. */
  public void pause() {
    signal("-STOP");
  }

  /** Lets a paused server go on (SIGCONT). */
  public void resume() {
    signal("-CONT");
  }

  private void signal(String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts it again on the same port, empty; one still running is killed first. */
  public void restart() {
    try {
      startProcess();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills the server (SIGKILL) and waits until it is gone, then deletes its directory. */
  @Override
  public void close() {
    kill();
    deleteDirectory(dir);
  }

  private static void deleteDirectory(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory
    }
  }
}
