package dev.realtime.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.Recorder;
import dev.realtime.Subscribe;
import org.junit.jupiter.api.Test;

/** What the in-memory engine does beyond the conformance suite. */
class MemoryEngineTest {
  @Test
  void knowsExactlyWhatTrimmingRemoved() {
    try (Realtime rt = Realtime.builder().history(History.maxLength(1)).build()) {
      var ch = rt.channel("one");
      String a = ch.emit("n", "a");
      ch.emit("n", "b");
      var rec = new Recorder<Object>();
      ch.subscribe(rec.attachWithGaps(Subscribe.toAll().after(a)));
      assertThat(rec.next().data()).isEqualTo("b");
      assertThat(rec.gaps).isEmpty();
    }
  }
}
