package dev.realtime.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the command line through {@link Main#run}, with what it printed. */
record CliRun(int exitCode, String out, String err) {
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /** The one error line, checked to be one line without a stack trace. */
  String errorLine() {
    assertThat(err.strip().lines()).as("stderr: %s", err).hasSize(1);
    assertThat(err).startsWith("realtime: ").doesNotContain("Exception").doesNotContain("\tat ");
    return err.strip();
  }

  /** Stdout, after checking that the run worked and printed no error. */
  String ok() {
    assertThat(exitCode).as("stderr: %s", err).isZero();
    assertThat(err).isEmpty();
    return out;
  }
}
