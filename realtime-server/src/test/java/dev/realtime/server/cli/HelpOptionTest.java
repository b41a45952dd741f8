package dev.realtime.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** Every command answers {@code --help} and {@code -h} with its usage, as the README says. */
class HelpOptionTest {
  @ParameterizedTest
  @ValueSource(strings = {"serve", "demo", "emit", "history", "tail", "token", "bench"})
  void everyCommandPrintsItsUsage(String command) {
    assertThat(new CommandLine(new Main()).getSubcommands()).containsKey(command);
    for (String flag : new String[] {"--help", "-h"}) {
      CliRun r = CliRun.of(command, flag);
      assertThat(r.ok()).as("%s %s", command, flag).contains("Usage: realtime " + command);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"--port", "--redis", "--config", "--secret"})
  void serveListsItsSettings(String flag) {
    assertThat(CliRun.of("serve", "--help").ok()).contains(flag);
  }
}
