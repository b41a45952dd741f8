package dev.realtime.server.auth;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The one place where a request's channels meet what may be done with them: first the token's
 * {@link Grants} ({@link #check}), then the {@link Authorizer}'s {@link AuthDecision} ({@link
 * #applyDecision}). The server calls both, in that order, and goes on with the list the second
 * returns; nothing else decides whether a channel may be touched.
 */
public final class ChannelAccess {
  /** How many granted patterns a refusal lists before it says how many more there are. */
  static final int PATTERNS_SHOWN = 10;

  private ChannelAccess() {}

  /**
   * {@code channels}, when the grants allow {@code action} on every one of them.
   *
   * @throws AuthException with status 403 naming the first refused channel and the patterns the
   *     token does grant for that action
   */
  public static List<String> check(Grants grants, Action action, List<String> channels) {
    for (String channel : channels) {
      if (!grants.allows(action, channel)) throw refused(grants, action, channel);
    }
    return channels;
  }

  private static AuthException refused(Grants grants, Action action, String channel) {
    String verb = action == Action.PUBLISH ? "publish to" : "subscribe to";
    String what =
        action == Action.HISTORY
            ? "read the history of channel '"
                + ChannelPattern.printable(channel)
                + "' (history needs subscribe permission)"
            : verb + " channel '" + ChannelPattern.printable(channel) + "'";
    String who =
        grants.subject() == null
            ? "token"
            : "token for '" + ChannelPattern.printable(grants.subject()) + "'";
    List<ChannelPattern> granted = grants.patternsFor(action);
    StringBuilder m = new StringBuilder(who).append(" may not ").append(what).append("; ");
    if (granted.isEmpty()) {
      m.append("it may ").append(verb).append(" no channels");
    } else {
      m.append("it may ").append(verb).append(": ");
      for (int i = 0; i < granted.size() && i < PATTERNS_SHOWN; i++) {
        if (i > 0) m.append(", ");
        m.append(granted.get(i).glob());
      }
      if (granted.size() > PATTERNS_SHOWN) {
        m.append(" and ").append(granted.size() - PATTERNS_SHOWN).append(" more");
      }
    }
    return AuthException.forbidden(m.toString());
  }

  /**
   * The channels to go on with after the authorizer's decision: {@code requested} when it allowed,
   * the narrowed list when it narrowed (each channel once, in the order of the request).
   *
   * @throws AuthException with the decision's status and message when it denied, or with 403 when
   *     it narrowed to no channel or to one that was not requested
   * @throws IllegalStateException when the decision is null (a bug in the authorizer)
   */
  public static List<String> applyDecision(AuthDecision decision, List<String> requested) {
    if (decision == null) {
      throw new IllegalStateException(
          "the authorizer returned null: return AuthDecision.allow(), deny(status, message) or"
              + " narrow(channels)");
    }
    if (!decision.allowed()) throw new AuthException(decision.status(), decision.message());
    List<String> narrowed = decision.channels();
    if (narrowed == null) return requested;
    if (narrowed.isEmpty()) {
      throw AuthException.forbidden(
          "none of the requested channels " + shown(requested) + " is allowed for this request");
    }
    Set<String> asked = new HashSet<>(requested);
    for (String channel : narrowed) {
      if (!asked.contains(channel)) {
        throw AuthException.forbidden(
            "the authorizer allowed channel '"
                + ChannelPattern.printable(channel)
                + "', which was not requested: it may narrow "
                + shown(requested)
                + " to some of them, never add one");
      }
    }
    // In the request's order (a stream's connected frames come in it), each channel once (a
    // repeat would be a second lane of a stream, each event twice, or a second emit).
    Set<String> kept = new HashSet<>(narrowed);
    return requested.stream().filter(kept::contains).distinct().toList();
  }

  private static String shown(List<String> channels) {
    return ChannelPattern.printable(channels.toString());
  }
}
