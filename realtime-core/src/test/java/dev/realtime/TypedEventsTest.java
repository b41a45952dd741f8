package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class TypedEventsTest {
  sealed interface RoomEvent permits ChatMessage, UserJoined, UserLeft {}

  @Event("chat.message")
  record ChatMessage(String user, String text) implements RoomEvent {}

  @Event("user.joined")
  record UserJoined(String user) implements RoomEvent {}

  @Event("user.left")
  record UserLeft(String user) implements RoomEvent {}

  record Progress(int progress) {}

  record Tags(List<String> tags) {}

  static final JsonMapper JSON = JsonMapper.builder().build();

  final Realtime realtime =
      Realtime.builder()
          .schema(
              Schema.builder()
                  .event("notification.alert", String.class)
                  .events(RoomEvent.class)
                  .event("job.progress", Progress.class)
                  .event("tags", Tags.class)
                  .event(
                      "score",
                      JsonSchema.of(
                          "{\"type\":\"object\",\"required\":[\"points\"],"
                              + "\"properties\":{\"points\":{\"type\":\"integer\",\"maximum\":100}}}"))
                  .event(
                      "bounded.progress",
                      Progress.class,
                      JsonSchema.of(
                          "{\"properties\":{\"progress\":{\"minimum\":0,\"maximum\":100}}}"))
                  .build())
          .build();

  @AfterEach
  void close() {
    realtime.close();
  }

  @Test
  void subscribersGetDataAsTheRegisteredType() {
    var ch = realtime.channel("room-123");
    var rec = new Recorder<RoomEvent>();
    ch.subscribe(rec.attach(Subscribe.to(RoomEvent.class)));
    ch.emit("chat.message", new ChatMessage("ada", "hi"));
    ch.emit(new UserJoined("bob")); // the event name comes from the annotation
    ch.emit("user.left", JSON.readTree("{\"user\":\"bob\"}")); // JSON is converted and checked
    ch.emit("job.progress", new Progress(10)); // not a RoomEvent: filtered out
    List<Message<RoomEvent>> got = rec.next(3);
    assertThat(got)
        .extracting(Message::data)
        .containsExactly(new ChatMessage("ada", "hi"), new UserJoined("bob"), new UserLeft("bob"));
    assertThat(got)
        .extracting(Message::event)
        .containsExactly("chat.message", "user.joined", "user.left");
    String out =
        switch (got.get(0).data()) {
          case ChatMessage c -> "New message: " + c.text();
          case UserJoined j -> "User joined: " + j.user();
          case UserLeft l -> "User left: " + l.user();
        };
    assertThat(out).isEqualTo("New message: hi");
  }

  @Test
  void historyAndNamedSubscriptionsAreTypedToo() {
    var ch = realtime.channel("jobs");
    var rec = new Recorder<Object>();
    ch.subscribe(rec.attach(Subscribe.to("job.progress")));
    ch.emit("job.progress", Map.of("progress", 40)); // a map of the right shape is accepted
    assertThat(rec.next().data()).isEqualTo(new Progress(40));
    assertThat(ch.history().get(0).data()).isEqualTo(new Progress(40));
    var typed = new Recorder<Progress>();
    ch.subscribe(typed.attach(Subscribe.to(Progress.class).history(true)));
    assertThat(typed.next().data().progress()).isEqualTo(40);
  }

  @Test
  void wrongJavaTypeIsRejectedNamingEventFieldAndExpectation() {
    var ch = realtime.channel("jobs");
    assertThatThrownBy(() -> ch.emit("job.progress", Map.of("progress", "abc")))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("job.progress")
        .hasMessageContaining("$.progress")
        .hasMessageContaining("int");
    assertThatThrownBy(() -> ch.emit("job.progress", Map.of("percent", 3)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("missing field 'progress'")
        .hasMessageContaining("\"progress\": int");
    assertThatThrownBy(() -> ch.emit("job.progress", Map.of("progress", 3, "percent", 3)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("unknown field 'percent'");
    assertThatThrownBy(() -> ch.emit("job.progress", "fifty"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("job.progress");
    assertThatThrownBy(() -> ch.emit("notification.alert", 42))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("notification.alert")
        .hasMessageContaining("String");
    assertThatThrownBy(() -> ch.emit("job.progress", null))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("null");
    assertThatThrownBy(() -> ch.emit("tags", Map.of("tags", List.of(1, 2))))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("$.tags[0]");
    assertThat(ch.history()).isEmpty(); // nothing was stored
  }

  @Test
  void jsonSchemaIsEnforced() {
    var ch = realtime.channel("game");
    ch.emit("score", Map.of("points", 10));
    assertThatThrownBy(() -> ch.emit("score", Map.of("points", 101)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("score")
        .hasMessageContaining("points")
        .hasMessageContaining("100");
    assertThatThrownBy(() -> ch.emit("score", Map.of()))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("points");
    assertThatThrownBy(() -> ch.emit("bounded.progress", new Progress(120)))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("bounded.progress")
        .hasMessageContaining("progress");
    ch.emit("bounded.progress", new Progress(100));
    assertThat(ch.history()).hasSize(2);
    assertThat(ch.history().get(0).data()).isEqualTo(Map.of("points", 10));
  }

  @Test
  void unknownEventsAreRejectedUnlessAllowed() {
    assertThatThrownBy(() -> realtime.emit("no.such.event", "x"))
        .isInstanceOf(ValidationException.class)
        .hasMessageContaining("no.such.event")
        .hasMessageContaining("job.progress")
        .hasMessageContaining("allowUnknownEvents");
    try (Realtime open =
        Realtime.builder()
            .schema(Schema.builder().event("a", String.class).allowUnknownEvents().build())
            .build()) {
      open.emit("no.such.event", Map.of("any", "thing"));
      assertThat(open.channel("default").history()).hasSize(1);
    }
  }

  @Test
  void schemaErrorsAreReportedWhenBuilding() {
    assertThatThrownBy(() -> Schema.builder().events(Progress.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("@Event");
    assertThatThrownBy(() -> Schema.builder().event("bad name", String.class))
        .isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(
            () -> Schema.builder().event("a", String.class).event("a", Integer.class).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("defined twice");
    assertThatThrownBy(
            () ->
                Realtime.builder()
                    .schema(Schema.builder().event("a", JsonSchema.of("{not json")).build())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("JSON Schema of event 'a'");
    assertThatCode(() -> Subscribe.to(Integer.class).onData(m -> {})).doesNotThrowAnyException();
    assertThatThrownBy(
            () -> realtime.channel("x").subscribe(Subscribe.to(Integer.class).onData(m -> {})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no event of the schema");
  }

  @Test
  void payloadsAboveTheLimitAreRejectedNotDropped() {
    try (Realtime small = Realtime.builder().maxPayloadBytes(100).build()) {
      small.emit("blob", "x".repeat(98)); // 100 bytes with the quotes
      assertThatThrownBy(() -> small.emit("blob", "x".repeat(99)))
          .isInstanceOf(PayloadTooLargeException.class)
          .hasMessageContaining("101 bytes")
          .hasMessageContaining("at most 100");
      assertThat(small.channel("default").history()).hasSize(1);
    }
    try (Realtime normal = Realtime.create()) {
      assertThatThrownBy(() -> normal.emit("blob", "x".repeat(1 << 20)))
          .isInstanceOf(PayloadTooLargeException.class)
          .hasMessageContaining("1048576");
    }
  }

  @Test
  void dataThatIsNotJsonIsRejectedClearly() {
    try (Realtime untyped = Realtime.create()) {
      assertThatThrownBy(() -> untyped.emit("x", new Object()))
          .isInstanceOf(ValidationException.class)
          .hasMessageContaining("cannot be encoded as JSON");
    }
  }

  record Reading(String sensor, double value) {}

  record Ratio(float ratio) {}

  /**
   * JSON has no NaN or Infinity: data holding one is refused, saying which value and what is
   * accepted, rather than stored as the string "NaN" (a subscriber would get a String where a
   * number was sent).
   */
  @Test
  void notANumberAndInfinityAreRefusedNotTurnedIntoStrings() {
    try (Realtime untyped =
        Realtime.builder()
            .schema(Schema.builder().allowUnknownEvents().event("reading", Reading.class).build())
            .build()) {
      for (Object data :
          List.of(
              Double.NaN,
              Float.POSITIVE_INFINITY,
              Map.of("x", Double.NEGATIVE_INFINITY),
              List.of(1.5, Double.NaN),
              new Reading("t1", Double.NaN),
              new Ratio(Float.NaN))) {
        assertThatThrownBy(() -> untyped.emit("any", data))
            .as("%s", data)
            .isInstanceOf(ValidationException.class)
            .hasMessageContaining("cannot be encoded as JSON")
            .hasMessageMatching("(?s).*(NaN|Infinity).*")
            .hasMessageContaining("JSON numbers are finite");
      }
      assertThatThrownBy(() -> untyped.emit("reading", new Reading("t1", Double.NaN)))
          .isInstanceOf(ValidationException.class)
          .hasMessageContaining("NaN");
      assertThatThrownBy(() -> untyped.emit("reading", Map.of("sensor", "t1", "value", Double.NaN)))
          .isInstanceOf(ValidationException.class)
          .hasMessageContaining("NaN");
      untyped.emit("reading", new Reading("t1", 1e300));
      untyped.emit("any", Map.of("x", -0.0, "y", Float.MAX_VALUE));
      assertThat(untyped.channel("default").history()).hasSize(2);
    }
  }
}
