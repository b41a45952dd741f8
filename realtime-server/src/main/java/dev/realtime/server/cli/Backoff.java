package dev.realtime.server.cli;

import java.util.random.RandomGenerator;

/**
 * How long to wait before the next reconnect: {@link #FIRST_MS} doubling up to {@link #MAX_MS},
 * each wait drawn between half and all of that ("equal jitter"), so the clients of a server that
 * restarts do not all come back in the same millisecond, and none waits less than half its step.
 */
final class Backoff {
  static final long FIRST_MS = 250;
  static final long MAX_MS = 10_000;

  private final RandomGenerator random;
  private long step = FIRST_MS;

  Backoff(RandomGenerator random) {
    this.random = random;
  }

  /** The next wait in milliseconds; each call doubles the step, up to {@link #MAX_MS}. */
  long next() {
    long wait = step / 2 + random.nextLong(step / 2 + 1);
    step = Math.min(MAX_MS, step * 2);
    return wait;
  }

  /** Back to {@link #FIRST_MS}: called once a connection has worked. */
  void reset() {
    step = FIRST_MS;
  }
}
