package dev.realtime.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.spi.EntryId;
import org.junit.jupiter.api.Test;

class PositionsTest {
  @Test
  void aPositionReadsBackAsItsIdWhicheverWayItWasSet() {
    Positions p = new Positions(3);
    assertThat(p.toArray()).containsExactly(null, null, null);

    p.set(0, new EntryId(1732880000000L, 7));
    p.set(1, "1732880000001-0");
    assertThat(p.get(0)).isEqualTo("1732880000000-7");
    assertThat(p.get(1)).isEqualTo("1732880000001-0");
    assertThat(p.get(2)).isNull();

    // Text after numbers and numbers after text: the later one counts.
    p.set(0, "5-5");
    p.set(1, new EntryId(9, 0));
    assertThat(p.toArray()).containsExactly("5-5", "9-0", null);
  }

  @Test
  void idsBeyondLongMaxValueStayUnsigned() {
    Positions p = new Positions(1);
    p.set(0, EntryId.parse("18446744073709551615-18446744073709551615"));
    assertThat(p.get(0)).isEqualTo("18446744073709551615-18446744073709551615");
  }
}
