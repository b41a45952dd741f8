package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The shared reader's bounded tail: cursors inside it read from memory, the others from Redis. */
class ChannelFeedTest {

  @Test
  void aSubscriberFarBehindTheTailCatchesUpFromTheStreamInOrder() throws Exception {
    int total = ChannelFeed.TAIL_CAPACITY + 2_000; // more than the tail holds
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime =
            Realtime.builder().engine(engine).history(History.maxLength(100_000)).build()) {
      var ch = realtime.channel("long-tail");
      CountDownLatch release = new CountDownLatch(1);
      ConcurrentLinkedQueue<Integer> slow = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Integer> fast = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
      ch.subscribe(
          Subscribe.toAll()
              .onError(errors::add)
              .onData(
                  m -> {
                    try {
                      release.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    slow.add((Integer) m.data());
                  }));
      ch.subscribe(
          Subscribe.toAll().onError(errors::add).onData(m -> fast.add((Integer) m.data())));
      List<java.util.concurrent.CompletableFuture<String>> ids = new ArrayList<>();
      for (int i = 0; i < total; i++) ids.add(ch.emitAsync("n", i));
      for (var id : ids) id.join();
      await().atMost(Duration.ofSeconds(30)).until(() -> fast.size() == total);
      release.countDown();
      await().atMost(Duration.ofSeconds(30)).until(() -> slow.size() == total);
      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < total; i++) expected.add(i);
      assertThat(new ArrayList<>(fast)).containsExactlyElementsOf(expected);
      assertThat(new ArrayList<>(slow)).containsExactlyElementsOf(expected);
      assertThat(errors).isEmpty();
    }
  }

  @Test
  void subscriptionsAreToldTheyAreConnectedFirst() {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      ConcurrentLinkedQueue<Object> seen = new ConcurrentLinkedQueue<>();
      realtime
          .channel("status")
          .subscribe(Subscribe.toAll().onStatus(seen::add).onData(m -> seen.add(m.data())));
      realtime.channel("status").emit("n", "first");
      await().until(() -> seen.size() == 2);
      assertThat(seen).containsExactly(dev.realtime.ConnectionStatus.CONNECTED, "first");
    }
  }
}
