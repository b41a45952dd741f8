package dev.realtime.redis;

import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} of the test's own: a free port on 127.0.0.1, a temporary directory,
 * no persistence. Tests kill it (SIGKILL, as a crash) and start it again on the same port. {@link
 * #builder()} adds a password, an ACL user, or TLS (then the port is the TLS port and there is no
 * plain one).
 */
public final class RedisServer implements AutoCloseable {
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
        server.startProcess();
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
              "redis-server exited: " + Files.readString(dir.resolve("stdout.log")) + readLog());
        }
        sleep(20);
      }
    }
    throw new IllegalStateException("redis-server did not listen on port " + port + " within 10 s");
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

  /** Kills the server as a crash would (SIGKILL), losing everything it held. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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

  /** Starts it again on the same port, empty. */
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
