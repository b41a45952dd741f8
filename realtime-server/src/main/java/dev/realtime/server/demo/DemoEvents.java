package dev.realtime.server.demo;

import dev.realtime.Event;
import dev.realtime.JsonSchema;
import dev.realtime.Schema;

/** The event types of the demo: the seed page's events, typed. */
public final class DemoEvents {
  private DemoEvents() {}

  /** The chat room's events; {@code Subscribe.to(RoomEvent.class)} receives all three. */
  public sealed interface RoomEvent permits ChatMessage, UserJoined, UserLeft {}

  @Event("chat.message")
  public record ChatMessage(String user, String text) implements RoomEvent {}

  @Event("user.joined")
  public record UserJoined(String user) implements RoomEvent {}

  @Event("user.left")
  public record UserLeft(String user) implements RoomEvent {}

  public record Progress(int progress) {}

  public record Alert(String userId, String priority, String message) {}

  public static final Schema SCHEMA =
      Schema.builder()
          .event("notification.alert", String.class)
          .event("notification.priority", Alert.class)
          .events(RoomEvent.class)
          .event("job.started", Progress.class)
          .event("job.progress", Progress.class)
          .event("job.completed", Progress.class)
          .event("announcement", String.class)
          .event(
              "webhook.received", JsonSchema.of("{\"type\":\"object\",\"required\":[\"userId\"]}"))
          .build();
}
