package dev.realtime.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EntryIdTest {
  @Test
  void parsesAndPrintsTheRedisStreamIdForm() {
    EntryId id = EntryId.parse("1732880000000-7");
    assertThat(id).isEqualTo(new EntryId(1732880000000L, 7));
    assertThat(id.toString()).isEqualTo("1732880000000-7");
    assertThat(EntryId.parse("18446744073709551615-18446744073709551615")).isEqualTo(EntryId.MAX);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "-",
        "1-",
        "-1",
        "1",
        "a-1",
        "1-a",
        "1-2-3",
        " 1-2",
        "1_2",
        "+1-0",
        "1-+0",
        "1-1\u0663", // ARABIC-INDIC DIGIT THREE: a Unicode digit, not an ASCII one
        "1\u0663-0",
        "\uff11-0", // FULLWIDTH DIGIT ONE
        "99999999999999999999999-1"
      })
  void rejectsMalformedIds(String text) {
    assertThat(EntryId.tryParse(text)).isNull();
    assertThatThrownBy(() -> EntryId.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<ms>-<seq>");
  }

  @Test
  void ordersByMillisecondsThenSequenceUnsigned() {
    assertThat(EntryId.parse("1-5")).isLessThan(EntryId.parse("2-0"));
    assertThat(EntryId.parse("2-1")).isGreaterThan(EntryId.parse("2-0"));
    assertThat(EntryId.lastAt(5))
        .isGreaterThan(EntryId.parse("5-999999"))
        .isLessThan(EntryId.firstAt(6));
    assertThat(EntryId.MAX).isGreaterThan(EntryId.parse("99999999999999-0"));
    assertThat(EntryId.ZERO).isLessThan(EntryId.parse("0-1"));
  }

  @Test
  void successorAndPredecessorAreAdjacent() {
    EntryId id = EntryId.parse("10-0");
    assertThat(id.predecessor()).isEqualTo(EntryId.lastAt(9));
    assertThat(id.predecessor().successor()).isEqualTo(id);
    assertThat(EntryId.parse("10-3").predecessor()).isEqualTo(EntryId.parse("10-2"));
    assertThat(EntryId.ZERO.predecessor()).isEqualTo(EntryId.ZERO);
  }
}
