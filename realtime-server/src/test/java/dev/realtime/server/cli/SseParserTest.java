package dev.realtime.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
  static List<SseParser.Frame> parse(String... lines) {
    SseParser parser = new SseParser();
    List<SseParser.Frame> frames = new ArrayList<>();
    for (String line : lines) {
      SseParser.Frame f = parser.line(line);
      if (f != null) frames.add(f);
    }
    return frames;
  }

  @Test
  void joinsDataLinesAndKeepsTheIdOfTheFrame() {
    assertThat(parse("id: 1-0", "data: {\"a\":", "data:1}", "", "data: x", ""))
        .containsExactly(new SseParser.Frame("1-0", "{\"a\":\n1}"), new SseParser.Frame(null, "x"));
  }

  @Test
  void skipsCommentsAndUnknownFieldsAndDropsALeftoverCarriageReturn() {
    assertThat(parse(": ping\r", "\r", "event: e\r", "retry: 5\r", "id: 2-0\r", "data: y\r", "\r"))
        .containsExactly(new SseParser.Frame("2-0", "y"));
  }

  @Test
  void aFrameWithOnlyAnIdIsReturnedAndOneCutOffIsNot() {
    assertThat(parse("id: 3-0", "", "", "data", "", "id: 4-0", "data: cut"))
        .containsExactly(new SseParser.Frame("3-0", null), new SseParser.Frame(null, ""));
  }
}
