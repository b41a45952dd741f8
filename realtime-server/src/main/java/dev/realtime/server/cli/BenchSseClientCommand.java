package dev.realtime.server.cli;

import dev.realtime.server.bench.ChildClients;
import dev.realtime.server.bench.ClientGroup;
import dev.realtime.server.bench.ClientReport;
import dev.realtime.server.bench.SseClients;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code realtime bench sse-client}: the child process of {@code bench sse} that holds a share of
 * its connections; not for people (hidden). The conversation with the parent is described in {@link
 * ChildClients}.
 */
@Command(name = "sse-client", hidden = true, description = "A client process of 'bench sse'.")
final class BenchSseClientCommand implements Callable<Integer> {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Spec CommandSpec spec;

  @Option(names = "--url", required = true)
  String url;

  @Option(names = "--base-path", defaultValue = "/api/realtime")
  String basePath;

  @Option(names = "--run", required = true)
  String run;

  @Option(names = "--channels", required = true)
  int channels;

  @Option(names = "--first", required = true)
  int first;

  @Option(names = "--count", required = true)
  int count;

  @Option(names = "--warmup-events", defaultValue = "0")
  long warmupEvents;

  @Option(names = "--connect-timeout", defaultValue = "120")
  int connectTimeout;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    String[] names = BenchSseCommand.channelNames(run, channels);
    try (SseClients clients =
        new SseClients(URI.create(url), basePath, names, first, count, warmupEvents)) {
      ClientGroup.Connected connected = clients.awaitConnected(Duration.ofSeconds(connectTimeout));
      out.println(ChildClients.PREFIX + "connected " + JSON.writeValueAsString(connected));
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line = in.readLine();
      if (line == null) return UserError.FAILURE; // the bench went away
      String[] words = line.strip().split(" ");
      if (!words[0].equals("finish") || words.length != 2 + channels) {
        throw UserError.usage("expected 'finish <ms> <one count per channel>', got: " + line);
      }
      long[] emitted = new long[channels];
      for (int k = 0; k < channels; k++) emitted[k] = Long.parseLong(words[2 + k]);
      Duration drain = Duration.ofMillis(Long.parseLong(words[1]));
      ClientReport report = clients.finish(emitted, drain).get();
      out.println(ChildClients.PREFIX + "report " + report.toJson());
      out.flush();
    }
    return 0;
  }
}
