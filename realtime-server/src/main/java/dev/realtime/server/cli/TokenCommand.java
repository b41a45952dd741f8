package dev.realtime.server.cli;

import dev.realtime.server.auth.ChannelPattern;
import dev.realtime.server.auth.TokenMinter;
import dev.realtime.server.config.DurationText;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code realtime token}: mints a token for the server's secret and prints it on one line, for
 * trying the server by hand or handing a script its own credentials. Applications mint theirs with
 * {@link TokenMinter} (or any HS256 JWT library) in their own backend.
 *
 * <p>The secret may come from {@code REALTIME_SECRET} rather than {@code --secret}, which keeps it
 * out of the shell history and of {@code ps}.
 */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Mints an HS256 token the server accepts and prints it on one line.",
      "Example: REALTIME_SECRET=... realtime token --subscribe 'room-*' --publish room-1"
          + " --subject ada --ttl 1h"
    })
final class TokenCommand implements Callable<Integer> {
  static final String SECRET_VARIABLE = "REALTIME_SECRET";

  /** Where the environment is read from: the process's, or a test's map. */
  static Map<String, String> env = System.getenv();

  @Spec CommandSpec spec;

  @Option(
      names = "--secret",
      paramLabel = "S",
      description =
          "The server's secret, at least 32 bytes (default: the REALTIME_SECRET environment"
              + " variable, which keeps it out of the shell history).")
  String secret;

  @Option(
      names = "--subscribe",
      paramLabel = "PATTERN",
      split = ",",
      description =
          "Channels the token may subscribe to and read the history of: names or globs where"
              + " * matches any characters, like 'room-*'. Repeat it or separate with commas.")
  List<String> subscribe = new ArrayList<>();

  @Option(
      names = "--publish",
      paramLabel = "PATTERN",
      split = ",",
      description = "Channels the token may publish to, as for --subscribe.")
  List<String> publish = new ArrayList<>();

  @Option(names = "--subject", paramLabel = "NAME", description = "Who the token is for (sub).")
  String subject;

  @Option(
      names = "--ttl",
      paramLabel = "DURATION",
      defaultValue = "1h",
      description =
          "How long the token is valid: 500ms, 30s, 15m, 1h, 7d or ISO-8601 like PT1H"
              + " (default ${DEFAULT-VALUE}).")
  String ttl;

  @Override
  public Integer call() {
    String key = secret();
    if (subscribe.isEmpty() && publish.isEmpty()) {
      throw UserError.usage(
          "give --subscribe PATTERN or --publish PATTERN (or both): a token without either"
              + " grants nothing");
    }
    patterns("--subscribe", subscribe);
    patterns("--publish", publish);
    Duration validFor = ttl();
    TokenMinter minter;
    try {
      minter = new TokenMinter(key);
    } catch (IllegalArgumentException e) {
      throw UserError.usage(
          (secret != null ? "--secret: " : SECRET_VARIABLE + ": ") + e.getMessage());
    }
    String token;
    try {
      token = minter.mint(subject, subscribe, publish, validFor);
    } catch (IllegalArgumentException e) {
      throw UserError.usage(e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(token);
    out.flush();
    return 0;
  }

  private String secret() {
    if (secret != null) return secret;
    String fromEnv = env.get(SECRET_VARIABLE);
    if (fromEnv != null && !fromEnv.isEmpty()) return fromEnv;
    throw UserError.usage(
        "no secret: give --secret S or set the "
            + SECRET_VARIABLE
            + " environment variable to the server's secret");
  }

  private static void patterns(String option, List<String> globs) {
    for (String glob : globs) {
      try {
        ChannelPattern.of(glob);
      } catch (IllegalArgumentException e) {
        throw UserError.usage(option + ": " + e.getMessage());
      }
    }
  }

  private Duration ttl() {
    Duration d;
    try {
      d = DurationText.parse(ttl);
    } catch (IllegalArgumentException e) {
      throw UserError.usage("--ttl: " + e.getMessage());
    }
    if (d.isZero()) {
      throw UserError.usage("--ttl " + ttl + " is zero: give how long the token is valid, like 1h");
    }
    return d;
  }
}
