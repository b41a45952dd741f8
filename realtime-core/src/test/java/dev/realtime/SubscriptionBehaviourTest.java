package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.internal.RealRealtime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SubscriptionBehaviourTest {
  final LinkedBlockingQueue<Throwable> hook = new LinkedBlockingQueue<>();
  final Realtime realtime = Realtime.builder().onError(hook::add).build();

  @AfterEach
  void close() {
    realtime.close();
  }

  @Test
  void aBlockedSubscriberDelaysNeitherEmittersNorOtherSubscribers() throws Exception {
    var ch = realtime.channel("room");
    CountDownLatch release = new CountDownLatch(1);
    ch.subscribe(
        Subscribe.toAll()
            .onData(
                m -> {
                  try {
                    release.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                }));
    var fast = new Recorder<Object>();
    ch.subscribe(fast.attach(Subscribe.toAll()));
    long start = System.nanoTime();
    for (int i = 0; i < 1000; i++) ch.emit("n", i);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(fast.next(1000)).extracting(Message::data).startsWith(0, 1, 2).endsWith(999);
    release.countDown();
  }

  @Test
  void aThrowingSubscriberReachesTheErrorHookAndKeepsReceiving() {
    var ch = realtime.channel("room");
    List<Object> seen = Collections.synchronizedList(new ArrayList<>());
    ch.subscribe(
        Subscribe.toAll()
            .onData(
                m -> {
                  seen.add(m.data());
                  if (m.data().equals(1)) throw new IllegalStateException("boom");
                }));
    for (int i = 0; i < 3; i++) ch.emit("n", i);
    await().until(() -> seen.size() == 3);
    assertThat(seen).containsExactly(0, 1, 2);
    Throwable error = poll(hook);
    assertThat(error)
        .isInstanceOf(SubscriberException.class)
        .hasMessageContaining("room")
        .hasMessageContaining("boom")
        .hasRootCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void aSubscriptionsOwnOnErrorTakesPrecedenceOverTheHook() {
    var ch = realtime.channel("room");
    var rec = new Recorder<Object>();
    ch.subscribe(
        Subscribe.toAll()
            .onData(
                m -> {
                  throw new IllegalStateException("mine");
                })
            .onError(rec.errors::add));
    ch.emit("n", 1);
    assertThat(rec.nextError()).hasRootCauseMessage("mine");
    assertThat(hook).isEmpty();
  }

  @Test
  void callbacksOfOneSubscriptionNeverOverlapAndStayInOrder() throws Exception {
    var ch = realtime.channel("order");
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    List<Integer> got = Collections.synchronizedList(new ArrayList<>());
    ch.subscribe(
        Subscribe.toAll()
            .onData(
                m -> {
                  if (inside.incrementAndGet() > 1) overlaps.incrementAndGet();
                  got.add((Integer) m.data());
                  inside.decrementAndGet();
                }));
    List<Thread> emitters = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int emitter = t;
      emitters.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < 2000; i++) ch.emit("n", emitter * 10_000 + i);
                  }));
    }
    for (Thread t : emitters) t.join();
    await().until(() -> got.size() == 8000);
    assertThat(overlaps.get()).isZero();
    for (int t = 0; t < 4; t++) { // each emitter's messages arrive in the order it emitted them
      int emitter = t;
      assertThat(got.stream().filter(v -> v / 10_000 == emitter).toList()).hasSize(2000).isSorted();
    }
  }

  @Test
  void unsubscribeStopsDeliveryAndChannelUnsubscribeEndsAll() throws Exception {
    var ch = realtime.channel("room-123");
    var a = new Recorder<Object>();
    var b = new Recorder<Object>();
    Subscription sa = ch.subscribe(a.attach(Subscribe.toAll()));
    Subscription sb = ch.subscribe(b.attach(Subscribe.toAll()));
    ch.emit("n", 1);
    a.next();
    b.next();
    sa.unsubscribe();
    sa.unsubscribe(); // idempotent
    assertThat(sa.isActive()).isFalse();
    ch.emit("n", 2);
    assertThat(b.next().data()).isEqualTo(2);
    a.assertQuiet(Duration.ofMillis(100));
    realtime.channel("room-123").unsubscribe();
    assertThat(sb.isActive()).isFalse();
    ch.emit("n", 3);
    b.assertQuiet(Duration.ofMillis(100));
    assertThat(((RealRealtime) realtime).fanout().channelCount()).isZero();
  }

  @Test
  void asyncVariantsComplete() throws Exception {
    var ch = realtime.channel("async");
    CompletableFuture<String> id = ch.emitAsync("n", "x");
    CompletableFuture<String> onDefault = realtime.emitAsync("n", "y");
    assertThat(id.get(5, TimeUnit.SECONDS)).matches("\\d+-\\d+");
    assertThat(onDefault.get(5, TimeUnit.SECONDS)).matches("\\d+-\\d+");
    assertThat(ch.historyAsync(HistoryQuery.all()).get(5, TimeUnit.SECONDS)).hasSize(1);
    var rec = new Recorder<Object>();
    Subscription s =
        ch.subscribeAsync(rec.attach(Subscribe.toAll().history(true))).get(5, TimeUnit.SECONDS);
    assertThat(rec.next().data()).isEqualTo("x");
    s.close();
  }

  @Test
  void subscriptionsCanUseTheirOwnExecutor() {
    var ch = realtime.channel("exec");
    var executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "my-delivery"));
    try {
      LinkedBlockingQueue<String> threads = new LinkedBlockingQueue<>();
      ch.subscribe(
          Subscribe.toAll()
              .executor(executor)
              .onData(m -> threads.add(Thread.currentThread().getName())));
      ch.emit("n", 1);
      assertThat(poll(threads)).isEqualTo("my-delivery");
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void badSubscribeRequestsAreRejected() {
    var ch = realtime.channel("bad");
    assertThatThrownBy(() -> ch.subscribe(Subscribe.toAll()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("onData");
    assertThatThrownBy(() -> Subscribe.toAll().after("yesterday"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("<ms>-<seq>");
    assertThatThrownBy(() -> Subscribe.toAll().history(HistoryQuery.all().end(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("end");
    assertThatThrownBy(() -> ch.subscribe(Subscribe.to("bad name").onData(m -> {})))
        .isInstanceOf(InvalidNameException.class);
    assertThatThrownBy(() -> HistoryQuery.limit(0)).hasMessageContaining("limit < 1");
    assertThatThrownBy(() -> History.maxLength(0)).hasMessageContaining("maxLength < 1");
  }

  @Test
  void aClosedRealtimeRefusesWorkAndEndsSubscriptions() {
    Realtime rt = Realtime.create();
    var ch = rt.channel("x");
    Subscription s = ch.subscribe(Subscribe.toAll().onData(m -> {}));
    rt.close();
    rt.close(); // idempotent
    assertThat(s.isActive()).isFalse();
    assertThatThrownBy(() -> ch.emit("n", 1))
        .isInstanceOf(RealtimeClosedException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> ch.subscribe(Subscribe.toAll().onData(m -> {})))
        .isInstanceOf(RealtimeClosedException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(ch::history).isInstanceOf(RealtimeClosedException.class);
  }

  @Test
  void subscribingToAnExistingPositionOnAnEmptyChannelIsALostPosition() {
    var rec = new Recorder<Object>();
    realtime.channel("empty").subscribe(rec.attach(Subscribe.toAll().after("1-0")));
    assertThat(rec.nextError())
        .isInstanceOf(CursorUnavailableException.class)
        .hasMessageContaining("empty");
  }

  private static <T> T poll(LinkedBlockingQueue<T> queue) {
    try {
      T t = queue.poll(5, TimeUnit.SECONDS);
      assertThat(t).as("within 5 s").isNotNull();
      return t;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
