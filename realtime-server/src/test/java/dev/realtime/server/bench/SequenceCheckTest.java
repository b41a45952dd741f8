package dev.realtime.server.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SequenceCheckTest {
  @Test
  void inOrderIsNeitherMissingNorDuplicateNorLate() {
    SequenceCheck s = new SequenceCheck();
    for (long i = 0; i < 5; i++) assertThat(s.accept(i)).isTrue();
    assertThat(s.missing(5)).isZero();
    assertThat(s.duplicates()).isZero();
    assertThat(s.outOfOrder()).isZero();
    assertThat(s.missing(7)).isEqualTo(2); // two more were emitted and never came
  }

  @Test
  void aLateArrivalFillsItsHoleAndARepeatIsADuplicate() {
    SequenceCheck s = new SequenceCheck();
    s.accept(0);
    s.accept(3); // 1 and 2 skipped
    assertThat(s.missing(4)).isEqualTo(2);
    assertThat(s.accept(2)).isTrue();
    assertThat(s.accept(2)).isFalse();
    assertThat(s.accept(3)).isFalse();
    assertThat(s.missing(4)).isEqualTo(1);
    assertThat(s.outOfOrder()).isEqualTo(1);
    assertThat(s.duplicates()).isEqualTo(2);
    s.accept(1);
    assertThat(s.missing(4)).isZero();
  }

  @Test
  void aHoleSplitByALateArrivalKeepsBothSides() {
    SequenceCheck s = new SequenceCheck();
    s.accept(10); // 0 to 9 skipped
    s.accept(5);
    for (long i : new long[] {0, 4, 6, 9}) assertThat(s.accept(i)).isTrue();
    assertThat(s.accept(5)).isFalse();
    assertThat(s.missing(11)).isEqualTo(11 - 6);
  }
}
