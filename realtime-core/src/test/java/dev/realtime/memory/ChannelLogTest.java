package dev.realtime.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.History;
import dev.realtime.spi.Append;
import dev.realtime.spi.Payload;
import org.junit.jupiter.api.Test;

class ChannelLogTest {
  @Test
  void aFullLogOfMaxLengthEntriesDoesNotDoubleItsRing() {
    // maxLength a power of two: the ring was doubled for the entry about to be trimmed away.
    for (int maxLength : new int[] {1, 16, 64, 100}) {
      ChannelLog log = new ChannelLog("c");
      History h = History.maxLength(maxLength);
      for (int i = 0; i < 1_000; i++) {
        log.append(new Append("c", "e", Payload.ofJson(Integer.toString(i)), h), 1_000 + i);
      }
      int smallestPowerOfTwoHoldingIt = Math.max(16, Integer.highestOneBit(maxLength - 1) << 1);
      assertThat(log.capacity())
          .as("maxLength %d", maxLength)
          .isEqualTo(smallestPowerOfTwoHoldingIt);
    }
  }
}
