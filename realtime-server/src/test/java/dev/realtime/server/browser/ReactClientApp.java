package dev.realtime.server.browser;

import com.sun.net.httpserver.HttpServer;
import dev.realtime.redis.NodeProject;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The React app of {@code src/test/react}: the original {@code @upstash/realtime} 1.1.0 client
 * ({@code RealtimeProvider}, {@code useRealtime}) used as its documentation shows, installed with
 * {@code npm ci}, bundled by esbuild into {@code target/upstash-react-client/} and served from a
 * JDK HTTP server on a loopback port of its own, so the page's origin differs from the realtime
 * server's and every request it makes there is cross-origin (CORS), as in a real deployment.
 *
 * <p>Needs {@code node} (18+) and {@code npm}; {@code npm ci} reaches the npm registry only when
 * {@code node_modules} does not already hold every pinned version ({@link NodeProject}, shared with
 * realtime-redis's interop tests).
 */
final class ReactClientApp implements AutoCloseable {
  private final Path bundle;
  private final HttpServer pages;

  private ReactClientApp(Path bundle, HttpServer pages) {
    this.bundle = bundle;
    this.pages = pages;
  }

  /** Installs (when needed), bundles and serves the app. */
  static ReactClientApp start() throws Exception {
    NodeProject project =
        NodeProject.locate(
                "UpstashReactClientTest",
                "build.mjs",
                "src/test/react",
                "realtime-server/src/test/react")
            .install();
    Path bundle = Path.of("target", "upstash-react-client").toAbsolutePath();
    project.run(Duration.ofMinutes(1), "node", "build.mjs", bundle.toString());
    HttpServer pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    pages.createContext("/", exchange -> serve(bundle, exchange));
    pages.start();
    return new ReactClientApp(bundle, pages);
  }

  /** The page's URL with these query parameters (values URL-encoded here). */
  String url(Map<String, String> query) {
    StringBuilder b =
        new StringBuilder("http://127.0.0.1:" + pages.getAddress().getPort() + "/index.html");
    char sep = '?';
    for (var e : query.entrySet()) {
      b.append(sep)
          .append(e.getKey())
          .append('=')
          .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
      sep = '&';
    }
    return b.toString();
  }

  Path bundle() {
    return bundle;
  }

  @Override
  public void close() {
    pages.stop(0);
  }

  private static void serve(Path root, com.sun.net.httpserver.HttpExchange exchange)
      throws IOException {
    try (exchange) {
      String name = exchange.getRequestURI().getPath().substring(1);
      Path file = root.resolve(name.isEmpty() ? "index.html" : name).normalize();
      if (!file.startsWith(root) || !Files.isRegularFile(file)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      String type =
          name.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/html; charset=utf-8";
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      byte[] body = Files.readAllBytes(file);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
