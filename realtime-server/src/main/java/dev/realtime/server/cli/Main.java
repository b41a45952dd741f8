package dev.realtime.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./realtime}: the command line of the project. */
@Command(
    name = "realtime",
    mixinStandardHelpOptions = true,
    version = "realtime 0.1.0-SNAPSHOT",
    description = "Realtime messaging for Java: typed events, channels, history, live delivery.",
    subcommands = {DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(
            (e, cmd, parsed) -> {
              cmd.getErr().println("realtime: " + e.getMessage());
              return 1;
            })
        .execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
