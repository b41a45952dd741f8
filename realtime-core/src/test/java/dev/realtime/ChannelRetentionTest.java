package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.memory.MemoryEngine;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@link Realtime#channel(String, History)}: a channel whose emits keep their own retention. */
class ChannelRetentionTest {
  final AtomicLong now = new AtomicLong(1_000_000);

  Realtime realtime(MemoryEngine engine) {
    return Realtime.builder().engine(engine).history(History.maxLength(100)).build();
  }

  @Test
  void aChannelWithItsOwnRetentionIsTrimmedToItWhileOthersKeepTheRealtimes() {
    try (MemoryEngine engine = MemoryEngine.create(now::get);
        Realtime realtime = realtime(engine)) {
      Channel short_ = realtime.channel("short", History.maxLength(3));
      Channel usual = realtime.channel("usual");
      for (int i = 0; i < 10; i++) {
        short_.emit("n", i);
        usual.emit("n", i);
      }
      assertThat(realtime.channel("short").history())
          .extracting(HistoryMessage::data)
          .containsExactly(7, 8, 9);
      assertThat(usual.history()).hasSize(10);
      assertThat(short_.name()).isEqualTo("short");
    }
  }

  @Test
  void aChannelWithAnExpiryLosesItsHistoryOnceIdleForThatLong() {
    try (MemoryEngine engine = MemoryEngine.create(now::get);
        Realtime realtime = realtime(engine)) {
      Channel job =
          realtime.channel("job-1", History.maxLength(10).expireAfter(Duration.ofMinutes(1)));
      job.emit("step", 1);
      realtime.channel("kept").emit("step", 1);
      now.addAndGet(59_000);
      job.emit("step", 2); // restarts the minute
      now.addAndGet(59_000);
      assertThat(job.history()).hasSize(2);
      now.addAndGet(2_000);
      assertThat(job.history()).as("a minute after its last emit").isEmpty();
      assertThat(realtime.channel("kept").history()).as("no expiry by default").hasSize(1);
    }
  }

  @Test
  void theChannelNameIsCheckedAndARetentionIsRequired() {
    try (Realtime realtime = Realtime.create()) {
      assertThatThrownBy(() -> realtime.channel("", History.DEFAULT))
          .isInstanceOf(InvalidNameException.class);
      assertThatThrownBy(() -> realtime.channel("a", null))
          .isInstanceOf(NullPointerException.class)
          .hasMessageContaining("retention");
    }
  }
}
