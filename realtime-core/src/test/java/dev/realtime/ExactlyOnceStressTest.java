package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.memory.MemoryEngine;
import dev.realtime.spi.Engine;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import dev.realtime.spi.Range;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many emitters, many subscribers joining mid-stream (live, with history, resuming after an id):
 * every subscriber must receive exactly the channel's id sequence from its starting point, with no
 * gap, no duplicate and no reordering. Seeded: each run prints its seed, and {@code -Dseed=N}
 * replays one.
 */
class ExactlyOnceStressTest {

  static List<Long> seeds() {
    String fixed = System.getProperty("seed");
    if (fixed != null) return List.of(Long.parseLong(fixed));
    long base = System.nanoTime();
    return List.of(base, base + 1, base + 2, base + 3);
  }

  /** A subscriber under test: how it joined and what it received. */
  record Joiner(String kind, EntryId startAfter, ConcurrentLinkedQueue<String> received) {}

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("seeds")
  void everySubscriberSeesTheExactSequenceFromItsStart(long seed) throws Exception {
    System.out.println("ExactlyOnceStressTest seed=" + seed + " (replay with -Dseed=" + seed + ")");
    Random random = new Random(seed);
    int emitters = 2 + random.nextInt(4);
    int perEmitter = 500 + random.nextInt(2000);
    int joinerCount = 10 + random.nextInt(30);
    try (Engine engine = MemoryEngine.create();
        Realtime realtime =
            Realtime.builder().engine(engine).history(History.maxLength(1_000_000)).build()) {
      Channel ch = realtime.channel("stress-" + seed);
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      for (int e = 0; e < emitters; e++) {
        long emitterSeed = random.nextLong();
        int emitter = e;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      Random r = new Random(emitterSeed);
                      awaitLatch(go);
                      for (int i = 0; i < perEmitter; i++) {
                        ch.emit(r.nextInt(4) == 0 ? "other" : "main", emitter + ":" + i);
                        if (r.nextInt(50) == 0) Thread.yield();
                      }
                    }));
      }
      List<Joiner> joiners = new ArrayList<>();
      AtomicInteger errors = new AtomicInteger();
      go.countDown();
      for (int j = 0; j < joinerCount; j++) {
        Thread.sleep(random.nextInt(3));
        ConcurrentLinkedQueue<String> got = new ConcurrentLinkedQueue<>();
        Subscribe<Object> base =
            Subscribe.toAll().onData(m -> got.add(m.id())).onError(t -> errors.incrementAndGet());
        switch (random.nextInt(3)) {
          case 0 -> {
            List<HistoryMessage> newest = ch.history(HistoryQuery.latest(1));
            ch.subscribe(base);
            EntryId end = newest.isEmpty() ? EntryId.ZERO : EntryId.parse(newest.get(0).id());
            joiners.add(new Joiner("live", end, got));
          }
          case 1 -> {
            int n = 1 + random.nextInt(1000);
            ch.subscribe(base.history(HistoryQuery.latest(n)));
            joiners.add(new Joiner("history:" + n, null, got));
          }
          default -> {
            List<HistoryMessage> recent = ch.history(HistoryQuery.latest(1 + random.nextInt(200)));
            EntryId after = recent.isEmpty() ? EntryId.ZERO : EntryId.parse(recent.get(0).id());
            ch.subscribe(base.after(after.toString()));
            joiners.add(new Joiner("after", after, got));
          }
        }
      }
      for (Thread t : threads) t.join();
      // One more entry after every subscriber joined: each must receive at least this one, so none
      // is taken for one that joined after the last entry merely because its deliveries were
      // still on their way (on a loaded machine they can be, for seconds).
      ch.emit("main", "last");
      List<String> log = readLog(engine, ch.name());
      assertThat(log).hasSize(emitters * perEmitter + 1);
      for (int j = 0; j < joiners.size(); j++) {
        Joiner joiner = joiners.get(j);
        String what = "subscriber " + j + " (" + joiner.kind() + "), seed " + seed;
        String last = log.get(log.size() - 1);
        int start;
        if (joiner.kind().equals("after")) {
          start = firstAfter(log, joiner.startAfter());
        } else { // live or replay: it starts wherever the log's end (or newest n) was on joining
          awaitLast(joiner.received(), last, 20);
          assertThat(joiner.received())
              .as(what + ": the entry emitted after it joined")
              .isNotEmpty();
          start = log.indexOf(joiner.received().peek());
          if (joiner.startAfter() != null) {
            assertThat(start)
                .as(what + ": after the end it joined at")
                .isGreaterThanOrEqualTo(firstAfter(log, joiner.startAfter()));
          }
        }
        awaitLast(joiner.received(), last, 20);
        List<String> received = new ArrayList<>(joiner.received());
        assertThat(received)
            .as(what + ": the exact rest of the log")
            .containsExactlyElementsOf(log.subList(start, log.size()));
      }
      assertThat(errors.get()).as("errors, seed " + seed).isZero();
    }
  }

  /** The channel's ids as the engine stores them: the truth subscribers are compared with. */
  private static List<String> readLog(Engine engine, String channel) {
    List<String> ids = new ArrayList<>();
    EntryId cursor = EntryId.ZERO;
    for (; ; ) {
      List<LogEntry> page = engine.read(channel, Range.after(cursor, 1000)).join().entries();
      page.forEach(e -> ids.add(e.idText()));
      if (page.size() < 1000) return ids;
      cursor = page.get(page.size() - 1).id();
    }
  }

  private static int firstAfter(List<String> log, EntryId position) {
    for (int i = 0; i < log.size(); i++) {
      if (EntryId.parse(log.get(i)).isAfter(position)) return i;
    }
    return log.size();
  }

  private static void awaitLast(ConcurrentLinkedQueue<String> got, String last, int seconds)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    while (System.nanoTime() < deadline) {
      if (got.contains(last)) return;
      Thread.sleep(5);
    }
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
