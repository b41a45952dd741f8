package dev.realtime.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback that can stall the connections it holds: they stay open, and what either
 * side sends is read and dropped, as on a path that stopped passing packets while nobody closed
 * anything. Connections made after a stall are forwarded as usual.
 */
final class StallingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final List<Pair> pairs = new CopyOnWriteArrayList<>();

  private static final class Pair {
    final Socket client;
    final Socket server;
    volatile boolean stalled;

    Pair(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }
  }

  StallingProxy(int targetPort) throws IOException {
    this.target = targetPort;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("proxy-accept").start(this::accept);
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Stalls every connection held now. */
  void stallExisting() {
    for (Pair p : pairs) p.stalled = true;
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
        Pair p = new Pair(client, server);
        pairs.add(p);
        Thread.ofPlatform().daemon().start(() -> pump(p, client, server));
        Thread.ofPlatform().daemon().start(() -> pump(p, server, client));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private static void pump(Pair p, Socket from, Socket to) {
    byte[] buf = new byte[8192];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        if (!p.stalled) out.write(buf, 0, n);
      }
    } catch (IOException gone) {
      // one side closed
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (Pair p : pairs) {
      p.client.close();
      p.server.close();
    }
  }
}
