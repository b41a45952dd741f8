package dev.realtime.server.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Benchmarks: 'realtime bench emit --help' (the Redis engine) and 'realtime bench sse"
            + " --help' (a running server's SSE fan-out) say how.",
    subcommands = {BenchEmitCommand.class, BenchSseCommand.class, BenchSseClientCommand.class})
final class BenchCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
