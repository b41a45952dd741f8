package dev.realtime.server.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Stack;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code realtime tail}: a running server's event stream on stdout, one JSON line per event, for
 * people watching a channel and for scripts ({@code | jq}). The following itself (resume, back-off,
 * gaps) is {@link ResumingStream}'s; this class holds the options and the ways to stop.
 *
 * <p>Ctrl-C exits 0: it is how a tail is meant to end, not a failure. A JVM ended by a signal exits
 * 130 after its shutdown hooks, so the hook halts the process with 0 once the stream has stopped
 * and what was printed is flushed. The hook is removed when the command returns, so an embedding
 * caller (or a test) keeps its own exit.
 */
@Command(
    name = "tail",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Prints the events of one or more channels of a running server as they arrive, one JSON"
          + " line each: {\"id\",\"event\",\"channel\",\"data\"}. Reconnects by itself (waiting"
          + " 250 ms, doubling to 10 s) and resumes after the last event printed, so none is"
          + " printed twice or missed while the server's history holds it; a 'gap' line on stderr"
          + " says when history no longer did. Ctrl-C ends it.",
      "Example: realtime tail --url http://127.0.0.1:8080 room-1 room-2 --events chat.message"
    })
final class TailCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ServerOption server;

  @Parameters(arity = "1..*", paramLabel = "CHANNEL", description = "The channels, e.g. room-1.")
  List<String> channels;

  @Option(
      names = "--events",
      split = ",",
      paramLabel = "EVENT",
      description = "Only these events (names separated by commas); default: every event.")
  List<String> events;

  @Option(
      names = "--history",
      arity = "0..1",
      preprocessor = HistoryCount.class,
      paramLabel = "N",
      description =
          "Start with each channel's newest N messages (0 to 1000; --history alone: 1000, the"
              + " most); default: new ones only.")
  Integer history;

  @Option(names = "--max-events", paramLabel = "N", description = "Exit 0 after printing N events.")
  Long maxEvents;

  @Option(names = "--seconds", paramLabel = "S", description = "Exit 0 after S seconds.")
  Long seconds;

  /**
   * {@code --history N}, {@code --history=N}, or {@code --history} alone (1000, the most): a number
   * after it is its value, anything else is left for what follows ({@code --history room-1} is a
   * channel); a value given with {@code =} must be a number.
   */
  static final class HistoryCount implements IParameterPreprocessor {
    @Override
    public boolean preprocess(
        Stack<String> args, CommandSpec command, ArgSpec option, Map<String, Object> info) {
      boolean attached = "=".equals(info.get("separator"));
      String next = args.isEmpty() ? null : args.peek();
      if (!attached && (next == null || !next.matches("-?\\d+"))) {
        option.setValue(1000);
        return true;
      }
      args.pop();
      try {
        option.setValue(Integer.parseInt(next));
      } catch (NumberFormatException e) {
        throw new ParameterException(
            command.commandLine(),
            "--history " + next + " is not accepted: give 0 to 1000, or --history alone for 1000");
      }
      return true;
    }
  }

  @Override
  public Integer call() {
    if (maxEvents != null && maxEvents < 1) {
      throw UserError.usage("--max-events " + maxEvents + " is not accepted: give 1 or more");
    }
    if (seconds != null && seconds < 1) {
      throw UserError.usage("--seconds " + seconds + " is not accepted: give 1 or more");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (ServerClient client = server.connect()) {
      ResumingStream stream =
          new ResumingStream(client, query(), out, err, maxEvents == null ? 0 : maxEvents);
      CountDownLatch finished = new CountDownLatch(1);
      Thread interrupt = new Thread(() -> exitOnSignal(stream, finished), "realtime-tail-exit");
      Runtime.getRuntime().addShutdownHook(interrupt);
      Thread timer = seconds == null ? null : Thread.ofVirtual().start(() -> stopAfter(stream));
      try {
        stream.run();
      } finally {
        if (timer != null) timer.interrupt();
        out.flush();
        err.flush();
        finished.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(interrupt);
        } catch (IllegalStateException e) {
          // the process is ending (Ctrl-C): the hook exits it with 0
        }
      }
    }
    return 0;
  }

  /** {@code channel=a&channel=b[&events=e1,e2][&history=N]}, encoded. */
  String query() {
    StringBuilder q = new StringBuilder();
    for (String c : channels) {
      q.append(q.isEmpty() ? "" : "&").append("channel=").append(ServerClient.query(c));
    }
    if (events != null) {
      q.append("&events=").append(ServerClient.query(String.join(",", events)));
    }
    if (history != null) q.append("&history=").append(history);
    return q.toString();
  }

  private void stopAfter(ResumingStream stream) {
    try {
      Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
      stream.stop();
    } catch (InterruptedException e) {
      // the stream ended first
    }
  }

  private static void exitOnSignal(ResumingStream stream, CountDownLatch finished) {
    stream.stop();
    try {
      finished.await(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Runtime.getRuntime().halt(0);
  }
}
