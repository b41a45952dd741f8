package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.memory.MemoryEngine;
import dev.realtime.spi.Append;
import dev.realtime.spi.Payload;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a subscription, the codec and the history types do with what users can get wrong: callbacks
 * that throw errors, executors that refuse, mutable data, positions and ranges that cannot be.
 */
class RobustnessTest {
  final LinkedBlockingQueue<Throwable> hook = new LinkedBlockingQueue<>();
  final Realtime realtime = Realtime.builder().onError(hook::add).build();

  @AfterEach
  void close() {
    realtime.close();
  }

  static Object poll(LinkedBlockingQueue<Object> q, long ms) throws InterruptedException {
    return q.poll(ms, TimeUnit.MILLISECONDS);
  }

  // ---- An Error from onStatus / onGap / onEnd, or a StackOverflowError from onData, is reported
  // and delivery goes on (it used to leave the subscription "active" but dead).

  @Test
  void anErrorThrownByOnStatusMustNotKillDelivery() throws Exception {
    var told = new LinkedBlockingQueue<Object>();
    Subscription s =
        realtime
            .channel("c")
            .subscribe(
                Subscribe.toAll()
                    .onData(m -> told.add(m.data()))
                    .onError(told::add)
                    .onStatus(
                        st -> {
                          throw new AssertionError("onStatus failed on " + st);
                        })
                    .onEnd(told::add));
    realtime.channel("c").emit("e", 1);
    List<Object> got = new ArrayList<>();
    Object o;
    while (!got.contains(1) && (o = poll(told, 2000)) != null) got.add(o);
    s.unsubscribe();
    while (!got.contains(SubscriptionEnd.UNSUBSCRIBED) && (o = poll(told, 2000)) != null)
      got.add(o);
    assertThat(got)
        .as("the error of onStatus, message 1, and onEnd after unsubscribe")
        .hasSize(3)
        .contains(1)
        .endsWith(SubscriptionEnd.UNSUBSCRIBED)
        .anyMatch(SubscriberException.class::isInstance);
  }

  static int recurse(int n) {
    return recurse(n + 1) + 1;
  }

  @Test
  void aStackOverflowInOnDataMustNotKillDelivery() throws Exception {
    var told = new LinkedBlockingQueue<Object>();
    Subscription s =
        realtime
            .channel("c")
            .subscribe(
                Subscribe.toAll()
                    .onData(
                        m -> {
                          if (m.data().equals(1)) recurse(0); // a user's bug
                          told.add(m.data());
                        })
                    .onError(told::add)
                    .onEnd(told::add));
    realtime.channel("c").emit("e", 1);
    realtime.channel("c").emit("e", 2);
    List<Object> got = new ArrayList<>();
    Object o;
    while ((o = poll(told, 1500)) != null) got.add(o);
    s.unsubscribe();
    Object end = poll(told, 1500);
    System.out.println(
        "after StackOverflowError: told=" + got + " isActive=" + s.isActive() + " onEnd=" + end);
    assertThat(got).as("message 2 is delivered after onData overflowed on 1").contains(2);
    assertThat(end).as("onEnd after unsubscribe").isEqualTo(SubscriptionEnd.UNSUBSCRIBED);
  }

  @Test
  void anErrorThrownByOnGapMustNotKillDelivery() throws Exception {
    try (Realtime small =
        Realtime.builder().history(History.maxLength(2)).onError(hook::add).build()) {
      Channel ch = small.channel("g");
      String first = ch.emit("e", 0);
      for (int i = 1; i <= 5; i++) ch.emit("e", i);
      var told = new LinkedBlockingQueue<Object>();
      Subscription s =
          ch.subscribe(
              Subscribe.toAll()
                  .after(first)
                  .onData(m -> told.add(m.data()))
                  .onGap(
                      g -> {
                        throw new AssertionError("onGap failed");
                      })
                  .onEnd(told::add));
      List<Object> got = new ArrayList<>();
      Object o;
      while ((o = poll(told, 1500)) != null) got.add(o);
      System.out.println("after onGap threw an Error: told=" + got + " isActive=" + s.isActive());
      assertThat(got).as("messages 4, 5 after the gap (or the subscription ends)").isNotEmpty();
    }
  }

  // ---- Decoded values of mutable registered types are each reader's own.

  public record Order(List<String> items) {}

  @Test
  void aSubscriberMutatingItsMessageDoesNotChangeHistory() throws Exception {
    try (Realtime rt =
        Realtime.builder().schema(Schema.builder().event("order", Order.class).build()).build()) {
      Channel ch = rt.channel("orders");
      var seen = new LinkedBlockingQueue<Object>();
      ch.subscribe(
          Subscribe.to("order")
              .onData(
                  m -> {
                    ((Order) m.data()).items().add("injected-by-subscriber-A");
                    seen.add(m.data());
                  }));
      ch.emit("order", new Order(List.of("apple")));
      assertThat(poll(seen, 2000)).isNotNull();
      List<HistoryMessage> history = ch.history();
      System.out.println("history after A mutated its message: " + history);
      assertThat(((Order) history.get(0).data()).items())
          .as("stored order as emitted")
          .containsExactly("apple");
    }
  }

  // ---- expireAfter with a huge Duration.

  @Test
  void aVeryLongExpiryMustNotExpireAtOnce() {
    try (Realtime rt =
        Realtime.builder()
            .history(History.maxLength(100).expireAfter(History.MAX_EXPIRE_AFTER))
            .build()) {
      rt.channel("x").emit("e", 1);
      List<HistoryMessage> h = rt.channel("x").history();
      System.out.println("history with expireAfter(Long.MAX_VALUE ms): " + h);
      assertThat(h).as("the message just emitted").hasSize(1);
    }
  }

  @Test
  void anExpiryBeyondAThousandYearsIsRefusedWithTheLimit() {
    assertThatThrownBy(() -> History.maxLength(100).expireAfter(ChronoUnit.FOREVER.getDuration()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expireAfter")
        .hasMessageContaining("365000 days")
        .hasMessageContaining("leave expireAfter out");
    assertThatThrownBy(() -> History.maxLength(100).expireAfter(Duration.ofMillis(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- after(id) beyond the end of the log: what is emitted from then on comes after it.

  @Test
  void resumingAfterAnIdNewerThanTheLogDeliversWhatComesAfterItAndNoHistory() throws Exception {
    Channel ch = realtime.channel("r");
    String first = ch.emit("e", 1);
    long ms = Long.parseLong(first.split("-")[0]);
    // An id the log lost (a failover, say): newer than what it holds, older than what comes next.
    var told = new LinkedBlockingQueue<Object>();
    ch.subscribe(
        Subscribe.toAll()
            .after((ms + 1) + "-0")
            .onData(m -> told.add(m.data()))
            .onError(told::add)
            .onGap(told::add));
    Thread.sleep(5); // so the next id's time is past the resume id
    ch.emit("e", 2);
    assertThat(poll(told, 2000)).as("message 2, not history, not a gap").isEqualTo(2);
    assertThat(poll(told, 300)).isNull();
  }

  // ---- Data of a generic registered type is validated at emit, even when it is an instance of
  // the raw class.

  public record Progress(int progress) {}

  static List<Progress> PROGRESS_LIST;

  @Test
  void emitValidatesElementsOfAGenericType() throws Exception {
    Type listOfProgress = RobustnessTest.class.getDeclaredField("PROGRESS_LIST").getGenericType();
    try (Realtime rt =
        Realtime.builder()
            .schema(Schema.builder().event("steps", listOfProgress).build())
            .onError(hook::add)
            .build()) {
      Channel ch = rt.channel("jobs");
      var seen = new LinkedBlockingQueue<Object>();
      ch.subscribe(Subscribe.toAll().onData(m -> seen.add(m.data())).onError(seen::add));
      Throwable thrown = null;
      try {
        ch.emit("steps", List.of("not a progress", 42));
      } catch (RealtimeException e) {
        thrown = e;
      }
      Object delivered = poll(seen, 1500);
      System.out.println(
          "emit threw="
              + thrown
              + "; subscriber got="
              + delivered
              + "; history="
              + ch.history().size()
              + " (errors "
              + hook
              + ")");
      assertThat(thrown)
          .as("ValidationException for List<Progress>")
          .isInstanceOf(ValidationException.class);
    }
  }

  // ---- HistoryQuery with start after end is refused.

  @Test
  void aHistoryQueryWhoseStartIsAfterItsEndIsRejected() {
    assertThatThrownBy(() -> HistoryQuery.limit(10).start(2_000).end(1_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("start 2000 is after end 1000");
    assertThatThrownBy(() -> HistoryQuery.limit(10).end(1_000).start(2_000))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(HistoryQuery.limit(10).start(1_000).end(1_000).endMillis()).isEqualTo(1_000);
  }

  @Test
  void aHistoryQueryWithABadIdOrAnAfterNotBeforeItsBeforeIsRejected() {
    assertThatThrownBy(() -> HistoryQuery.limit(10).after("yesterday"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'yesterday' is not of the form <ms>-<seq>");
    assertThatThrownBy(() -> HistoryQuery.limit(10).before("1-2-3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'1-2-3'");
    assertThatThrownBy(() -> HistoryQuery.limit(10).after("5-1").before("5-1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("after 5-1 is not before before 5-1");
    assertThatThrownBy(() -> HistoryQuery.limit(10).before("5-0").after("6-0"))
        .isInstanceOf(IllegalArgumentException.class);
    HistoryQuery q = HistoryQuery.latest(7).after("5-1").before("9-0");
    assertThat(q.afterId()).isEqualTo("5-1");
    assertThat(q.beforeId()).isEqualTo("9-0");
    assertThat(q).isEqualTo(HistoryQuery.latest(7).before("9-0").after("5-1"));
    assertThat(q).hasToString("HistoryQuery{latest=7, after=5-1, before=9-0}");
    assertThat(q.withLimit(3)).isEqualTo(HistoryQuery.latest(3).after("5-1").before("9-0"));
    // A subscription's replay runs into live: no before; after has its own call.
    assertThatThrownBy(() -> Subscribe.toAll().history(q))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot have an end or a before");
    assertThatThrownBy(() -> Subscribe.toAll().history(HistoryQuery.latest(7).after("5-1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use Subscribe.after(\"5-1\")");
  }

  @Test
  void instantsBeyondTheMillisecondRangeAreBoundsNotOverflows() {
    // Instant.MAX.toEpochMilli() throws ArithmeticException: long overflow.
    assertThat(HistoryQuery.limit(10).end(java.time.Instant.MAX).endMillis())
        .isEqualTo(Long.MAX_VALUE);
    try (Realtime rt = Realtime.create()) {
      rt.channel("c").emit("e", 1);
      assertThat(rt.channel("c").history(HistoryQuery.limit(10).start(java.time.Instant.MAX)))
          .isEmpty();
    }
    assertThatThrownBy(() -> HistoryQuery.limit(10).start(java.time.Instant.MIN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is before 1970: a Unix time in milliseconds, 0 or later");
  }

  // ---- Filtered history replay over a long log pages in a loop, not by recursion.

  @Test
  void aFilteredReplayOverALongLogDoesNotOverflowTheStack() throws Exception {
    try (MemoryEngine engine = MemoryEngine.create();
        Realtime rt = Realtime.builder().engine(engine).history(History.unlimited()).build()) {
      Payload p = Payload.ofJson("1");
      int n = Integer.getInteger("n", 1_000_000);
      for (int i = 0; i < n; i++) {
        engine.append(new Append("big", i == 0 ? "rare" : "noise", p, History.unlimited()));
      }
      var got = new LinkedBlockingQueue<Object>();
      Throwable failed = null;
      try {
        rt.channel("big")
            .subscribe(Subscribe.to("rare").history(true).onData(m -> got.add(m.id())));
      } catch (Throwable t) {
        failed = t;
      }
      System.out.println(
          "filtered replay over "
              + n
              + " entries: failed="
              + failed
              + (failed == null ? "" : " cause=" + failed.getCause()));
      assertThat(failed).as("subscribing").isNull();
      assertThat(poll(got, 5000)).isNotNull();
    }
  }

  @Test
  void mutatingAHistoryResultDoesNotChangeWhatALaterSubscriberReceives() throws Exception {
    try (Realtime rt =
        Realtime.builder().schema(Schema.builder().event("order", Order.class).build()).build()) {
      Channel ch = rt.channel("orders");
      ch.emit("order", new Order(List.of("apple")));
      ((Order) ch.history().get(0).data()).items().clear(); // a reader's own copy, it thinks
      var seen = new LinkedBlockingQueue<Object>();
      ch.subscribe(Subscribe.to("order").history(true).onData(m -> seen.add(m.data())));
      Object replayed = poll(seen, 2000);
      System.out.println("replayed after a history() caller cleared its result: " + replayed);
      assertThat(((Order) replayed).items()).containsExactly("apple");
    }
  }

  public record Alert(String userId, String message) {}

  @Test
  void anUntypedRealtimeOnASharedEngineGetsPlainValues() throws Exception {
    try (MemoryEngine engine = MemoryEngine.create();
        Realtime typed =
            Realtime.builder()
                .engine(engine)
                .schema(Schema.builder().event("alert", Alert.class).build())
                .build();
        Realtime untyped = Realtime.builder().engine(engine).build()) {
      var seen = new LinkedBlockingQueue<Object>();
      untyped.channel("n").subscribe(Subscribe.toAll().onData(m -> seen.add(m.data())));
      typed.channel("n").emit("alert", new Alert("u1", "hi"));
      Object got = poll(seen, 2000);
      Object fromHistory = untyped.channel("n").history().get(0).data();
      System.out.println(
          "untyped subscriber got "
              + got.getClass().getName()
              + " "
              + got
              + "; untyped history got "
              + fromHistory.getClass().getName());
      assertThat(got)
          .as("plain Java value (a Map) for a Realtime without a schema")
          .isInstanceOf(java.util.Map.class);
    }
  }

  @Test
  void anExecutorThatThrowsFailsNeitherTheEmitNorOtherSubscriptions() throws Exception {
    Channel ch = realtime.channel("x");
    var calls = new java.util.concurrent.atomic.AtomicInteger();
    var failing =
        (java.util.concurrent.Executor)
            r -> {
              if (calls.getAndIncrement() == 0) Thread.ofVirtual().start(r); // starts fine
              else throw new IllegalStateException("executor is shut down"); // later closed
            };
    // subscription A: on an executor that fails (e.g. a framework's, closed)
    ch.subscribe(Subscribe.toAll().onData(m -> {}).executor(failing));
    Thread.sleep(200);
    var seen = new LinkedBlockingQueue<Object>();
    // subscription B: an ordinary one, registered after A
    ch.subscribe(Subscribe.toAll().onData(m -> seen.add(m.data())));
    Throwable emitFailure = null;
    try {
      ch.emit("e", 1);
    } catch (Throwable t) {
      emitFailure = t;
    }
    Object b = poll(seen, 1500);
    System.out.println(
        "emit threw "
            + emitFailure
            + "; stored anyway: "
            + ch.history().size()
            + "; other subscription got "
            + b);
    assertThat(emitFailure).as("emit of a stored message").isNull();
    assertThat(b).as("the other subscription's delivery").isEqualTo(1);
  }

  @Test
  void aSubscribeThatThrowsLeavesNoSubscriptionBehind() {
    Channel ch = realtime.channel("leak");
    java.util.concurrent.Executor failing =
        r -> {
          throw new IllegalStateException("executor is shut down");
        };
    Throwable thrown = null;
    try {
      ch.subscribe(Subscribe.toAll().onData(m -> {}).executor(failing));
    } catch (Throwable t) {
      thrown = t;
    }
    int left = ((dev.realtime.internal.RealRealtime) realtime).fanout().subscriptionCount("leak");
    System.out.println("subscribe threw " + thrown + "; subscriptions left registered: " + left);
    assertThat(left).as("registered subscriptions after a failed subscribe").isZero();
  }
}
