package dev.realtime.server.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WakeProbeTest {

  @Test
  void reportsHowLateSleepsEnded() {
    long start = System.nanoTime();
    WakeProbe probe = WakeProbe.measure(200);
    double elapsedMs = (System.nanoTime() - start) / 1e6;
    assertThat(elapsedMs).as("200 sleeps of 200 µs").isGreaterThanOrEqualTo(40);
    assertThat(probe.lateP50Ms()).isNotNegative();
    assertThat(probe.lateP99Ms()).isGreaterThanOrEqualTo(probe.lateP50Ms());
    assertThat(probe.lateMaxMs()).isGreaterThanOrEqualTo(probe.lateP99Ms());
    assertThat(probe.lateMaxMs()).isLessThan(elapsedMs);
  }

  @Test
  void needsAtLeastOneSleep() {
    assertThatThrownBy(() -> WakeProbe.measure(0)).hasMessage("sleeps < 1: 0");
  }
}
