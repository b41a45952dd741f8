package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.HistoryMessage;
import dev.realtime.HistoryQuery;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * History reads with an {@code after} bound see everything Redis stores, also on a channel this
 * process follows: they are not a subscriber's cursor reads, which the feed may answer from its
 * tail, behind Redis by the Pub/Sub delay (an emit's own entry was missing from half of such reads,
 * and an entry stored without a publish from all).
 */
class HistoryAfterReadTest {

  @Test
  void anAfterReadSeesTheEntryJustEmittedWhileTheFeedLags() throws Exception {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      var ch = realtime.channel("c");
      ConcurrentLinkedQueue<Object> got = new ConcurrentLinkedQueue<>();
      ch.subscribe(Subscribe.toAll().onData(m -> got.add(m.data())));
      String first = ch.emit("n", 0);
      await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 1);
      int missed = 0;
      for (int i = 1; i <= 200; i++) {
        String id = ch.emit("n", i); // returns once Redis stored it
        List<HistoryMessage> after = ch.history(HistoryQuery.limit(1000).after(first));
        if (after.isEmpty() || !after.getLast().id().equals(id)) missed++;
      }
      List<HistoryMessage> plain = ch.history(HistoryQuery.limit(1000));
      assertThat(plain).hasSize(201);
      assertThat(missed).isZero();
    }
  }

  @Test
  void anAfterReadSeesEntriesStoredWithoutAPublish() throws Exception {
    try (RedisServer server = RedisServer.start();
        RedisEngine engine = RedisEngine.connect(server.uri());
        Realtime realtime = Realtime.builder().engine(engine).build();
        RedisClient client = RedisClient.create(server.uri());
        var connection = client.connect()) {
      var ch = realtime.channel("d");
      ConcurrentLinkedQueue<Object> got = new ConcurrentLinkedQueue<>();
      ch.subscribe(Subscribe.toAll().onData(m -> got.add(m.data())));
      String first = ch.emit("n", 0);
      ch.emit("n", 1);
      await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 2);
      String key = connection.sync().keys("*d*").getFirst();
      connection.sync().xadd(key, Map.of("event", "n", "data", "2"));
      List<HistoryMessage> single = ch.history(HistoryQuery.limit(1000));
      List<HistoryMessage> after = ch.history(HistoryQuery.limit(1000).after(first));
      assertThat(after).hasSize(single.size() - 1);
    }
  }
}
