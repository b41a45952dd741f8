package dev.realtime.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for tests that start a server later, restart one on the same port, or need a port nothing
 * listens on. Chosen below the kernel's range for the local ends of outgoing connections, so no
 * connection's own end can take the port in between: not another test's client, nor a client
 * connecting to this very port while nothing listens there (which the kernel may otherwise turn
 * into a connection to itself, the port then being its own source port). A port from {@code new
 * ServerSocket(0)} lies inside that range.
 */
public final class FreePorts {
  private static final int LOWEST = 10_000;

  private FreePorts() {}

  /** A loopback port that nothing listens on now and that no outgoing connection will take. */
  public static int outsideTheEphemeralRange() {
    int below = ephemeralLow();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 500; attempt++) {
      int port = LOWEST + random.nextInt(below - LOWEST);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return port;
      } catch (IOException taken) {
        // someone listens there: another one
      }
    }
    throw new IllegalStateException(
        "no free loopback port between " + LOWEST + " and " + below + " after 500 attempts");
  }

  /** The first port of the kernel's range for outgoing connections (32768 unless set). */
  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      int low = Integer.parseInt(range.split("\\s+")[0]);
      return low > LOWEST + 1000 ? low : 32_768;
    } catch (IOException | RuntimeException notLinux) {
      return 32_768;
    }
  }
}
