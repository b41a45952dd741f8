package dev.realtime;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the event a type is emitted as. Put it on each record of a sealed interface and register
 * the interface with {@link Schema.Builder#events(Class)}:
 *
 * <pre>{@code
 * sealed interface RoomEvent permits ChatMessage, UserJoined {}
 * @Event("chat.message") record ChatMessage(String user, String text) implements RoomEvent {}
 * @Event("user.joined")  record UserJoined(String user) implements RoomEvent {}
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Event {
  /** The event name: 1 to 128 letters, digits and {@code ._:-}. */
  String value();
}
