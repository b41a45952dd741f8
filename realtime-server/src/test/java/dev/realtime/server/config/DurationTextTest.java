package dev.realtime.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {
  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "30s, PT30S",
    "15m, PT15M",
    "1h, PT1H",
    "7d, PT168H",
    "0, PT0S",
    "0s, PT0S",
    "' 30 s ', PT30S",
    "30S, PT30S",
    "1H, PT1H",
    "250MS, PT0.25S",
    "PT1H, PT1H",
    "pt1m30s, PT1M30S",
    "P7D, PT168H",
    "PT0.5S, PT0.5S",
    "-PT1S, PT-1S"
  })
  void parses(String text, String iso) {
    assertThat(DurationText.parse(text)).isEqualTo(Duration.parse(iso));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "30",
        "1.5h",
        "-5s",
        "5 minutes",
        "1w",
        "abc",
        "P",
        "PT",
        "h",
        "99999999999999999d",
        "1000000000000000000d"
      })
  void refusesNamingTheTextAndTheForms(String text) {
    assertThatThrownBy(() -> DurationText.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "'" + text + "' is not a duration: use 500ms, 30s, 15m, 1h, 7d or ISO-8601 like PT1H");
  }
}
