package dev.realtime.server.pages;

import dev.realtime.server.http.Exchange;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Files of the server's jar served as they are: the browser client at {@code /realtime.js} (copied
 * at build time from {@code clients/realtime-js}, its one source) and, unless turned off, the demo
 * pages and their assets. Read once at startup and kept in memory (they are a few tens of KiB).
 *
 * <p>Each answer has an {@code ETag} and {@code Cache-Control: no-cache}: browsers keep a copy but
 * ask each time whether it changed (a 304 costs a few bytes), so a new server version is picked up
 * on the next load, never a stale client. Pages get a strict Content-Security-Policy (same-origin
 * scripts and connections only) and no Referer, since their URLs may carry a {@code ?token=}.
 */
public final class StaticFiles {
  /** The demo pages: the path they are served at, and their file under {@code pages/}. */
  static final Map<String, String> PAGES =
      Map.of(
          "/",
          "index.html",
          "/chat",
          "chat.html",
          "/jobs",
          "jobs.html",
          "/dashboard",
          "dashboard.html");

  /** What the pages load, served at {@code /assets/<name>}. */
  static final List<String> ASSETS =
      List.of(
          "style.css", "page.js", "index.js", "chat.js", "jobs.js", "dashboard.js", "favicon.svg");

  static final String CSP =
      "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none';"
          + " form-action 'self'; frame-ancestors 'none'";

  private record File(byte[] body, String contentType, String etag, boolean page) {}

  private final Map<String, File> files = new LinkedHashMap<>();

  /**
   * Reads the files from the classpath.
   *
   * @param pages whether to serve the demo pages as well as {@code /realtime.js}
   * @throws IllegalStateException when one is missing (a broken build)
   */
  public StaticFiles(boolean pages) {
    add("/realtime.js", "realtime-js/realtime.js", false);
    if (!pages) return;
    PAGES.forEach((path, name) -> add(path, "pages/" + name, true));
    for (String asset : ASSETS) add("/assets/" + asset, "pages/assets/" + asset, false);
  }

  private void add(String path, String resource, boolean page) {
    byte[] body;
    try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            resource + " is not on the classpath: the server was built without it");
      }
      body = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.put(path, new File(body, contentType(resource), etag(body), page));
  }

  /** Whether {@code path} is one of the files. */
  public boolean serves(String path) {
    return files.containsKey(path);
  }

  /** Answers the file at {@code path} (which {@link #serves}), or 304 when the client has it. */
  public void serve(Exchange x, String path) {
    File f = files.get(path);
    String known = x.headers().get(HttpHeaderNames.IF_NONE_MATCH);
    boolean fresh = known != null && (known.contains(f.etag()) || known.strip().equals("*"));
    x.send(
        fresh ? 304 : 200,
        f.contentType(),
        fresh ? new byte[0] : f.body(),
        h -> {
          h.set(HttpHeaderNames.ETAG, f.etag());
          // A 304 has no body, and its Content-Length may only be that of the 200 (RFC 9110,
          // 8.6): a cache would otherwise take the file's length to be 0.
          if (fresh) h.setInt(HttpHeaderNames.CONTENT_LENGTH, f.body().length);
          h.set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
          h.set("X-Content-Type-Options", "nosniff");
          if (f.page()) {
            h.set("Content-Security-Policy", CSP);
            h.set("Referrer-Policy", "no-referrer");
          }
        });
  }

  private static String contentType(String name) {
    String ext = name.substring(name.lastIndexOf('.') + 1);
    return switch (ext) {
      case "html" -> "text/html; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "js" -> "text/javascript; charset=utf-8";
      case "svg" -> "image/svg+xml";
      default -> "application/octet-stream";
    };
  }

  private static String etag(byte[] body) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(body);
      return "\"" + HexFormat.of().formatHex(hash, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
