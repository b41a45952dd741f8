package dev.realtime.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Schema;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import dev.realtime.spi.Payload;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * EventCodec.check (the onEntry path of transports, which forwards the stored JSON) decodes an
 * entry of a mutable type once however many subscribers check it, while decode (onData) gives each
 * reader a value of its own.
 */
class CheckDecodesOnceTest {
  static final AtomicInteger CREATED = new AtomicInteger();

  /** A mutable POJO (not a record): not "immutable", so not shareable. */
  public static final class Progress {
    public int percent;

    public Progress() {
      CREATED.incrementAndGet();
    }
  }

  @Test
  void checkingOneEntryManyTimesDecodesItOnce() {
    EventCodec codec =
        new EventCodec(Schema.builder().event("job.progress", Progress.class).build(), 65536);
    LogEntry entry =
        new LogEntry(
            EntryId.parse("1-1"), "job.progress", "jobs", Payload.ofJson("{\"percent\":5}"));
    CREATED.set(0);
    for (int i = 0; i < 100; i++) codec.check(entry); // 100 onEntry subscribers / lagging lanes
    assertThat(CREATED.get()).as("Jackson decodes of one entry by 100 checks").isEqualTo(1);
    Object a = codec.decode(entry);
    Object b = codec.decode(entry);
    assertThat(a).isNotSameAs(b).isInstanceOf(Progress.class);
  }
}
