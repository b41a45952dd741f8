package dev.realtime.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/** The Node project of the interop tests (src/test/node): where it is, and its npm install. */
final class NodeProject {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String ORIGINAL_VERSION = "1.1.0";

  private NodeProject() {}

  static Path locate() {
    for (String candidate : List.of("src/test/node", "realtime-redis/src/test/node")) {
      Path p = Path.of(candidate).toAbsolutePath();
      if (Files.isRegularFile(p.resolve("driver.mjs"))) return p;
    }
    throw new IllegalStateException(
        "src/test/node/driver.mjs not found from " + Path.of("").toAbsolutePath());
  }

  /**
   * Checks node and npm, and runs {@code npm ci} (or {@code npm install} without a lock file) when
   * node_modules does not hold the pinned original.
   */
  static void install(Path dir) throws Exception {
    String nodeVersion = tool(dir, Duration.ofSeconds(30), "node", "--version").trim();
    Matcher major = Pattern.compile("^v(\\d+)\\.").matcher(nodeVersion);
    if (!major.find() || Integer.parseInt(major.group(1)) < 18) {
      throw new IllegalStateException(
          "UpstashInteropTest needs Node.js 18 or newer, found " + nodeVersion);
    }
    tool(dir, Duration.ofSeconds(30), "npm", "--version");
    Path installed = dir.resolve("node_modules/@upstash/realtime/package.json");
    if (Files.isRegularFile(installed)
        && JSON.readTree(Files.readString(installed))
            .path("version")
            .stringValue("")
            .equals(ORIGINAL_VERSION)
        && Files.isDirectory(dir.resolve("node_modules/ioredis"))
        && Files.isDirectory(dir.resolve("node_modules/@upstash/redis"))
        && Files.isDirectory(dir.resolve("node_modules/zod"))) {
      return;
    }
    if (Files.isRegularFile(dir.resolve("package-lock.json"))) {
      tool(dir, Duration.ofMinutes(5), "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error");
    } else {
      tool(
          dir,
          Duration.ofMinutes(5),
          "npm",
          "install",
          "--no-audit",
          "--no-fund",
          "--loglevel=error");
    }
  }

  /** Runs a tool to completion, returning its output; a missing tool or a failure says which. */
  private static String tool(Path dir, Duration timeout, String... command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "UpstashInteropTest needs '"
              + command[0]
              + "' on the PATH (Node.js 18+ and npm; on Debian/Ubuntu: apt-get install -y nodejs"
              + " npm, as .ci/run does): "
              + e.getMessage(),
          e);
    }
    p.getOutputStream().close();
    StringBuffer out = new StringBuffer();
    Thread reader = Thread.ofVirtual().start(() -> readAll(p.getInputStream(), out));
    if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          String.join(" ", command) + " did not finish within " + timeout);
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
