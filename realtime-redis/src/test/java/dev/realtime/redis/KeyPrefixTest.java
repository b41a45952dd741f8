package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.HistoryMessage;
import dev.realtime.Message;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * {@code keyPrefix} puts a channel's stream and Pub/Sub channel under the prefix, while events keep
 * their own channel name; engines with different prefixes on one Redis never see each other.
 */
class KeyPrefixTest {

  @Test
  void aPrefixedEngineStoresAndPublishesUnderThePrefixAndStaysApartFromOthers() {
    try (RedisServer server = RedisServer.start();
        Realtime app =
            Realtime.builder()
                .engine(RedisEngine.builder(server.uri()).keyPrefix("app:").build())
                .build();
        Realtime appAgain =
            Realtime.builder()
                .engine(RedisEngine.builder(server.uri()).keyPrefix("app:").build())
                .build();
        Realtime other =
            Realtime.builder()
                .engine(RedisEngine.builder(server.uri()).keyPrefix("other:").build())
                .build();
        Realtime bare = Realtime.builder().engine(RedisEngine.connect(server.uri())).build();
        RedisClient client = RedisClient.create(server.uri());
        var connection = client.connect()) {
      ConcurrentLinkedQueue<Message<Object>> live = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Object> elsewhere = new ConcurrentLinkedQueue<>();
      appAgain.channel("room").subscribe(Subscribe.toAll().onData(live::add));
      other.channel("room").subscribe(Subscribe.toAll().onData(m -> elsewhere.add(m.data())));
      bare.channel("room").subscribe(Subscribe.toAll().onData(m -> elsewhere.add(m.data())));

      String first = app.channel("room").emit("n", 1);
      await().until(() -> live.size() == 1);
      connection.sync().configResetstat();
      String second = app.channel("room").emit("n", 2);
      await().until(() -> live.size() == 2);

      assertThat(live).extracting(Message::id).containsExactly(first, second);
      assertThat(live).extracting(Message::channel).containsOnly("room");
      assertThat(live).extracting(Message::data).containsExactly(1, 2);
      // The second came from its envelope on the prefixed Pub/Sub channel, without a read.
      assertThat(connection.sync().info("commandstats")).doesNotContain("xinfo");

      List<StreamMessage<String, String>> stored =
          connection.sync().xrange("app:room", Range.create("-", "+"));
      assertThat(stored).extracting(StreamMessage::getId).containsExactly(first, second);
      assertThat(stored.get(0).getBody())
          .isEqualTo(Map.of("data", "1", "event", "n", "channel", "room"));
      assertThat(connection.sync().exists("room", "other:room")).isZero();

      assertThat(appAgain.channel("room").history())
          .extracting(HistoryMessage::id)
          .containsExactly(first, second);
      assertThat(other.channel("room").history()).isEmpty();
      assertThat(bare.channel("room").history()).isEmpty();
      other.channel("room").emit("n", "other");
      await().until(() -> elsewhere.contains("other"));
      assertThat(elsewhere).containsExactly("other");
      assertThat(live).hasSize(2);
    }
  }
}
