package dev.realtime.server.cli;

import dev.realtime.InvalidNameException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./realtime}: the command line of the project. */
@Command(
    name = "realtime",
    mixinStandardHelpOptions = true,
    version = "realtime 0.1.0-SNAPSHOT",
    description = "Realtime messaging for Java: typed events, channels, history, live delivery.",
    subcommands = {
      ServeCommand.class,
      DemoCommand.class,
      EmitCommand.class,
      HistoryCommand.class,
      TailCommand.class,
      TokenCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line on the process's stdout and stderr and returns its exit code. */
  public static int run(String... args) {
    return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
  }

  /**
   * Runs the command line with its output and errors going to {@code out} and {@code err}, and
   * returns its exit code: 0 when it worked, 2 for an argument that is not accepted (a server's
   * 400, 404, 413 and 422 included), 1 when something else failed (Redis or the server unreachable,
   * a token refused). Every error is one line, {@code realtime: <what was wrong and what is
   * accepted>}, without a stack trace.
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    // No @file expansion: '@team' is a channel name, not a file to read arguments from.
    CommandLine cli = new CommandLine(new Main()).setOut(out).setErr(err).setExpandAtFiles(false);
    ServeCommand.addSettingOptions(cli.getSubcommands().get("serve"));
    cli.setParameterExceptionHandler(
        (e, arguments) -> {
          CommandLine cmd = e.getCommandLine();
          cmd.getErr()
              .println(
                  "realtime: "
                      + oneLine(e.getMessage())
                      + " (see '"
                      + cmd.getCommandSpec().qualifiedName()
                      + " --help')");
          cmd.getErr().flush();
          return UserError.USAGE;
        });
    cli.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          int code;
          String message;
          if (e instanceof UserError u) {
            code = u.exitCode();
            message = u.getMessage();
          } else if (e instanceof InvalidNameException || e instanceof IllegalArgumentException) {
            code = UserError.USAGE; // a channel or event name, or a value, that is not accepted
            message = e.getMessage();
          } else {
            code = UserError.FAILURE;
            message = e.getMessage() == null ? e.toString() : e.getMessage();
          }
          cmd.getErr().println("realtime: " + oneLine(message));
          cmd.getErr().flush();
          return code;
        });
    try {
      return cli.execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
