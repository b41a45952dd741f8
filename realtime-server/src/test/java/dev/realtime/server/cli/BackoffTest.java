package dev.realtime.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void waitsBetweenHalfAndAllOfAStepThatDoublesTo10SecondsUntilReset() {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("BackoffTest seed: " + seed + " (replay with -Dseed=" + seed + ")");
    Backoff backoff = new Backoff(new Random(seed));
    long[] steps = {250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000};
    for (int round = 0; round < 2; round++) {
      for (long step : steps) assertThat(backoff.next()).isBetween(step / 2, step);
      backoff.reset();
    }
  }
}
