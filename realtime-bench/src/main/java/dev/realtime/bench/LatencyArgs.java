package dev.realtime.bench;

import dev.realtime.History;

/**
 * The command line of {@link LatencyBench} and {@link HandoffBaseline}: {@code --name value} or
 * {@code --name=value}, each optional.
 */
record LatencyArgs(int rate, int seconds, int warmupSeconds, int maxLength, String executor) {

  static LatencyArgs parse(String[] args) {
    LatencyArgs parsed =
        new LatencyArgs(
            Integer.parseInt(arg(args, "--rate", "100000")),
            Integer.parseInt(arg(args, "--seconds", "10")),
            Integer.parseInt(arg(args, "--warmup", "3")),
            // The library's default retention, so the figure is what an unconfigured Realtime
            // gives. It matters: retained entries are live objects that every young GC copies, so
            // a longer history means longer pauses (see docs/BENCHMARKS.md).
            Integer.parseInt(arg(args, "--max-length", "" + History.DEFAULT_MAX_LENGTH)),
            // virtual: the library's default (a virtual thread per busy subscription); platform:
            // one dedicated platform thread, to tell virtual-thread scheduling from the rest.
            arg(args, "--executor", "virtual"));
    if (!parsed.executor.equals("virtual") && !parsed.executor.equals("platform")) {
      throw new IllegalArgumentException("--executor must be virtual or platform");
    }
    if ((long) parsed.rate * parsed.seconds > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("--rate times --seconds is too big for one array");
    }
    return parsed;
  }

  long warmupCount() {
    return (long) rate * warmupSeconds;
  }

  int count() {
    return rate * seconds;
  }

  private static String arg(String[] args, String name, String fallback) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(name) && i + 1 < args.length) return args[i + 1];
      if (args[i].startsWith(name + "=")) return args[i].substring(name.length() + 1);
    }
    return fallback;
  }
}
