package dev.realtime.server.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An event stream server that answers its n-th connection with the n-th script: raw text sent byte
 * for byte (CRLFs, split data lines, frames cut off), then either the end of the response or, for a
 * script ending in {@link #HOLD}, silence until the test ends. Records each request's {@code
 * Last-Event-ID} (or "none"), so a test can assert where the client asked to resume.
 */
final class ScriptedSseServer implements AutoCloseable {
  /** Ends a script: keep the connection open and send nothing more. */
  static final String HOLD = "\u0000hold";

  /** A script that is an HTTP error instead of a stream: {@code refuse(429)}. */
  static String refuse(int status) {
    return "\u0000status " + status;
  }

  private final HttpServer http;
  private final List<String> scripts;
  private final AtomicInteger next = new AtomicInteger();
  private final LinkedBlockingQueue<String> lastEventIds = new LinkedBlockingQueue<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  ScriptedSseServer(String... scripts) throws IOException {
    this.scripts = List.of(scripts);
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    http.createContext("/", this::answer);
    http.start();
  }

  String url() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  /** The next connection's Last-Event-ID, failing after 10 s. */
  String nextLastEventId() throws InterruptedException {
    String id = lastEventIds.poll(10, TimeUnit.SECONDS);
    if (id == null) throw new AssertionError("no connection within 10 s");
    return id;
  }

  private void answer(HttpExchange x) throws IOException {
    String id = x.getRequestHeaders().getFirst("Last-Event-ID");
    lastEventIds.add(id == null ? "none" : id);
    int n = next.getAndIncrement();
    String script = n < scripts.size() ? scripts.get(n) : HOLD;
    if (script.startsWith("\u0000status ")) {
      byte[] error = "{\"error\":\"not now\"}".getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", "application/json");
      x.sendResponseHeaders(Integer.parseInt(script.substring(8)), error.length);
      x.getResponseBody().write(error);
      x.close();
      return;
    }
    x.getResponseHeaders().set("Content-Type", "text/event-stream");
    x.sendResponseHeaders(200, 0);
    OutputStream body = x.getResponseBody();
    boolean hold = script.endsWith(HOLD);
    String text = hold ? script.substring(0, script.length() - HOLD.length()) : script;
    try {
      body.write(text.getBytes(StandardCharsets.UTF_8));
      body.flush();
      if (hold) closed.await();
    } catch (IOException | InterruptedException e) {
      // the client went away
    } finally {
      x.close();
    }
  }

  @Override
  public void close() {
    closed.countDown();
    http.stop(0);
  }
}
