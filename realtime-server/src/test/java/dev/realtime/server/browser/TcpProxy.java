package dev.realtime.server.browser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a server that a test can break the way networks break: {@link #cut()}
 * drops every connection (a reset), {@link #refuse} makes new connections fail at once (the server
 * is unreachable), {@link #freeze()} stalls the current connections without closing them (a dead
 * link that nobody notices, as behind a sleeping laptop or a silent NAT).
 */
final class TcpProxy implements AutoCloseable {
  private final int target;
  private final ServerSocket listener;
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final AtomicInteger accepted = new AtomicInteger();
  private volatile boolean refusing;
  private volatile boolean stallingNew;

  /** One client connection and its connection to the server. */
  private static final class Link {
    final Socket client;
    final Socket server;
    volatile boolean frozen;

    Link(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    void close() {
      try {
        client.close();
      } catch (IOException ignored) {
        // closing
      }
      try {
        server.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  TcpProxy(int targetPort) {
    this.target = targetPort;
    try {
      this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Thread.ofVirtual().name("proxy-accept").start(this::accept);
  }

  int port() {
    return listener.getLocalPort();
  }

  String url() {
    return "http://127.0.0.1:" + port();
  }

  /** Connections accepted so far, refused ones included. */
  int accepted() {
    return accepted.get();
  }

  private void accept() {
    while (!listener.isClosed()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      if (refusing) {
        closeQuietly(client);
        continue;
      }
      try {
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        Link link = new Link(client, server);
        link.frozen = stallingNew;
        links.add(link);
        Thread.ofVirtual().start(() -> pump(link, client, server));
        Thread.ofVirtual().start(() -> pump(link, server, client));
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private void pump(Link link, Socket from, Socket to) {
    byte[] buffer = new byte[16384];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        while (link.frozen && !to.isClosed()) Thread.sleep(5);
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // cut, or closed by either side
    } finally {
      link.close();
      links.remove(link);
    }
  }

  /** Drops every open connection at once, as a network failure would. */
  void cut() {
    for (Link l : links) l.close();
  }

  /** While on, new connections are closed as soon as they are accepted. */
  void refuse(boolean on) {
    refusing = on;
  }

  /**
   * While on, new connections are accepted and then stalled from their first byte: a request that
   * never reaches the server and never gets an answer. Turning it off affects later ones only.
   */
  void stallNew(boolean on) {
    stallingNew = on;
  }

  /** Stalls the open connections: nothing more passes, nothing is closed. New ones flow. */
  void freeze() {
    for (Link l : links) l.frozen = true;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() {
    closeQuietly(listener);
    cut();
  }

  private static void closeQuietly(ServerSocket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
