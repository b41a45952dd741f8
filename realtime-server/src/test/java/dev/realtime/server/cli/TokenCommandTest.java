package dev.realtime.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.server.auth.ChannelPattern;
import dev.realtime.server.auth.Grants;
import dev.realtime.server.auth.TokenVerifier;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code realtime token} through the command line's entry point, with an injected environment. */
class TokenCommandTest {
  static final String SECRET = "token-command-test-secret-0123456789";

  record Result(int exitCode, String out, String err) {
    String errorLine() {
      assertThat(err.strip().lines()).as("stderr: %s", err).hasSize(1);
      assertThat(err).startsWith("realtime: ").doesNotContain("Exception").doesNotContain("\tat ");
      return err.strip();
    }

    Grants grants(String secret) {
      assertThat(exitCode).as("exit code, stderr: %s", err).isZero();
      assertThat(out.lines()).hasSize(1);
      return new TokenVerifier(secret).verify(out.strip());
    }
  }

  @BeforeEach
  void emptyEnvironment() {
    TokenCommand.env = Map.of();
  }

  @AfterEach
  void processEnvironment() {
    TokenCommand.env = System.getenv();
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 1];
    all[0] = "token";
    System.arraycopy(args, 0, all, 1, args.length);
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void printsATokenTheServerAcceptsWithTheGivenClaims() {
    Instant before = Instant.now();
    Grants g =
        run(
                "--secret",
                SECRET,
                "--subscribe",
                "room-*",
                "--publish",
                "room-1",
                "--subject",
                "ada",
                "--ttl",
                "15m")
            .grants(SECRET);
    assertThat(g.subject()).isEqualTo("ada");
    assertThat(g.subscribe()).containsExactly(ChannelPattern.of("room-*"));
    assertThat(g.publish()).containsExactly(ChannelPattern.of("room-1"));
    assertThat(g.expiresAt())
        .isBetween(
            before.plus(Duration.ofMinutes(15)).minusSeconds(1),
            Instant.now().plus(Duration.ofMinutes(15)).plusSeconds(1));
  }

  @Test
  void patternsRepeatAndSplitOnCommasAndTheTtlDefaultsToAnHour() {
    Instant before = Instant.now();
    Grants g =
        run("--secret", SECRET, "--subscribe", "a,b*", "--subscribe", "c", "--publish", "p.*,q")
            .grants(SECRET);
    assertThat(g.subject()).isNull();
    assertThat(g.subscribe()).extracting(ChannelPattern::glob).containsExactly("a", "b*", "c");
    assertThat(g.publish()).extracting(ChannelPattern::glob).containsExactly("p.*", "q");
    assertThat(g.expiresAt()).isAfter(before.plus(Duration.ofMinutes(59)));
    assertThat(g.expiresAt()).isBefore(Instant.now().plus(Duration.ofMinutes(61)));
  }

  @Test
  void theSecretComesFromRealtimeSecretWhenNotGivenAndTheFlagWins() {
    TokenCommand.env = Map.of("REALTIME_SECRET", SECRET);
    assertThat(run("--publish", "x").grants(SECRET).publish())
        .containsExactly(ChannelPattern.of("x"));
    String other = "another-secret-from-the-flag-0123456789";
    assertThat(run("--secret", other, "--subscribe", "y").grants(other).subscribe())
        .containsExactly(ChannelPattern.of("y"));
  }

  @Test
  void noSecretAnywhereIsAUsageErrorNamingBoth() {
    Result r = run("--subscribe", "room-*");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.errorLine())
        .isEqualTo(
            "realtime: no secret: give --secret S or set the REALTIME_SECRET environment variable"
                + " to the server's secret");
    TokenCommand.env = Map.of("REALTIME_SECRET", "");
    assertThat(run("--subscribe", "room-*").exitCode()).isEqualTo(2);
  }

  @Test
  void aShortSecretIsAUsageErrorNamingWhereItCameFrom() {
    assertThat(run("--secret", "short", "--subscribe", "a").errorLine())
        .isEqualTo(
            "realtime: --secret: the token secret is 5 bytes: HS256 needs at least 32 (for example"
                + " the output of 'openssl rand -base64 48')");
    TokenCommand.env = Map.of("REALTIME_SECRET", "short");
    assertThat(run("--subscribe", "a").errorLine())
        .startsWith("realtime: REALTIME_SECRET: the token secret is 5 bytes");
  }

  @Test
  void neitherSubscribeNorPublishIsAUsageError() {
    Result r = run("--secret", SECRET, "--subject", "ada");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errorLine()).contains("give --subscribe PATTERN or --publish PATTERN");
  }

  @Test
  void aBadTtlIsAUsageErrorNamingTheAcceptedForms() {
    Result r = run("--secret", SECRET, "--subscribe", "a", "--ttl", "soon");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errorLine())
        .isEqualTo(
            "realtime: --ttl: 'soon' is not a duration: use 500ms, 30s, 15m, 1h, 7d or ISO-8601"
                + " like PT1H");
    assertThat(run("--secret", SECRET, "--subscribe", "a", "--ttl", "0s").errorLine())
        .contains("--ttl 0s is zero");
    assertThat(run("--secret", SECRET, "--subscribe", "a", "--ttl", "PT30S").grants(SECRET))
        .isNotNull();
  }

  @Test
  void aBadPatternIsAUsageErrorNamingTheOption() {
    Result r = run("--secret", SECRET, "--subscribe", "a,,b");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.errorLine()).startsWith("realtime: --subscribe: channel pattern is empty");
  }

  @Test
  void helpListsTheCommand() {
    StringWriter out = new StringWriter();
    Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "--help");
    assertThat(out.toString()).contains("token");
  }
}
