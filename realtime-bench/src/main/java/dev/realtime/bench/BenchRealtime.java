package dev.realtime.bench;

import dev.realtime.Channel;
import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.Schema;

/**
 * How every benchmark builds its Realtime: the in-memory engine (the default), a schema with the
 * benchmark records so emit takes the typed path users take, and an explicit history length so that
 * what is retained is a stated choice of each benchmark, not an accident of the default.
 */
final class BenchRealtime {
  static final Schema SCHEMA =
      Schema.builder().event(Tick.EVENT, Tick.class).event(Stamp.EVENT, Stamp.class).build();

  private BenchRealtime() {}

  static Realtime create(long maxLength) {
    return Realtime.builder().schema(SCHEMA).history(History.maxLength(maxLength)).build();
  }

  /** Emits {@code count} ticks, so history benchmarks read a full channel. */
  static void fill(Channel channel, int count) {
    for (int i = 0; i < count; i++) channel.emit(Tick.EVENT, new Tick(i, "hello, world"));
  }
}
