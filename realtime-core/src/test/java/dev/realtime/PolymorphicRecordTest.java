package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A record whose component's declared type is polymorphic (@JsonTypeInfo on the interface) is
 * stored with its type id, so it reads back: the fast encoder leaves such records to Jackson.
 */
class PolymorphicRecordTest {
  @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
  public sealed interface Shape permits Circle, Square {}

  public record Circle(int r) implements Shape {}

  public record Square(int side) implements Shape {}

  public record Drawn(String by, Shape shape) {}

  @Test
  void aRecordWithAPolymorphicComponentRoundTrips() {
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    Schema schema = Schema.builder().event("drawn", Drawn.class).build();
    try (Realtime rt = Realtime.builder().schema(schema).onError(errors::add).build()) {
      var ch = rt.channel("c");
      ch.emit(
          "drawn", Map.of("by", "ada", "shape", Map.of("@class", Circle.class.getName(), "r", 1)));
      ch.emit("drawn", new Drawn("bob", new Circle(2))); // the record itself: FastJson path
      List<HistoryMessage> history = ch.history();
      errors.forEach(e -> System.out.println("error hook: " + e.getMessage()));
      assertThat(history)
          .extracting(HistoryMessage::data)
          .containsExactly(new Drawn("ada", new Circle(1)), new Drawn("bob", new Circle(2)));
      assertThat(errors).isEmpty();
    }
  }
}
