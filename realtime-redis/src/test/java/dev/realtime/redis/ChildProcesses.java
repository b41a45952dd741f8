package dev.realtime.redis;

import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The other processes of the multi-process tests: each {@code main} runs in a JVM of its own, on
 * the test's classpath, against the test's redis-server.
 */
final class ChildProcesses {
  private ChildProcesses() {}

  /** {@code emit <uri> <channel> <count> <seed>}: emits count events, then prints "done". */
  static final class Emitter {
    public static void main(String[] args) {
      String uri = args[0], channel = args[1];
      int count = Integer.parseInt(args[2]);
      Random random = new Random(Long.parseLong(args[3]));
      try (Realtime realtime = Realtime.builder().engine(RedisEngine.connect(uri)).build()) {
        var ch = realtime.channel(channel);
        for (int i = 0; i < count; i++) {
          ch.emit(
              random.nextInt(4) == 0 ? "other" : "main", ProcessHandle.current().pid() + ":" + i);
          if (random.nextInt(20) == 0) Thread.onSpinWait();
        }
      }
      System.out.println("done");
    }
  }

  /**
   * {@code subscribe <uri> <channel> <count>}: prints "ready", then the id of every event from the
   * start of the stream, one a line, until count arrived (or 60 s passed).
   */
  static final class Subscriber {
    public static void main(String[] args) throws InterruptedException {
      String uri = args[0], channel = args[1];
      int count = Integer.parseInt(args[2]);
      CountDownLatch all = new CountDownLatch(count);
      try (Realtime realtime = Realtime.builder().engine(RedisEngine.connect(uri)).build()) {
        realtime
            .channel(channel)
            .subscribe(
                Subscribe.toAll()
                    .after("0-0")
                    .onData(
                        m -> {
                          System.out.println(m.id());
                          all.countDown();
                        }));
        System.out.println("ready");
        all.await(60, TimeUnit.SECONDS);
      }
      System.out.flush();
    }
  }

  /** Starts {@code main} of {@code type} in a new JVM with this JVM's classpath. */
  static Process start(Class<?> type, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(type.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }
}
