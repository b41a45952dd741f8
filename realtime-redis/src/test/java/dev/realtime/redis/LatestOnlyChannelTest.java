package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.realtime.Channel;
import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A channel that keeps only its latest event ({@code maxLength(1)}): each XADD trims the entry
 * before it, which the envelope's {@code prev} must still name, or a live subscriber sees a gap at
 * every event (and, without {@code onGap}, its subscription ends at the first).
 */
class LatestOnlyChannelTest {
  @Test
  void liveSubscribersOfALatestOnlyChannelGetEveryEventWithoutGaps() throws Exception {
    try (RedisServer server = RedisServer.start();
        Realtime realtime = Realtime.builder().engine(RedisEngine.connect(server.uri())).build()) {
      Channel ch = realtime.channel("latest", History.maxLength(1));
      ch.emit("n", 0);
      List<Object> got = new CopyOnWriteArrayList<>();
      List<Object> gaps = new CopyOnWriteArrayList<>();
      List<Object> errors = new CopyOnWriteArrayList<>();
      List<Object> gotWithoutOnGap = new CopyOnWriteArrayList<>();
      List<Object> endedWithout = new CopyOnWriteArrayList<>();
      List<Object> connected = new CopyOnWriteArrayList<>();
      ch.subscribe(
          Subscribe.toAll()
              .onStatus(connected::add)
              .onData(m -> got.add(m.data()))
              .onGap(gaps::add)
              .onError(errors::add));
      ch.subscribe(
          Subscribe.toAll()
              .onStatus(connected::add)
              .onData(m -> gotWithoutOnGap.add(m.data()))
              .onEnd(endedWithout::add));
      await().until(() -> connected.size() == 2);
      for (int i = 1; i <= 5; i++) {
        ch.emit("n", i);
        Thread.sleep(5); // a new millisecond: each id's sequence is 0, so prev comes from a read
      }
      await().until(() -> got.size() == 5 && gotWithoutOnGap.size() == 5);
      assertThat(got).containsExactly(1, 2, 3, 4, 5);
      assertThat(gotWithoutOnGap).containsExactly(1, 2, 3, 4, 5);
      assertThat(gaps).isEmpty();
      assertThat(errors).isEmpty();
      assertThat(endedWithout).isEmpty();
      assertThat(ch.history()).extracting(m -> m.data()).containsExactly(5);
    }
  }
}
