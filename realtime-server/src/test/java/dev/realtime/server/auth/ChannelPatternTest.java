package dev.realtime.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ChannelPatternTest {

  @Test
  void aLiteralMatchesOnlyItself() {
    ChannelPattern p = ChannelPattern.of("room-1");
    assertThat(p.matches("room-1")).isTrue();
    assertThat(p.matches("room-10")).isFalse();
    assertThat(p.matches("room-")).isFalse();
    assertThat(p.matches("Room-1")).isFalse();
    assertThat(p.matches("")).isFalse();
  }

  @Test
  void aTrailingStarMatchesThePrefixAndAnythingAfterIt() {
    ChannelPattern p = ChannelPattern.of("room-*");
    assertThat(p.matches("room-")).isTrue();
    assertThat(p.matches("room-1")).isTrue();
    assertThat(p.matches("room-a/b c.d")).isTrue();
    assertThat(p.matches("room")).isFalse();
    assertThat(p.matches("xroom-1")).isFalse();
  }

  @Test
  void aLoneStarMatchesEveryName() {
    ChannelPattern p = ChannelPattern.of("*");
    assertThat(p.matches("")).isTrue();
    assertThat(p.matches("anything at all, even *")).isTrue();
    assertThat(ChannelPattern.of("***").matches("x")).isTrue();
  }

  @Test
  void starsInTheMiddleMatchAnyRunIncludingNone() {
    ChannelPattern p = ChannelPattern.of("a*b*c");
    assertThat(p.matches("abc")).isTrue();
    assertThat(p.matches("aXbYc")).isTrue();
    assertThat(p.matches("abbbcbc")).isTrue();
    assertThat(p.matches("ab")).isFalse();
    assertThat(p.matches("acb")).isFalse();
    assertThat(p.matches("abcd")).isFalse();
    assertThat(ChannelPattern.of("*-log").matches("app-log")).isTrue();
    assertThat(ChannelPattern.of("*-log").matches("app-logs")).isFalse();
  }

  @Test
  void regexMetacharactersAreLiteral() {
    assertThat(ChannelPattern.of("a.b").matches("a.b")).isTrue();
    assertThat(ChannelPattern.of("a.b").matches("axb")).isFalse();
    assertThat(ChannelPattern.of("(x)").matches("(x)")).isTrue();
    assertThat(ChannelPattern.of("(x)").matches("x")).isFalse();
    assertThat(ChannelPattern.of("[y]").matches("[y]")).isTrue();
    assertThat(ChannelPattern.of("[y]").matches("y")).isFalse();
    assertThat(ChannelPattern.of("a+").matches("a+")).isTrue();
    assertThat(ChannelPattern.of("a+").matches("aa")).isFalse();
    assertThat(ChannelPattern.of("^a$|b?\\Q\\E{2}").matches("^a$|b?\\Q\\E{2}")).isTrue();
    assertThat(ChannelPattern.of("^a$|b?").matches("a")).isFalse();
  }

  @Test
  void unicodeCommasSlashesAndSpacesAreLiteral() {
    assertThat(ChannelPattern.of("café-*").matches("café-☕")).isTrue();
    assertThat(ChannelPattern.of("café-*").matches("cafe-1")).isFalse();
    assertThat(ChannelPattern.of("😀*😀").matches("😀😀")).isTrue();
    assertThat(ChannelPattern.of("😀*😀").matches("😀x😀")).isTrue();
    assertThat(ChannelPattern.of("😀*😀").matches("😀")).isFalse();
    assertThat(ChannelPattern.of("a,b").matches("a,b")).isTrue();
    assertThat(ChannelPattern.of("a,b").matches("a")).isFalse();
    assertThat(ChannelPattern.of("team/*/chat room").matches("team/7/chat room")).isTrue();
  }

  @Test
  void emptyPatternsAndControlCharactersAreRejectedWithWhatIsAccepted() {
    assertThatThrownBy(() -> ChannelPattern.of(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "channel pattern is empty: give a channel name, or a glob like room-* where * matches"
                + " any characters");
    assertThatThrownBy(() -> ChannelPattern.of("room\n*"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'room\\u000a*'")
        .hasMessageContaining("control character U+000A at index 4")
        .hasMessageContaining("glob like room-*");
    assertThatThrownBy(() -> ChannelPattern.of("a\u007f")).hasMessageContaining("U+007F");
    assertThatThrownBy(() -> ChannelPattern.of(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void equalityIsByGlobAndToStringIsTheGlob() {
    assertThat(ChannelPattern.of("room-*")).isEqualTo(ChannelPattern.of("room-*"));
    assertThat(ChannelPattern.of("room-*")).hasSameHashCodeAs(ChannelPattern.of("room-*"));
    assertThat(ChannelPattern.of("room-*")).isNotEqualTo(ChannelPattern.of("room-**"));
    assertThat(ChannelPattern.of("room-*").glob()).isEqualTo("room-*");
    assertThat(ChannelPattern.of("room-*")).hasToString("room-*");
  }

  @Test
  void manyStarsAgainstANearMissTakeLinearishTimeNotExponential() {
    ChannelPattern p = ChannelPattern.of("*a".repeat(60) + "*b");
    String name = "a".repeat(256);
    long start = System.nanoTime();
    for (int i = 0; i < 100; i++) assertThat(p.matches(name)).isFalse();
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
  }

  /** Random globs and names over a small alphabet, so matches and near misses are both common. */
  @Test
  void agreesWithARegexOracleOnRandomGlobsAndNames() {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("ChannelPatternTest seed=" + seed + " (replay with -Dseed=" + seed + ")");
    Random random = new Random(seed);
    String[] alphabet = {
      "a", "b", ".", "*", "\\", "Q", "E", "(", "[", "+", "?", "é", "😀", ",", " "
    };
    int matched = 0;
    for (int i = 0; i < 5_000; i++) {
      String glob = randomText(random, alphabet, 1 + random.nextInt(8));
      ChannelPattern pattern = ChannelPattern.of(glob);
      Pattern oracle = oracle(glob);
      for (int j = 0; j < 20; j++) {
        String name =
            j % 2 == 0
                ? instantiate(random, glob, alphabet)
                : randomText(random, alphabet, random.nextInt(10));
        boolean expected = oracle.matcher(name).matches();
        if (pattern.matches(name) != expected) {
          fail(
              "glob '%s' against '%s' should %s (seed %d)",
              glob, name, expected ? "match" : "not match", seed);
        }
        if (expected) matched++;
      }
    }
    assertThat(matched).as("the generator produces matches too").isGreaterThan(10_000);
  }

  /** The glob as a regex: each literal part quoted, each star {@code .*}. */
  static Pattern oracle(String glob) {
    StringBuilder regex = new StringBuilder();
    int from = 0;
    for (int star = glob.indexOf('*'); star >= 0; star = glob.indexOf('*', from)) {
      if (star > from) regex.append(Pattern.quote(glob.substring(from, star)));
      regex.append(".*");
      from = star + 1;
    }
    if (from < glob.length()) regex.append(Pattern.quote(glob.substring(from)));
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }

  /** A name the glob should match, with each star replaced by random text, sometimes mutated. */
  static String instantiate(Random random, String glob, String[] alphabet) {
    StringBuilder name = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*') name.append(randomText(random, alphabet, random.nextInt(4)));
      else name.append(c);
    }
    if (random.nextInt(3) == 0 && !name.isEmpty()) {
      int at = random.nextInt(name.length());
      if (!Character.isSurrogate(name.charAt(at)))
        name.setCharAt(at, random.nextBoolean() ? 'a' : 'z');
    }
    return name.toString();
  }

  static String randomText(Random random, String[] alphabet, int length) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) s.append(alphabet[random.nextInt(alphabet.length)]);
    return s.toString();
  }
}
