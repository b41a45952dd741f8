package dev.realtime.server.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A share of the bench's SSE connections: held by this process ({@link SseClients}) or by a child
 * JVM ({@link ChildClients}), which is how one run gets past the open-files limit of one process.
 */
public interface ClientGroup extends AutoCloseable {

  /** How the connect phase ended: connections that got their {@code connected} frame, and not. */
  record Connected(int held, int errors, String firstError) {}

  /**
   * Waits until every connection of the group got its {@code connected} frame or failed, or until
   * {@code timeout}: connections still pending then count as errors.
   */
  Connected awaitConnected(Duration timeout) throws InterruptedException;

  /**
   * Waits for the events still on their way (until each connection has received every event its
   * channel was emitted, {@code emittedPerChannel[k]} for channel {@code k}, or until nothing has
   * arrived for {@code drainIdle}), then reports what the connections received.
   */
  CompletableFuture<ClientReport> finish(long[] emittedPerChannel, Duration drainIdle);

  /** Closes every connection (and ends a child process). */
  @Override
  void close();
}
