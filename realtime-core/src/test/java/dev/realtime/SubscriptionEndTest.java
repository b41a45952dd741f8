package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.memory.MemoryEngine;
import dev.realtime.spi.ChannelWatch;
import dev.realtime.spi.Engine;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.Range;
import dev.realtime.spi.ReadResult;
import dev.realtime.spi.WatchListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link Subscribe#onEnd}: told once, last, whatever ended the subscription. */
class SubscriptionEndTest {
  final LinkedBlockingQueue<Throwable> hook = new LinkedBlockingQueue<>();
  final Realtime realtime = Realtime.builder().onError(hook::add).build();

  /** Everything a subscription was told, in order: messages' data, errors, ends. */
  final LinkedBlockingQueue<Object> told = new LinkedBlockingQueue<>();

  @AfterEach
  void close() {
    realtime.close();
  }

  Subscribe<Object> recorded(Subscribe<Object> request) {
    return request.onData(m -> told.add(m.data())).onError(told::add).onEnd(told::add);
  }

  @Test
  void itsOwnUnsubscribeIsToldOnce() {
    Subscription s = realtime.channel("room").subscribe(recorded(Subscribe.toAll()));
    s.unsubscribe();
    s.unsubscribe();
    s.close();
    assertThat(next()).isEqualTo(SubscriptionEnd.UNSUBSCRIBED);
    assertThat(s.isActive()).isFalse();
    assertQuiet();
  }

  @Test
  void channelUnsubscribeEndsEverySubscriptionOfTheChannelAndTellsEachWhy() {
    var other = new LinkedBlockingQueue<SubscriptionEnd>();
    Subscription a = realtime.channel("room").subscribe(recorded(Subscribe.toAll()));
    Subscription b = realtime.channel("room").subscribe(recorded(Subscribe.to("n").history(true)));
    Subscription c =
        realtime.channel("other").subscribe(Subscribe.toAll().onData(m -> {}).onEnd(other::add));
    realtime.channel("room").unsubscribe();
    assertThat(List.of(next(), next()))
        .containsExactly(
            SubscriptionEnd.CHANNEL_UNSUBSCRIBED, SubscriptionEnd.CHANNEL_UNSUBSCRIBED);
    assertThat(a.isActive()).isFalse();
    assertThat(b.isActive()).isFalse();
    a.unsubscribe(); // already ended: not told again
    realtime.channel("room").emit("n", 1);
    assertQuiet();
    assertThat(c.isActive()).isTrue();
    assertThat(other).isEmpty();
  }

  @Test
  void closingTheRealtimeEndsEverySubscription() {
    Realtime closing = Realtime.create();
    closing.channel("a").subscribe(recorded(Subscribe.toAll()));
    closing.channel("b").subscribe(recorded(Subscribe.toAll().history(true)));
    closing.close();
    assertThat(List.of(next(), next()))
        .containsExactly(SubscriptionEnd.REALTIME_CLOSED, SubscriptionEnd.REALTIME_CLOSED);
    assertQuiet();
  }

  @Test
  void aLostPositionWithoutOnGapIsToldAsAnErrorThenTheEnd() {
    Realtime small = Realtime.builder().history(History.maxLength(2)).build();
    try {
      var ch = small.channel("room");
      String first = ch.emit("n", 1);
      for (int i = 2; i <= 5; i++) ch.emit("n", i);
      Subscription s = ch.subscribe(recorded(Subscribe.toAll().after(first)));
      assertThat(next()).isInstanceOf(CursorUnavailableException.class);
      assertThat(next()).isEqualTo(SubscriptionEnd.FAILED);
      assertThat(s.isActive()).isFalse();
      s.unsubscribe();
      assertQuiet();
    } finally {
      small.close();
    }
  }

  @Test
  void theEndComesAfterTheRunningCallbackReturns() throws Exception {
    var ch = realtime.channel("room");
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Subscription s =
        ch.subscribe(
            Subscribe.toAll()
                .onData(
                    m -> {
                      inside.countDown();
                      await(release);
                      told.add("returned");
                    })
                .onEnd(told::add));
    ch.emit("n", 1);
    ch.emit("n", 2);
    assertThat(inside.await(5, TimeUnit.SECONDS)).isTrue();
    s.unsubscribe();
    assertThat(told.poll(100, TimeUnit.MILLISECONDS)).isNull();
    release.countDown();
    // The running callback finishes; the second message is not delivered; then the end.
    assertThat(List.of(next(), next())).containsExactly("returned", SubscriptionEnd.UNSUBSCRIBED);
    assertQuiet();
  }

  @Test
  void anExecutorThatRefusesWorkHasTheEndToldOnTheEndingThread() throws Exception {
    AtomicBoolean refuse = new AtomicBoolean();
    var thread = new LinkedBlockingQueue<Thread>();
    Semaphore ran = new Semaphore(0);
    Subscription s =
        realtime
            .channel("room")
            .subscribe(
                Subscribe.toAll()
                    .onData(m -> {})
                    .onEnd(why -> thread.add(Thread.currentThread()))
                    .executor(
                        task -> {
                          if (refuse.get()) throw new RejectedExecutionException("shut down");
                          Thread.ofVirtual()
                              .start(
                                  () -> {
                                    task.run();
                                    ran.release();
                                  });
                        }));
    assertThat(ran.tryAcquire(5, TimeUnit.SECONDS)).isTrue(); // the loop went idle
    refuse.set(true);
    s.unsubscribe();
    assertThat(thread.poll()).isSameAs(Thread.currentThread());
  }

  @Test
  void aThrowingOnEndGoesToOnError() {
    Subscription s =
        realtime
            .channel("room")
            .subscribe(
                Subscribe.toAll()
                    .onData(m -> {})
                    .onError(told::add)
                    .onEnd(
                        why -> {
                          throw new IllegalStateException("boom");
                        }));
    s.unsubscribe();
    assertThat(next())
        .isInstanceOf(SubscriberException.class)
        .asString()
        .contains("onEnd", "room", "UNSUBSCRIBED");
  }

  @Test
  void aSubscriptionThatNeverStartedIsNotToldAnEnd() {
    Engine failing = new FailingReads(MemoryEngine.create());
    try (Realtime r = Realtime.builder().engine(failing).build()) {
      var request = recorded(Subscribe.toAll().history(true));
      assertThatThrownBy(() -> r.channel("room").subscribe(request))
          .isInstanceOf(EngineException.class);
      assertQuiet();
    } finally {
      failing.close();
    }
  }

  private Object next() {
    try {
      Object o = told.poll(5, TimeUnit.SECONDS);
      assertThat(o).as("something told within 5 s").isNotNull();
      return o;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private void assertQuiet() {
    try {
      assertThat(told.poll(Duration.ofMillis(200).toMillis(), TimeUnit.MILLISECONDS)).isNull();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * While the engine is away it keeps waking its watchers to retry: a subscription reports the
   * failure once, not at every retry, and again when reads fail anew after they had recovered.
   */
  @Test
  void aSubscriptionReportsAnOutageOfReadsOnceNotAtEveryRetry() {
    AtomicBoolean failing = new AtomicBoolean();
    AtomicInteger failedReads = new AtomicInteger();
    Engine memory = MemoryEngine.create();
    Engine flaky =
        new FailingReads(memory) {
          @Override
          public CompletableFuture<ReadResult> read(String channel, Range range) {
            if (!failing.get()) return memory.read(channel, range);
            failedReads.incrementAndGet();
            return super.read(channel, range);
          }
        };
    try (Realtime rt = Realtime.builder().engine(flaky).build()) {
      Channel ch = rt.channel("outage");
      ch.subscribe(recorded(Subscribe.toAll()));
      ch.emit("n", 1);
      Awaitility.await().until(() -> told.contains(1));
      failing.set(true);
      for (int i = 2; i <= 6; i++) {
        int before = failedReads.get();
        ch.emit("n", i); // wakes the subscription: it reads again, as after an engine's retry
        Awaitility.await().until(() -> failedReads.get() > before);
      }
      Awaitility.await().until(() -> told.stream().anyMatch(EngineException.class::isInstance));
      Awaitility.await().during(Duration.ofMillis(200)).until(() -> true);
      assertThat(told.stream().filter(EngineException.class::isInstance)).hasSize(1);
      failing.set(false);
      ch.emit("n", 7);
      Awaitility.await().until(() -> told.contains(7));
      failing.set(true);
      ch.emit("n", 8);
      Awaitility.await()
          .until(() -> told.stream().filter(EngineException.class::isInstance).count() == 2);
      failing.set(false);
      ch.emit("n", 9);
      Awaitility.await().until(() -> told.contains(9));
      assertThat(told.stream().filter(Integer.class::isInstance))
          .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    }
  }

  /** An engine whose reads fail, so subscribing with history fails. */
  private static class FailingReads implements Engine {
    private final Engine inner;

    FailingReads(Engine inner) {
      this.inner = inner;
    }

    @Override
    public CompletableFuture<EntryId> append(dev.realtime.spi.Append append) {
      return inner.append(append);
    }

    @Override
    public CompletableFuture<ReadResult> read(String channel, Range range) {
      return CompletableFuture.failedFuture(new EngineException("reads fail here"));
    }

    @Override
    public ChannelWatch watch(String channel, WatchListener listener) {
      return inner.watch(channel, listener);
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
