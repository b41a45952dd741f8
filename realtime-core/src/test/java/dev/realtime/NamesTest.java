package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
  final Realtime realtime = Realtime.create();

  @AfterEach
  void close() {
    realtime.close();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"1", "123456", "a,b,c", "a/b", "with space", "ñandú", "日本", "😀", "-", "."})
  void channelNamesThatAreAccepted(String name) {
    assertThat(realtime.channel(name).name()).isEqualTo(name);
  }

  @Test
  void channelNameLimitIs256Utf8Bytes() {
    realtime.channel("a".repeat(256));
    realtime.channel("é".repeat(128)); // 2 bytes each
    assertThatThrownBy(() -> realtime.channel("a".repeat(257)))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("257 UTF-8 bytes")
        .hasMessageContaining("at most 256");
    assertThatThrownBy(() -> realtime.channel("é".repeat(129)))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("258");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\nb", "tab\there", "nul\u0000", "del\u007f", "c1\u0085"})
  void channelNamesWithControlCharactersAreRejected(String name) {
    assertThatThrownBy(() -> realtime.channel(name))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("control character")
        .hasMessageContaining("without control characters");
  }

  @ParameterizedTest
  @ValueSource(strings = {"\ud800", "a\udc00b", "end\ud83d", "\ude00\ud83d"})
  void channelNamesWithUnpairedSurrogatesAreRejected(String name) {
    // Such a name has no UTF-8 form: it would be stored as another name ('?') no URL can reach.
    assertThatThrownBy(() -> realtime.channel(name))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("unpaired surrogate U+")
        .hasMessageContaining("\\u")
        .hasMessageNotContaining("?");
  }

  @Test
  void emptyChannelNameIsRejected() {
    assertThatThrownBy(() -> realtime.channel(""))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> realtime.channel(null)).isInstanceOf(InvalidNameException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "chat.message", "user:joined", "job_progress", "x-y", "123"})
  void eventNamesThatAreAccepted(String event) {
    assertThat(realtime.emit(event, 1)).isNotBlank();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "with space", "a/b", "é", "a,b", "new\nline"})
  void eventNamesThatAreRejected(String event) {
    assertThatThrownBy(() -> realtime.emit(event, 1))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("letters, digits and ._:-");
  }

  @Test
  void eventNameLimitIs128() {
    realtime.emit("e".repeat(128), 1);
    assertThatThrownBy(() -> realtime.emit("e".repeat(129), 1))
        .isInstanceOf(InvalidNameException.class)
        .hasMessageContaining("1 to 128");
  }
}
