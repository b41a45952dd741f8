package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.EngineException;
import dev.realtime.History;
import dev.realtime.spi.Append;
import dev.realtime.spi.EntryId;
import dev.realtime.spi.Payload;
import java.nio.charset.StandardCharsets;
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

  final AtomicInteger executed = new AtomicInteger();
  final Executor countingExecutor =
      task -> {
        executed.incrementAndGet();
        task.run();
      };

  AppendBatcher batcher(int maxInFlight) {
    return new AppendBatcher(
        maxInFlight,
        64,
        "",
        new byte[0],
        (keys, args) -> {
          CompletableFuture<List<Object>> call = new CompletableFuture<>();
          calls.add(call);
          return call;
        },
        (what, error) -> new EngineException(what + " failed: " + error.getMessage(), error),
        countingExecutor);
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
}
