package dev.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.spi.EntryId;
import dev.realtime.spi.LogEntry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a transport (the server) builds on: raw entries, encode-once memos and time starts. */
class TransportSubscriptionTest {
  final LinkedBlockingQueue<Throwable> hook = new LinkedBlockingQueue<>();
  final Realtime realtime =
      Realtime.builder().history(History.maxLength(3)).onError(hook::add).build();

  @AfterEach
  void close() {
    realtime.close();
  }

  @Test
  void onEntryDeliversStoredEntriesThatAMemoEncodesOnceForEverySubscription() {
    var ch = realtime.channel("room");
    Object encoder = new Object();
    AtomicInteger encodings = new AtomicInteger();
    List<String> a = new CopyOnWriteArrayList<>();
    List<String> b = new CopyOnWriteArrayList<>();
    for (List<String> sink : List.of(a, b)) {
      ch.subscribe(
          Subscribe.toAll()
              .onEntry(
                  e ->
                      sink.add(
                          e.memo(
                              encoder,
                              entry -> {
                                encodings.incrementAndGet();
                                return entry.idText() + " " + entry.data().jsonText();
                              }))));
    }
    String id = ch.emit("note", "hi");
    await().until(() -> a.size() == 1 && b.size() == 1);
    assertThat(a).containsExactly(id + " \"hi\"");
    assertThat(b).isEqualTo(a);
    assertThat(encodings).hasValue(1);
  }

  @Test
  void onEntryForwardsUntypedDataWithoutDecodingIt() {
    var ch = realtime.channel("room");
    var seen = new LinkedBlockingQueue<LogEntry>();
    ch.subscribe(Subscribe.toAll().onEntry(seen::add));
    ch.emit("n", java.util.Map.of("nested", List.of(1, 2)));
    await().until(() -> seen.size() == 1);
    // Nothing was decoded and cached on the entry: history keeps the JSON bytes, not a tree of
    // them.
    Object nothingCached = new Object();
    assertThat(seen.peek().data().decode(Object.class, p -> nothingCached)).isSameAs(nothingCached);
    assertThat(seen.peek().data().jsonText()).isEqualTo("{\"nested\":[1,2]}");
  }

  @Test
  void onEntrySkipsAndReportsStoredDataThatDoesNotFitTheEventsRegisteredType() throws Exception {
    try (var engine = dev.realtime.memory.MemoryEngine.create();
        Realtime untyped = Realtime.builder().engine(engine).build();
        Realtime typed =
            Realtime.builder()
                .engine(engine)
                .schema(Schema.builder().event("count", Integer.class).build())
                .onError(hook::add)
                .build()) {
      var seen = new LinkedBlockingQueue<String>();
      typed
          .channel("room")
          .subscribe(Subscribe.toAll().onEntry(e -> seen.add(e.data().jsonText())));
      untyped.channel("room").emit("count", "not a number");
      untyped.channel("room").emit("count", 7);
      await().until(() -> seen.size() == 1);
      assertThat(List.copyOf(seen)).containsExactly("7");
      assertThat(hook.poll(5, java.util.concurrent.TimeUnit.SECONDS))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("has data that is not");
    }
  }

  @Test
  void onEntryAndOnDataTogetherAreRefused() {
    var ch = realtime.channel("room");
    assertThatThrownBy(() -> ch.subscribe(Subscribe.toAll().onData(m -> {}).onEntry(e -> {})))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("onData or onEntry");
  }

  @Test
  void sinceStartsAtTheFirstMessageOfThatMillisecondAndContinuesLive() throws Exception {
    var ch = realtime.channel("room");
    ch.emit("n", 1);
    Thread.sleep(3);
    String second = ch.emit("n", 2);
    long at = EntryId.parse(second).ms();
    var seen = new LinkedBlockingQueue<String>();
    ch.subscribe(Subscribe.toAll().since(at).onEntry(e -> seen.add(e.idText())));
    String third = ch.emit("n", 3);
    await().until(() -> seen.size() >= 2);
    assertThat(List.copyOf(seen)).containsExactly(second, third);
  }

  @Test
  void sinceATimeWhoseMessagesWereTrimmedIsAGap() throws Exception {
    var ch = realtime.channel("room");
    long start = System.currentTimeMillis();
    for (int i = 0; i < 5; i++) {
      ch.emit("n", i);
      Thread.sleep(2);
    }
    var gaps = new LinkedBlockingQueue<Gap>();
    var seen = new LinkedBlockingQueue<LogEntry>();
    ch.subscribe(Subscribe.toAll().since(start).onGap(gaps::add).onEntry(seen::add));
    await().until(() -> seen.size() == 3);
    assertThat(gaps).hasSize(1);
    assertThat(seen).extracting(e -> e.data().jsonText()).containsExactly("2", "3", "4");
  }

  @Test
  void sinceATimeAfterEverythingIsLiveOnlyAndNotAGap() throws Exception {
    var ch = realtime.channel("room");
    ch.emit("n", 1);
    var seen = new LinkedBlockingQueue<String>();
    ch.subscribe(
        Subscribe.toAll()
            .since(System.currentTimeMillis() + 5)
            .onGap(g -> seen.add("gap"))
            .onData(m -> seen.add(String.valueOf(m.data()))));
    assertThatThrownBy(() -> Subscribe.toAll().since(-1))
        .isInstanceOf(IllegalArgumentException.class);
    Thread.sleep(10);
    ch.emit("n", 2);
    await().until(() -> !seen.isEmpty());
    assertThat(List.copyOf(seen)).containsExactly("2");
    assertThat(hook).isEmpty();
  }
}
