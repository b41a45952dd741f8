package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.internal.RealRealtime;
import dev.realtime.memory.MemoryEngine;
import org.junit.jupiter.api.Test;

/** Unsubscribing releases everything a subscription held: threads, buffers, registrations. */
class SubscriptionLeakTest {

  @Test
  void subscribingAndUnsubscribing100000TimesGivesEverythingBack() throws Exception {
    MemoryEngine engine = MemoryEngine.create();
    try (Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel busy = realtime.channel("busy");
      busy.emit("warm", "up");
      Subscription warm = busy.subscribe(Subscribe.toAll().history(true).onData(m -> {}));
      warm.unsubscribe();
      settle();
      long heapBefore = usedHeap();
      int threadsBefore = Thread.activeCount();

      for (int i = 0; i < 100_000; i++) {
        Channel ch = realtime.channel(i % 2 == 0 ? "busy" : "c-" + i);
        Subscription s = ch.subscribe(Subscribe.toAll().history(i % 3 == 0).onData(m -> {}));
        if (i % 1000 == 0) ch.emit("tick", i); // some subscriptions are active when they end
        s.unsubscribe();
      }
      settle();
      long heapAfter = usedHeap();
      int threadsAfter = Thread.activeCount();
      System.out.printf(
          "heap before %d KiB, after %d KiB; threads before %d, after %d%n",
          heapBefore / 1024, heapAfter / 1024, threadsBefore, threadsAfter);

      RealRealtime real = (RealRealtime) realtime;
      assertThat(real.fanout().channelCount()).isZero();
      // Only channels that hold entries remain: "busy" and the 50 "c-" channels that got a tick.
      assertThat(engine.channelCount()).isLessThanOrEqualTo(51);
      assertThat(threadsAfter).isLessThanOrEqualTo(threadsBefore + 2);
      assertThat(heapAfter - heapBefore).isLessThan(8L * 1024 * 1024);
    }
  }

  private static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  private static void settle() throws InterruptedException {
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
    }
  }
}
