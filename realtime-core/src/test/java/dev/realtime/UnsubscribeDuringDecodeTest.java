package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Subscription.unsubscribe() promises "a callback already running finishes; no later one starts":
 * it also holds while the entry is being decoded (made to wait here in a record constructor, which
 * Jackson runs on the delivery thread; any large payload gives the same window), and the entry
 * stays after the subscription's position, so a resume from it gets the entry.
 */
class UnsubscribeDuringDecodeTest {
  static volatile boolean armed;
  static final CountDownLatch inDecode = new CountDownLatch(1);
  static final CountDownLatch release = new CountDownLatch(1);

  record Slow(List<String> items) { // a List component: not immutable, decoded per delivery
    Slow {
      if (armed && Thread.currentThread().isVirtual()) { // the delivery thread, not the emitter
        inDecode.countDown();
        try {
          release.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  @Test
  void noOnDataStartsAfterUnsubscribeReturned() throws Exception {
    Schema schema = Schema.builder().event("slow", Slow.class).build();
    List<String> afterUnsubscribe = new CopyOnWriteArrayList<>();
    var unsubscribed = new java.util.concurrent.atomic.AtomicBoolean();
    try (Realtime rt = Realtime.builder().schema(schema).build()) {
      Subscription sub =
          rt.channel("c")
              .subscribe(
                  Subscribe.to("slow")
                      .onData(
                          m -> {
                            if (unsubscribed.get()) afterUnsubscribe.add(m.id());
                          }));
      armed = true;
      rt.channel("c").emit("slow", Map.of("items", List.of("a")));
      assertThat(inDecode.await(5, TimeUnit.SECONDS)).as("delivery started decoding").isTrue();
      sub.unsubscribe(); // returns at once; no onData has started
      unsubscribed.set(true);
      assertThat(sub.isActive()).isFalse();
      release.countDown();
      Thread.sleep(500);
      assertThat(afterUnsubscribe)
          .as("onData calls that started after unsubscribe() returned")
          .isEmpty();
      assertThat(sub.position())
          .as("the position of a subscription that never delivered the entry")
          .isNotEqualTo(rt.channel("c").history().getFirst().id());
    } finally {
      armed = false;
    }
  }
}
