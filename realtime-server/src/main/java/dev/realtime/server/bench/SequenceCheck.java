package dev.realtime.server.bench;

import java.util.Arrays;

/**
 * One connection's check of one channel's events: each sequence number must arrive exactly once and
 * in order. Numbers skipped over are kept as holes ({@code [from, to)} ranges, usually none), so
 * one that arrives later is told apart from a duplicate: late fills its hole and counts as out of
 * order, anything else below the next expected number is a duplicate. What never arrived is {@link
 * #missing}: the events emitted to the channel that were not received. A few dozen bytes per
 * connection while nothing goes wrong.
 */
final class SequenceCheck {
  /** Holes tracked at most; past that, late arrivals count as duplicates (see {@link #lost()}). */
  static final int MAX_HOLES = 64;

  private long next; // the sequence number expected next
  private long received; // distinct sequence numbers received
  private long duplicates;
  private long outOfOrder;
  private long[] holes; // from, to, from, to, ...; null while there is none
  private int holeCount;
  private boolean lost; // a hole was not recorded

  /** Takes the next event's sequence number; false when it is a duplicate. */
  boolean accept(long seq) {
    if (seq == next) {
      next++;
    } else if (seq > next) {
      addHole(next, seq);
      next = seq + 1;
    } else if (fillHole(seq)) {
      outOfOrder++;
    } else {
      duplicates++;
      return false;
    }
    received++;
    return true;
  }

  long received() {
    return received;
  }

  long duplicates() {
    return duplicates;
  }

  long outOfOrder() {
    return outOfOrder;
  }

  /** Whether more holes opened than could be tracked (duplicates may then be late arrivals). */
  boolean lost() {
    return lost;
  }

  /**
   * Events of the channel not received, of the {@code emitted} that the server accepted. Exact when
   * every emit was answered: an emit that was stored without its answer reaching the emitter is
   * received without being counted as emitted, and would hide one missing event.
   */
  long missing(long emitted) {
    return Math.max(0, emitted - received);
  }

  private void addHole(long from, long to) {
    if (holes == null) holes = new long[8];
    if (holeCount * 2 == holes.length) {
      if (holeCount == MAX_HOLES) {
        lost = true;
        return;
      }
      holes = Arrays.copyOf(holes, holes.length * 2);
    }
    holes[holeCount * 2] = from;
    holes[holeCount * 2 + 1] = to;
    holeCount++;
  }

  private boolean fillHole(long seq) {
    for (int i = 0; i < holeCount; i++) {
      long from = holes[i * 2], to = holes[i * 2 + 1];
      if (seq < from || seq >= to) continue;
      if (from == seq && to == seq + 1) {
        holeCount--; // the last hole takes this one's place
        holes[i * 2] = holes[holeCount * 2];
        holes[i * 2 + 1] = holes[holeCount * 2 + 1];
      } else if (seq == from) {
        holes[i * 2] = seq + 1;
      } else if (seq == to - 1) {
        holes[i * 2 + 1] = seq;
      } else {
        holes[i * 2 + 1] = seq; // split: [from, seq) here and [seq + 1, to) added
        addHole(seq + 1, to);
      }
      return true;
    }
    return false;
  }
}
