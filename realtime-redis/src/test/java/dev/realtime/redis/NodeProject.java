package dev.realtime.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Node project that tests drive (the interop driver here, the React page in realtime-server):
 * where it is, its {@code npm ci}, and running its tools. Every failure names the test that needs
 * it and what to install.
 */
public final class NodeProject {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Path dir;
  private final String user;

  private NodeProject(Path dir, String user) {
    this.dir = dir;
    this.user = user;
  }

  /**
   * The project in the first of {@code candidates} (relative to the working directory) holding
   * {@code marker}; {@code user} is the test that needs it, for messages.
   */
  public static NodeProject locate(String user, String marker, String... candidates) {
    for (String candidate : candidates) {
      Path p = Path.of(candidate).toAbsolutePath();
      if (Files.isRegularFile(p.resolve(marker))) return new NodeProject(p, user);
    }
    throw new IllegalStateException(
        user
            + ": "
            + marker
            + " not found in "
            + List.of(candidates)
            + " from "
            + Path.of("").toAbsolutePath());
  }

  /** The interop tests' project (src/test/node of realtime-redis). */
  static NodeProject interop() {
    return locate(
        "UpstashInteropTest", "driver.mjs", "src/test/node", "realtime-redis/src/test/node");
  }

  public Path dir() {
    return dir;
  }

  /**
   * Checks node (18+) and npm, and runs {@code npm ci} unless every dependency and dev dependency
   * of package.json (each pinned to one version) is installed at that version. No install scripts
   * run: none of the pinned packages needs one (esbuild's platform binary comes as an optional
   * dependency).
   */
  public NodeProject install() throws Exception {
    String nodeVersion = run(Duration.ofSeconds(30), "node", "--version").trim();
    Matcher major = Pattern.compile("^v(\\d+)\\.").matcher(nodeVersion);
    if (!major.find() || Integer.parseInt(major.group(1)) < 18) {
      throw new IllegalStateException(user + " needs Node.js 18 or newer, found " + nodeVersion);
    }
    run(Duration.ofSeconds(30), "npm", "--version");
    if (installed()) return this;
    run(
        Duration.ofMinutes(5),
        "npm",
        "ci",
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--loglevel=error");
    return this;
  }

  private boolean installed() throws IOException {
    JsonNode manifest = JSON.readTree(Files.readString(dir.resolve("package.json")));
    List<Map.Entry<String, JsonNode>> dependencies = new ArrayList<>();
    manifest.path("dependencies").properties().forEach(dependencies::add);
    manifest.path("devDependencies").properties().forEach(dependencies::add);
    for (var e : dependencies) {
      Path installed = dir.resolve("node_modules").resolve(e.getKey()).resolve("package.json");
      if (!Files.isRegularFile(installed)) return false;
      String version = JSON.readTree(Files.readString(installed)).path("version").asString("");
      // @upstash/realtime 1.1.0 says "v1.1.0" in its package.json
      if (!version.replaceFirst("^v", "").equals(e.getValue().asString())) return false;
    }
    return true;
  }

  /**
   * Runs a tool in the project's folder to completion, returning its output; a missing tool or a
   * failure says which.
   */
  public String run(Duration timeout, String... command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException(
          user
              + " needs '"
              + command[0]
              + "' on the PATH (Node.js 18+ and npm; on Debian/Ubuntu: apt-get install -y nodejs"
              + " npm, as ./test does as root): "
              + e.getMessage(),
          e);
    }
    p.getOutputStream().close();
    StringBuffer out = new StringBuffer();
    Thread reader = Thread.ofVirtual().start(() -> readAll(p.getInputStream(), out));
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          String.join(" ", command) + " did not finish within " + timeout + " in " + dir);
    }
    reader.join(5000);
    if (p.exitValue() != 0) {
      throw new IllegalStateException(
          String.join(" ", command)
              + " failed in "
              + dir
              + " (exit "
              + p.exitValue()
              + "):\n"
              + out);
    }
    return out.toString();
  }

  private static void readAll(InputStream in, StringBuffer out) {
    try {
      out.append(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException ignored) {
      // the process ended
    }
  }
}
