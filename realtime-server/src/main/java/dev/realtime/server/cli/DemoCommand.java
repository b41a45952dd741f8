package dev.realtime.server.cli;

import dev.realtime.server.demo.SeedDemo;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Runs the seed page's use cases on the in-memory engine and prints what is emitted and"
            + " received.")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    new SeedDemo(out).runAll();
    out.flush();
    return 0;
  }
}
