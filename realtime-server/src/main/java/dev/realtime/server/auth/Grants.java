package dev.realtime.server.auth;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What a verified token lets its bearer do: which channels it may subscribe to and which it may
 * publish to, as {@link ChannelPattern}s, until when, and for whom. Immutable.
 *
 * <p>Reading a channel's history counts as subscribing ({@link Action#HISTORY} is checked against
 * {@link #subscribe()}): a subscriber can ask for history when it subscribes anyway, so a separate
 * grant would protect nothing. Publishing is separate: a reader is not a writer.
 *
 * <p>{@link #ALL} is what a server without a secret hands every request, so the code after the
 * check never asks whether auth is on.
 */
public final class Grants {
  /** Everything allowed, for a server that checks no tokens: no subject, no expiry. */
  public static final Grants ALL = of(null, List.of("*"), List.of("*"), null);

  private final String subject;
  private final List<ChannelPattern> subscribe;
  private final List<ChannelPattern> publish;
  private final Instant expiresAt;

  private Grants(
      String subject,
      List<ChannelPattern> subscribe,
      List<ChannelPattern> publish,
      Instant expiresAt) {
    this.subject = subject;
    this.subscribe = subscribe;
    this.publish = publish;
    this.expiresAt = expiresAt;
  }

  /**
   * Grants for {@code subject} (may be null), with the patterns of the given globs; a null list is
   * the same as an empty one (nothing granted), and {@code expiresAt} may be null (never expires).
   *
   * @throws IllegalArgumentException when a glob is not a valid {@link ChannelPattern}
   */
  public static Grants of(
      String subject, List<String> subscribeGlobs, List<String> publishGlobs, Instant expiresAt) {
    return new Grants(subject, patterns(subscribeGlobs), patterns(publishGlobs), expiresAt);
  }

  private static List<ChannelPattern> patterns(List<String> globs) {
    if (globs == null || globs.isEmpty()) return List.of();
    List<ChannelPattern> patterns = new ArrayList<>(globs.size());
    for (String glob : globs) patterns.add(ChannelPattern.of(glob));
    return Collections.unmodifiableList(patterns);
  }

  /** Who the token was minted for ({@code sub}), or null. */
  public String subject() {
    return subject;
  }

  /** The channels the bearer may subscribe to and read the history of. */
  public List<ChannelPattern> subscribe() {
    return subscribe;
  }

  /** The channels the bearer may publish to. */
  public List<ChannelPattern> publish() {
    return publish;
  }

  /** When the token stops being accepted ({@code exp}), or null for {@link #ALL}. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** Whether the bearer may subscribe to {@code channel}, or read its history. */
  public boolean canSubscribe(String channel) {
    return anyMatches(subscribe, channel);
  }

  /** Whether the bearer may publish to {@code channel}. */
  public boolean canPublish(String channel) {
    return anyMatches(publish, channel);
  }

  /** Whether the bearer may do {@code action} on {@code channel}. */
  public boolean allows(Action action, String channel) {
    return action == Action.PUBLISH ? canPublish(channel) : canSubscribe(channel);
  }

  /** The patterns {@code action} is checked against. */
  public List<ChannelPattern> patternsFor(Action action) {
    return action == Action.PUBLISH ? publish : subscribe;
  }

  private static boolean anyMatches(List<ChannelPattern> patterns, String channel) {
    Objects.requireNonNull(channel, "channel");
    for (ChannelPattern p : patterns) {
      if (p.matches(channel)) return true;
    }
    return false;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Grants g
        && Objects.equals(subject, g.subject)
        && subscribe.equals(g.subscribe)
        && publish.equals(g.publish)
        && Objects.equals(expiresAt, g.expiresAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(subject, subscribe, publish, expiresAt);
  }

  @Override
  public String toString() {
    return "Grants{subject="
        + subject
        + ", subscribe="
        + subscribe
        + ", publish="
        + publish
        + ", expiresAt="
        + expiresAt
        + "}";
  }
}
