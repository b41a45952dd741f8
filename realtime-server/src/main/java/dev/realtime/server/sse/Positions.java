package dev.realtime.server.sse;

import dev.realtime.spi.EntryId;

/**
 * Where each channel of a stream is: the id the client has passed, or null before any. An id taken
 * from a live entry is kept as its two numbers, not as a reference to the entry's id: the stream is
 * old by the time it delivers, the entry is new, and a reference from one to the other dirties a
 * card of the old generation that the next young collection must scan, one per connection. With
 * 10,000 streams at 100,000 deliveries/s the cards scanned per young pause went from about 21,500
 * to 15,200 (docs/BENCHMARKS.md, thirteenth session). Event loop only.
 */
final class Positions {
  private final long[] ms;
  private final long[] seq;
  private final String[] text; // a position set as text (cold paths); null when it is numeric
  private final boolean[] numeric;

  Positions(int channels) {
    ms = new long[channels];
    seq = new long[channels];
    text = new String[channels];
    numeric = new boolean[channels];
  }

  /** The live path: no reference stored. */
  void set(int channel, EntryId id) {
    ms[channel] = id.ms();
    seq[channel] = id.seq();
    numeric[channel] = true;
    if (text[channel] != null) text[channel] = null;
  }

  void set(int channel, String id) {
    text[channel] = id;
    numeric[channel] = false;
  }

  /** The position of {@code channel} as {@code <ms>-<seq>}, or null if it has none. */
  String get(int channel) {
    if (!numeric[channel]) return text[channel];
    return Long.toUnsignedString(ms[channel]) + "-" + Long.toUnsignedString(seq[channel]);
  }

  /** Every channel's position, for an id line. */
  String[] toArray() {
    String[] all = new String[ms.length];
    for (int i = 0; i < all.length; i++) all[i] = get(i);
    return all;
  }
}
