package dev.realtime.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelAccessTest {
  final Grants ada = Grants.of("ada", List.of("room-*", "lobby"), List.of("room-1"), null);

  @Test
  void grantedChannelsPassThrough() {
    List<String> channels = List.of("room-1", "lobby");
    assertThat(ChannelAccess.check(ada, Action.SUBSCRIBE, channels)).isSameAs(channels);
    assertThat(ChannelAccess.check(ada, Action.HISTORY, channels)).isSameAs(channels);
    assertThat(ChannelAccess.check(ada, Action.PUBLISH, List.of("room-1")))
        .containsExactly("room-1");
  }

  @Test
  void theFirstRefusedChannelAndTheGrantedPatternsAreNamed() {
    assertThatThrownBy(
            () -> ChannelAccess.check(ada, Action.SUBSCRIBE, List.of("room-1", "x", "y")))
        .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessage(
            "token for 'ada' may not subscribe to channel 'x'; it may subscribe to: room-*, lobby");
    assertThatThrownBy(() -> ChannelAccess.check(ada, Action.PUBLISH, List.of("room-2")))
        .hasMessage(
            "token for 'ada' may not publish to channel 'room-2'; it may publish to: room-1");
    assertThatThrownBy(() -> ChannelAccess.check(ada, Action.HISTORY, List.of("secret")))
        .hasMessage(
            "token for 'ada' may not read the history of channel 'secret' (history needs subscribe"
                + " permission); it may subscribe to: room-*, lobby");
  }

  @Test
  void aTokenWithoutSubjectOrPatternsSaysSo() {
    Grants reader = Grants.of(null, List.of("a"), null, null);
    assertThatThrownBy(() -> ChannelAccess.check(reader, Action.PUBLISH, List.of("a")))
        .hasMessage("token may not publish to channel 'a'; it may publish to no channels");
  }

  @Test
  void longPatternListsAreCut() {
    List<String> globs = new ArrayList<>();
    for (int i = 0; i < 13; i++) globs.add("p" + i);
    Grants many = Grants.of("m", globs, null, null);
    assertThatThrownBy(() -> ChannelAccess.check(many, Action.SUBSCRIBE, List.of("q")))
        .hasMessageEndingWith("p8, p9 and 3 more");
  }

  @Test
  void allAllowsEverything() {
    List<String> odd = List.of("a", "*", "x.y/z", "😀");
    for (Action action : Action.values()) {
      assertThat(ChannelAccess.check(Grants.ALL, action, odd)).isEqualTo(odd);
    }
    assertThat(Grants.ALL.subject()).isNull();
    assertThat(Grants.ALL.expiresAt()).isNull();
  }

  @Test
  void allowKeepsTheRequestedChannels() {
    List<String> requested = List.of("a", "b");
    assertThat(ChannelAccess.applyDecision(AuthDecision.allow(), requested)).isSameAs(requested);
    assertThat(AuthDecision.allow().allowed()).isTrue();
    assertThat(AuthDecision.allow().channels()).isNull();
    assertThat(AuthDecision.allow().message()).isNull();
  }

  @Test
  void denyBecomesAnAuthExceptionWithItsStatusAndMessage() {
    AuthDecision deny = AuthDecision.deny(429, "slow down: one stream per user");
    assertThat(deny.allowed()).isFalse();
    assertThatThrownBy(() -> ChannelAccess.applyDecision(deny, List.of("a")))
        .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.status()).isEqualTo(429))
        .hasMessage("slow down: one stream per user");
  }

  @Test
  void denyTakesOnly4xx() {
    assertThatThrownBy(() -> AuthDecision.deny(500, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("deny status 500 is not a 4xx: give 400 to 499");
    assertThatThrownBy(() -> AuthDecision.deny(399, "x")).hasMessageContaining("399");
    assertThat(AuthDecision.deny(400, "x").status()).isEqualTo(400);
    assertThat(AuthDecision.deny(499, "x").status()).isEqualTo(499);
  }

  @Test
  void narrowToASubsetGoesOnWithTheSubset() {
    List<String> out =
        ChannelAccess.applyDecision(AuthDecision.narrow(List.of("b")), List.of("a", "b"));
    assertThat(out).containsExactly("b");
    assertThat(AuthDecision.narrow(List.of("b")).allowed()).isTrue();
  }

  @Test
  void aNarrowedListKeepsTheRequestsOrderAndEachChannelOnce() {
    assertThat(
            ChannelAccess.applyDecision(
                AuthDecision.narrow(List.of("c", "a", "c")), List.of("a", "b", "c")))
        .containsExactly("a", "c");
  }

  @Test
  void narrowToAChannelNotRequestedIsRefused() {
    assertThatThrownBy(
            () ->
                ChannelAccess.applyDecision(
                    AuthDecision.narrow(List.of("a", "c")), List.of("a", "b")))
        .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessage(
            "the authorizer allowed channel 'c', which was not requested: it may narrow [a, b] to"
                + " some of them, never add one");
  }

  @Test
  void narrowToNothingIsRefused() {
    assertThatThrownBy(
            () -> ChannelAccess.applyDecision(AuthDecision.narrow(List.of()), List.of("a")))
        .isInstanceOfSatisfying(AuthException.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessage("none of the requested channels [a] is allowed for this request");
  }

  @Test
  void aNullDecisionIsABugInTheAuthorizer() {
    assertThatThrownBy(() -> ChannelAccess.applyDecision(null, List.of("a")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the authorizer returned null");
  }

  @Test
  void theDefaultAuthorizerAllows() throws Exception {
    AuthRequest request =
        new AuthRequest(
            "GET", "/", Map.of(), Map.of(), null, Action.SUBSCRIBE, List.of("a"), Grants.ALL);
    assertThat(Authorizer.allowAll().authorize(request)).isEqualTo(AuthDecision.allow());
  }
}
