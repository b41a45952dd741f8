package dev.realtime.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizeTextTest {
  @ParameterizedTest
  @CsvSource({
    "1048576, 1048576",
    "0, 0",
    "512b, 512",
    "512KiB, 524288",
    "512 kib, 524288",
    "1MiB, 1048576",
    "1mib, 1048576",
    "64KB, 64000",
    "1MB, 1000000",
    "' 2 MiB ', 2097152",
    "2047MiB, 2146435072",
    "2147483647, 2147483647"
  })
  void parses(String text, int bytes) {
    assertThat(SizeText.parse(text)).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1.5MiB", "-1", "1GiB", "1 GB", "MiB", "1 MiB 2", "ten"})
  void refusesWhatIsNoSize(String text) {
    assertThatThrownBy(() -> SizeText.parse(text))
        .hasMessage("'" + text + "' is not " + SizeText.ACCEPTED);
  }

  @Test
  void refusesSizesAnIntCannotHold() {
    assertThatThrownBy(() -> SizeText.parse("2048MiB"))
        .hasMessage("'2048MiB' is 2147483648 bytes, over the largest size, 2147483647 bytes");
    assertThatThrownBy(() -> SizeText.parse("999999999999"))
        .hasMessageContaining("over the largest size");
  }

  @ParameterizedTest
  @CsvSource({"1048576, 1 MiB", "1052672, 1 MiB + 4 KiB", "4096, 4 KiB", "1000, 1000 bytes"})
  void describes(long bytes, String text) {
    assertThat(SizeText.describe(bytes)).isEqualTo(text);
  }
}
