package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.EngineException;
import dev.realtime.History;
import dev.realtime.spi.Append;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.Payload;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Where the batcher completes emits, with a Redis stand-in whose replies the test gives by hand: a
 * lone blocking emit on the thread that completes the call, everything else on the executor.
 */
class AppendBatcherTest {
  /** The calls sent so far, each a reply the test completes. */
  final List<CompletableFuture<List<Object>>> calls = new ArrayList<>();

  /** How many events each call carried. */
  final List<Integer> callSizes = new ArrayList<>();

  final AtomicInteger executed = new AtomicInteger();
  final Executor countingExecutor =
      task -> {
        executed.incrementAndGet();
        task.run();
      };

  /** Makes the batcher's failure mapping throw, as a bug in it would. */
  volatile boolean failureThrows;

  AppendBatcher batcher(int maxInFlight) {
    return batcher(maxInFlight, RedisEngine.Builder.DEFAULT_MAX_BACKLOG_BYTES);
  }

  AppendBatcher batcher(int maxInFlight, long maxBacklogBytes) {
    return new AppendBatcher(
        maxInFlight,
        64,
        maxBacklogBytes,
        "",
        new byte[0],
        (keys, args) -> {
          CompletableFuture<List<Object>> call = new CompletableFuture<>();
          calls.add(call);
          callSizes.add(keys.length);
          return call;
        },
        (what, error) -> {
          if (failureThrows) throw new IllegalStateException("the failure mapping broke");
          return new EngineException(what + " failed: " + error.getMessage(), error);
        },
        countingExecutor,
        1_000_000); // blocking emits on platform threads may spin 1 ms
  }

  static Append append(String channel) {
    return new Append(channel, "n", Payload.ofJson("1"), History.unlimited());
  }

  static List<Object> ids(String... ids) {
    List<Object> reply = new ArrayList<>();
    for (String id : ids) reply.add(id.getBytes(StandardCharsets.UTF_8));
    return reply;
  }

  @Test
  void aLoneBlockingEmitCompletesOnTheThreadThatCompletesTheCall() {
    AppendBatcher batcher = batcher(4);
    CompletableFuture<EntryId> emit = batcher.append(append("a"), true);
    assertThat(calls).hasSize(1);
    calls.get(0).complete(ids("5-0"));
    assertThat(emit).isCompletedWithValue(EntryId.parse("5-0"));
    assertThat(executed).hasValue(0);
  }

  @Test
  void anEmitSomeoneMayContinueFromCompletesOnTheExecutor() {
    AppendBatcher batcher = batcher(4);
    CompletableFuture<EntryId> emit = batcher.append(append("a"), false);
    calls.get(0).complete(ids("5-0"));
    assertThat(emit).isCompletedWithValue(EntryId.parse("5-0"));
    assertThat(executed).hasValue(1);
  }

  @Test
  void aBlockingEmitWithAnotherQueuedBehindItLetsTheExecutorCompleteItAndSendTheNext() {
    AppendBatcher batcher = batcher(1);
    CompletableFuture<EntryId> first = batcher.append(append("a"), true);
    CompletableFuture<EntryId> second = batcher.append(append("b"), true); // waits: 1 in flight
    assertThat(calls).hasSize(1);
    calls.get(0).complete(ids("5-0"));
    assertThat(first).isCompletedWithValue(EntryId.parse("5-0"));
    assertThat(executed).hasValue(1);
    assertThat(calls).hasSize(2); // the queued emit went out
    calls.get(1).complete(ids("6-0"));
    assertThat(second).isCompletedWithValue(EntryId.parse("6-0"));
    assertThat(executed).hasValue(1); // alone by then: completed where its reply arrived
  }

  static Append append(String channel, int dataBytes) {
    String json = "\"" + "x".repeat(dataBytes - 2) + "\"";
    return new Append(channel, "n", Payload.ofJson(json), History.unlimited());
  }

  @Test
  void emitsThatWouldPassTheBacklogBoundFailAtOnceAndTheRoomComesBackAsEmitsComplete() {
    Append kb = append("a", 1000);
    long each = AppendBatcher.bytes(kb);
    assertThat(each).isEqualTo(1000 + 2 * 2 + AppendBatcher.BOOKKEEPING_BYTES);
    AppendBatcher batcher = batcher(1, 3 * each);
    CompletableFuture<EntryId> sent = batcher.append(kb, false); // in flight
    CompletableFuture<EntryId> q1 = batcher.append(kb, false); // queued behind it
    CompletableFuture<EntryId> q2 = batcher.append(kb, false);
    CompletableFuture<EntryId> refused = batcher.append(kb, false);
    assertThat(batcher.backlogBytes()).isEqualTo(3 * each);
    assertThat(calls).hasSize(1); // the refused emit was never sent
    assertThatThrownBy(refused::join)
        .hasCauseInstanceOf(EngineException.class)
        .hasMessageContaining("emit to channel 'a' refused: " + 3 * each + " bytes of emits")
        .hasMessageContaining("maxBacklogBytes (" + 3 * each + ")")
        .hasMessageContaining("nothing of it was stored");
    calls.get(0).complete(ids("5-0"));
    assertThat(sent).isCompletedWithValue(EntryId.parse("5-0"));
    assertThat(batcher.backlogBytes()).isEqualTo(2 * each);
    CompletableFuture<EntryId> taken = batcher.append(kb, false); // room again
    assertThat(calls).hasSize(2);
    calls.get(1).completeExceptionally(new IllegalStateException("connection lost"));
    assertThatThrownBy(q1::join).hasCauseInstanceOf(EngineException.class); // failures free room
    assertThat(batcher.backlogBytes()).isEqualTo(each);
    calls.get(2).complete(ids("6-0"));
    assertThat(taken).isCompletedWithValue(EntryId.parse("6-0"));
    assertThat(batcher.backlogBytes()).isZero();
  }

  @Test
  void anEmitLargerThanTheBoundIsTakenWhenNothingElseWaits() {
    AppendBatcher batcher = batcher(1, 100);
    CompletableFuture<EntryId> big = batcher.append(append("a", 5000), false);
    CompletableFuture<EntryId> next = batcher.append(append("a", 10), false);
    assertThat(next).isCompletedExceptionally();
    calls.get(0).complete(ids("5-0"));
    assertThat(big).isCompletedWithValue(EntryId.parse("5-0"));
    assertThat(batcher.backlogBytes()).isZero();
  }

  @Test
  void aReplyThatIsNotAnIdFailsTheEmitInsteadOfLeavingItsEmitterWaiting() {
    AppendBatcher batcher = batcher(1);
    CompletableFuture<EntryId> lone = batcher.append(append("a"), true);
    calls.get(0).complete(ids("not an id"));
    assertThatThrownBy(lone::join)
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(EngineException.class)
        .hasMessageContaining("not an entry id");
    // A short reply fails the emits it has no id for, and the next emit still goes out.
    CompletableFuture<EntryId> a = batcher.append(append("a"), false);
    CompletableFuture<EntryId> b = batcher.append(append("b"), false); // queued behind a
    calls.get(1).complete(List.of());
    assertThatThrownBy(a::join).hasCauseInstanceOf(EngineException.class);
    assertThat(calls).hasSize(3);
    calls.get(2).complete(ids("7-0"));
    assertThat(b).isCompletedWithValue(EntryId.parse("7-0"));
  }

  @Test
  void onlyABlockingEmitSentWithNothingElseUnderWayMaySpinForItsReply() {
    AppendBatcher batcher = batcher(1);
    CompletableFuture<EntryId> lone = batcher.append(append("a"), true);
    CompletableFuture<EntryId> queued = batcher.append(append("b"), true); // behind the first
    CompletableFuture<EntryId> async = batcher.append(append("c"), false);
    assertThat(lone)
        .isInstanceOfSatisfying(AwaitedEmit.class, e -> assertThat(e.isAlone()).isTrue());
    assertThat(async).isNotInstanceOf(AwaitedEmit.class); // others continue from it: no spinning
    calls.get(0).complete(ids("5-0"));
    assertThat(lone).isCompletedWithValue(EntryId.parse("5-0"));
    // The queued blocking emit went out together with the async one: not alone.
    assertThat(calls).hasSize(2);
    assertThat(queued)
        .isInstanceOfSatisfying(AwaitedEmit.class, e -> assertThat(e.isAlone()).isFalse());
    calls.get(1).complete(ids("6-0", "7-0"));
    assertThat(queued).isCompletedWithValue(EntryId.parse("6-0"));

    AppendBatcher four = batcher(4);
    CompletableFuture<EntryId> first = four.append(append("a"), true);
    CompletableFuture<EntryId> beside = four.append(append("b"), true); // sent while one is out
    assertThat(calls).hasSize(4);
    assertThat(((AwaitedEmit) first).isAlone()).isTrue();
    assertThat(((AwaitedEmit) beside).isAlone()).isFalse();
  }

  @Test
  void aBlockingEmitOnAVirtualThreadOrWithSpinningOffGetsAPlainFuture() throws Exception {
    AppendBatcher batcher = batcher(4);
    CompletableFuture<CompletableFuture<EntryId>> fromVirtual = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> fromVirtual.complete(batcher.append(append("a"), true))).join();
    assertThat(fromVirtual.join()).isNotInstanceOf(AwaitedEmit.class);
    AppendBatcher off =
        new AppendBatcher(
            4,
            64,
            RedisEngine.Builder.DEFAULT_MAX_BACKLOG_BYTES,
            "",
            new byte[0],
            (k, a) -> new CompletableFuture<>(),
            (w, e) -> null,
            r -> {},
            0);
    assertThat(off.append(append("a"), true)).isNotInstanceOf(AwaitedEmit.class);
  }

  @Test
  void spinningStopsForAHundredLoneEmitsAfterWaitsThatOutlastTheBudgetThenTriesAgain() {
    AwaitedEmit.Spinning spinning = new AwaitedEmit.Spinning(10_000); // 10 µs
    CompletableFuture<Object> never = new CompletableFuture<>();
    int missesToRunOut = AwaitedEmit.Spinning.MAX_CREDIT / AwaitedEmit.Spinning.MISS_COST;
    for (int i = 0; i < missesToRunOut; i++) spinning.await(never);
    assertThat(spinning.spins()).isEqualTo(missesToRunOut);
    assertThat(spinning.misses()).isEqualTo(missesToRunOut);
    for (int i = 0; i < AwaitedEmit.Spinning.SKIP; i++) spinning.await(never);
    assertThat(spinning.spins()).as("no spin while skipping").isEqualTo(missesToRunOut);
    spinning.await(never);
    assertThat(spinning.spins()).as("then it tries again").isEqualTo(missesToRunOut + 1);

    // A reply that is there in time earns credit: one miss among hits never stops spinning.
    AwaitedEmit.Spinning steady = new AwaitedEmit.Spinning(10_000);
    CompletableFuture<Object> done = CompletableFuture.completedFuture("5-0");
    for (int i = 0; i < 1000; i++) steady.await(i % 5 == 0 ? never : done);
    assertThat(steady.spins()).isEqualTo(1000);
    assertThat(steady.misses()).isEqualTo(200);

    AwaitedEmit.Spinning off = new AwaitedEmit.Spinning(0);
    off.await(never);
    assertThat(off.spins()).isZero();
  }

  @Test
  void aLoneEmitterSpinsOnAPlatformThreadButAVirtualThreadParksAtOnce() throws Exception {
    for (boolean virtual : new boolean[] {false, true}) {
      AwaitedEmit.Spinning spinning = new AwaitedEmit.Spinning(1_000_000);
      AwaitedEmit emit = new AwaitedEmit(spinning);
      emit.sentAlone();
      CompletableFuture<EntryId> joined = new CompletableFuture<>();
      Runnable waiter = () -> joined.complete(emit.join());
      Thread t = virtual ? Thread.ofVirtual().start(waiter) : Thread.ofPlatform().start(waiter);
      // Parked: a platform thread after its 1 ms spin missed, a virtual one at once.
      await().until(() -> t.getState() == Thread.State.WAITING);
      emit.complete(EntryId.parse("5-0"));
      t.join();
      assertThat(joined).isCompletedWithValue(EntryId.parse("5-0"));
      assertThat(spinning.spins()).as("virtual: %s", virtual).isEqualTo(virtual ? 0 : 1);
    }
  }

  @Test
  void aLoneEmitterGetsItsReplyWhileSpinningAndStopsSpinningWhenOthersStart() throws Exception {
    // The fast path: the reply comes while the emitter spins (a 5 s budget cannot run out here).
    AwaitedEmit.Spinning spinning = new AwaitedEmit.Spinning(5_000_000_000L);
    AwaitedEmit emit = new AwaitedEmit(spinning);
    emit.sentAlone();
    CompletableFuture<EntryId> joined = new CompletableFuture<>();
    Thread t = Thread.ofPlatform().start(() -> joined.complete(emit.join()));
    await().until(() -> spinning.spins() == 1);
    emit.complete(EntryId.parse("5-0"));
    t.join();
    assertThat(joined).isCompletedWithValue(EntryId.parse("5-0"));
    assertThat(spinning.misses()).isZero();
    assertThat(t.getState()).isEqualTo(Thread.State.TERMINATED);

    // Others under way: the emitter parks at once, without counting a miss.
    AwaitedEmit.Spinning crowded = new AwaitedEmit.Spinning(5_000_000_000L, () -> true);
    long start = System.nanoTime();
    crowded.await(new CompletableFuture<>());
    assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
    assertThat(crowded.misses()).isZero();
  }

  @Test
  void anEmitterSpinningAloneStopsWhenTheBatcherSendsAnotherEmit() throws Exception {
    AppendBatcher slowSpin =
        new AppendBatcher(
            4,
            64,
            RedisEngine.Builder.DEFAULT_MAX_BACKLOG_BYTES,
            "",
            new byte[0],
            (keys, args) -> {
              CompletableFuture<List<Object>> call = new CompletableFuture<>();
              calls.add(call);
              return call;
            },
            (what, error) -> new EngineException(what, error),
            countingExecutor,
            5_000_000_000L); // 5 s: only another emit can end this spin before the reply
    CompletableFuture<EntryId> lone = slowSpin.append(append("a"), true);
    CompletableFuture<EntryId> joined = new CompletableFuture<>();
    Thread t = Thread.ofPlatform().start(() -> joined.complete(lone.join()));
    await().until(() -> t.getState() == Thread.State.RUNNABLE); // spinning (or about to)
    slowSpin.append(append("b"), false); // a second call goes out: the spinner parks
    await()
        .atMost(Duration.ofSeconds(3)) // far inside the 5 s budget
        .until(() -> t.getState() == Thread.State.WAITING);
    calls.get(0).complete(ids("5-0"));
    t.join();
    assertThat(joined).isCompletedWithValue(EntryId.parse("5-0"));
  }

  @Test
  void emittersWokenByACallEmitAgainIntoOneCallNotOneEach() {
    AppendBatcher batcher = batcher(1);
    batcher.append(append("a"), true); // call 0
    List<CompletableFuture<EntryId>> woken = new ArrayList<>();
    woken.add(batcher.append(append("b"), true)); // queued behind call 0
    woken.add(batcher.append(append("c"), true));
    calls.get(0).complete(ids("1-0"));
    assertThat(callSizes).containsExactly(1, 2); // b and c went out together
    // Like blocking emitters, each emits again as soon as its emit completes.
    for (CompletableFuture<EntryId> emit : woken) {
      emit.thenRun(() -> batcher.append(append("again"), true));
    }
    calls.get(1).complete(ids("2-0", "3-0"));
    // The call kept its slot while they emitted again: their next emits share one call, instead
    // of the first going out alone and the second waiting behind it. (Here they run inside the
    // completion; emitters on other threads get one yield of it, which the benchmark measures.)
    assertThat(callSizes).containsExactly(1, 2, 2);
  }

  @Test
  void aCompletionThatThrowsStillGivesItsSlotBackAndSendsWhatWaits() {
    AppendBatcher batcher = batcher(1);
    batcher.append(append("a"), true); // call 0
    CompletableFuture<EntryId> b = batcher.append(append("b"), true); // queued
    calls.get(0).complete(ids("1-0")); // b goes out: call 1
    assertThat(calls).hasSize(2);
    failureThrows = true;
    CompletableFuture<EntryId> c = batcher.append(append("c"), true); // queued behind call 1
    calls.get(1).completeExceptionally(new RuntimeException("connection reset"));
    // Mapping b's failure threw: b failed all the same, its slot came back and c went out.
    assertThat(b)
        .failsWithin(Duration.ZERO)
        .withThrowableThat()
        .havingCause()
        .isInstanceOf(EngineException.class)
        .withMessageContaining("connection reset");
    assertThat(calls).hasSize(3);
    failureThrows = false;
    calls.get(2).complete(ids("2-0"));
    assertThat(c).isCompletedWithValue(EntryId.parse("2-0"));
    assertThat(batcher.append(append("d"), true)).isNotDone();
    assertThat(calls).hasSize(4);
  }
}
