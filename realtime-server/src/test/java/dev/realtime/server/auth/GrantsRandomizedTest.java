package dev.realtime.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Random grants, minted into tokens and verified, against random channels: {@link
 * ChannelAccess#check} must allow exactly what a regex oracle over the granted globs allows, for
 * every action, and answer 403 for everything else. Channels are mostly near misses of the granted
 * patterns (one character changed, added or dropped), where a matcher bug would show. Seeded: the
 * seed is printed, and {@code -Dseed=N} replays it.
 */
class GrantsRandomizedTest {
  static final String SECRET = "randomized-test-secret-0123456789abcdef";
  static final String[] FRAGMENTS = {
    "room", "-", "1", "12", "a", ".", "/", ",", " ", "é", "😀", "(", "[x]", "+", "?", "\\", "$"
  };

  final TokenMinter minter = new TokenMinter(SECRET);
  final TokenVerifier verifier = new TokenVerifier(SECRET);

  @Test
  void verifiedTokensReachExactlyTheChannelsTheyWereGranted() {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("GrantsRandomizedTest seed=" + seed + " (replay with -Dseed=" + seed + ")");
    Random random = new Random(seed);
    int allowed = 0, refused = 0;
    for (int t = 0; t < 300; t++) {
      List<String> subscribe = globs(random);
      List<String> publish = globs(random);
      String subject = random.nextBoolean() ? "user-" + t : null;
      Grants grants =
          verifier.verify(minter.mint(subject, subscribe, publish, Duration.ofMinutes(5)));
      assertThat(grants.subject()).isEqualTo(subject);
      List<String> candidates = channels(random, subscribe, publish);
      for (Action action : Action.values()) {
        List<Pattern> oracle = oracle(action == Action.PUBLISH ? publish : subscribe);
        List<String> expectedAllowed = new ArrayList<>();
        for (String channel : candidates) {
          boolean expected = oracle.stream().anyMatch(p -> p.matcher(channel).matches());
          try {
            List<String> passed = ChannelAccess.check(grants, action, List.of(channel));
            if (!expected || !passed.equals(List.of(channel)))
              fail("allowed " + what(action, channel, grants, seed));
            allowed++;
            expectedAllowed.add(channel);
          } catch (AuthException e) {
            if (expected)
              fail("refused " + what(action, channel, grants, seed) + ": " + e.getMessage());
            if (e.status() != 403 || !e.getMessage().contains("channel '" + channel + "'")) {
              fail(
                  "wrong refusal "
                      + e.status()
                      + " "
                      + e.getMessage()
                      + " of "
                      + what(action, channel, grants, seed));
            }
            refused++;
          }
        }
        // A list is allowed only as a whole, and a refusal names its first refused channel.
        List<String> mixed = new ArrayList<>(candidates);
        Collections.shuffle(mixed, random);
        String firstRefused =
            mixed.stream().filter(c -> !expectedAllowed.contains(c)).findFirst().orElse(null);
        try {
          ChannelAccess.check(grants, action, mixed);
          assertThat(firstRefused).as("seed %d", seed).isNull();
        } catch (AuthException e) {
          assertThat(firstRefused).as("seed %d", seed).isNotNull();
          assertThat(e.getMessage()).contains("channel '" + firstRefused + "'");
        }
      }
    }
    assertThat(allowed).as("allowed checks").isGreaterThan(1_000);
    assertThat(refused).as("refused checks").isGreaterThan(1_000);
  }

  @Test
  void tokensSignedWithAnotherSecretNeverVerify() {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("GrantsRandomizedTest seed=" + seed + " (replay with -Dseed=" + seed + ")");
    Random random = new Random(seed);
    for (int t = 0; t < 200; t++) {
      String otherSecret = SECRET + random.nextLong();
      String token =
          new TokenMinter(otherSecret).mint("x", globs(random), globs(random), Duration.ofHours(1));
      try {
        verifier.verify(token);
        fail("a token of secret '%s' verified (seed %d)", otherSecret, seed);
      } catch (AuthException e) {
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.getMessage()).startsWith("token signature does not match");
      }
    }
  }

  static String what(Action action, String channel, Grants grants, long seed) {
    return action + " '" + channel + "' with " + grants + " (seed " + seed + ")";
  }

  /** 0 to 3 globs of random fragments, some with stars. */
  static List<String> globs(Random random) {
    List<String> globs = new ArrayList<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      StringBuilder g = new StringBuilder();
      for (int parts = 1 + random.nextInt(4); parts > 0; parts--) {
        g.append(random.nextInt(3) == 0 ? "*" : FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
      }
      globs.add(g.toString());
    }
    return globs;
  }

  /** Names made from the globs (stars filled in), near misses of those, and random names. */
  static List<String> channels(Random random, List<String> subscribe, List<String> publish) {
    List<String> globs = new ArrayList<>(subscribe);
    globs.addAll(publish);
    List<String> channels = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      String name;
      if (globs.isEmpty() || i % 5 == 4) {
        name = randomName(random, 1 + random.nextInt(4));
      } else {
        name = fill(random, globs.get(random.nextInt(globs.size())));
        if (i % 5 != 0) name = nearMiss(random, name);
      }
      if (!name.isEmpty()) channels.add(name);
    }
    return channels;
  }

  static String fill(Random random, String glob) {
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      if (glob.charAt(i) == '*') name.append(randomName(random, random.nextInt(3)));
      else name.append(glob.charAt(i));
    }
    return name.toString();
  }

  /** The name with one character dropped, changed, or added (never splitting a surrogate pair). */
  static String nearMiss(Random random, String name) {
    StringBuilder s = new StringBuilder(name);
    int at = random.nextInt(s.length() + 1);
    if (at < s.length() && Character.isSurrogate(s.charAt(at))) return name + "x";
    switch (random.nextInt(3)) {
      case 0 -> {
        if (at < s.length()) s.deleteCharAt(at);
      }
      case 1 -> {
        if (at < s.length()) s.setCharAt(at, s.charAt(at) == 'a' ? 'b' : 'a');
      }
      default -> s.insert(at, FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
    }
    return s.toString();
  }

  static String randomName(Random random, int fragments) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < fragments; i++) s.append(FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
    return s.toString();
  }

  static List<Pattern> oracle(List<String> globs) {
    return globs.stream().map(ChannelPatternTest::oracle).toList();
  }
}
