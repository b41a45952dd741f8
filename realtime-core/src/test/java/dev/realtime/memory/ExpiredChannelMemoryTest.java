package dev.realtime.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.History;
import dev.realtime.spi.Append;
import dev.realtime.spi.Payload;
import dev.realtime.spi.Range;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** An expired channel gives its memory back, whether a read or the sweeper found it expired. */
class ExpiredChannelMemoryTest {
  @Test
  void readAfterExpiryDoesNotLeaveAnEmptyLogForever() {
    AtomicLong now = new AtomicLong(1_000_000);
    MemoryEngine engine = MemoryEngine.create(now::get);
    History h = History.maxLength(10).expireAfter(Duration.ofSeconds(1));
    for (int i = 0; i < 100; i++) {
      engine.append(new Append("ch-" + i, "e", Payload.ofJson("1"), h)).join();
    }
    now.addAndGet(5_000); // every channel is past its expiry
    for (int i = 0; i < 100; i++) {
      // e.g. channel.history() of a user looking at an expired channel
      assertThat(engine.read("ch-" + i, Range.stateOnly()).join().state().isEmpty()).isTrue();
    }
    engine.sweep();
    engine.sweep();
    // "How many channels hold a log (entries or watchers) right now": none holds either.
    assertThat(engine.channelCount()).isZero();
    engine.close();
  }

  @Test
  void sweepAloneDropsThem() { // control: without the read, the sweeper gives the memory back
    AtomicLong now = new AtomicLong(1_000_000);
    MemoryEngine engine = MemoryEngine.create(now::get);
    History h = History.maxLength(10).expireAfter(Duration.ofSeconds(1));
    for (int i = 0; i < 100; i++) {
      engine.append(new Append("ch-" + i, "e", Payload.ofJson("1"), h)).join();
    }
    now.addAndGet(5_000);
    engine.sweep();
    assertThat(engine.channelCount()).isZero();
    engine.close();
  }
}
