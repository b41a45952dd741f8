package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.Channel;
import dev.realtime.EngineException;
import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A Redis user whose ACL refuses part of what the engine does: an emit is refused whole (never
 * stored without being published, never failing the other emits sent with it), and a channel whose
 * SUBSCRIBE is refused says so to its subscribers instead of waiting in silence.
 */
class RedisAclTest {

  @Test
  void anEmitThePublishOrExpiryOfWhichIsRefusedStoresNothingAndFailsAlone() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        var admin = client.connect()) {
      admin
          .sync()
          .aclSetuser(
              "limited",
              AclSetuserArgs.Builder.on()
                  .addPassword("pw")
                  .allKeys()
                  .channelPattern("ok*")
                  .allCommands()
                  .removeCommand(CommandType.PEXPIRE));
      String uri = "redis://limited:pw@127.0.0.1:" + server.port();
      try (Realtime realtime = Realtime.builder().engine(RedisEngine.connect(uri)).build()) {
        assertThatThrownBy(() -> realtime.channel("no").emit("n", 1))
            .isInstanceOf(EngineException.class)
            .hasMessageContaining("emit to channel 'no' failed")
            .hasMessageContaining("may not publish to the Pub/Sub channel no")
            .hasMessageContaining("&no");
        Channel expiring =
            realtime.channel("ok-expiring", History.DEFAULT.expireAfter(Duration.ofHours(1)));
        assertThatThrownBy(() -> expiring.emit("n", 1))
            .isInstanceOf(EngineException.class)
            .hasMessageContaining("may not run PEXPIRE on ok-expiring");
        assertThat(admin.sync().exists("no", "ok-expiring")).isZero();

        // Refused and allowed emits batched together: each allowed one is stored and answered.
        List<CompletableFuture<String>> ok = new ArrayList<>();
        List<CompletableFuture<String>> no = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
          ok.add(realtime.channel("ok").emitAsync("n", i));
          if (i % 50 == 0) no.add(realtime.channel("no").emitAsync("n", i));
        }
        CompletableFuture.allOf(ok.toArray(CompletableFuture[]::new)).join();
        assertThat(no).allMatch(CompletableFuture::isCompletedExceptionally);
        assertThat(admin.sync().xlen("ok")).isEqualTo(300);
        assertThat(admin.sync().exists("no")).isZero();
      }
    }
  }

  @Test
  void aChannelWhoseSubscribeIsRefusedTellsItsSubscribersAndRecoversOnceAllowed() {
    try (RedisServer server = RedisServer.start();
        RedisClient client = RedisClient.create(server.uri());
        var admin = client.connect()) {
      AclSetuserArgs user =
          AclSetuserArgs.Builder.on()
              .addPassword("pw")
              .allKeys()
              .channelPattern("other")
              .allCommands();
      admin.sync().aclSetuser("limited", user);
      String uri = "redis://limited:pw@127.0.0.1:" + server.port();
      try (Realtime realtime = Realtime.builder().engine(RedisEngine.connect(uri)).build()) {
        List<Object> got = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        realtime
            .channel("room")
            .subscribe(Subscribe.toAll().onData(m -> got.add(m.data())).onError(errors::add));
        await().until(() -> !errors.isEmpty());
        assertThat(errors.get(0))
            .isInstanceOf(EngineException.class)
            .hasMessageContaining("watching channel 'room' failed")
            .hasMessageContaining("refused to SUBSCRIBE")
            .hasMessageContaining("&room");

        // Granted: the engine's retries go through, and what was emitted meanwhile arrives.
        admin.sync().aclSetuser("limited", AclSetuserArgs.Builder.channelPattern("room"));
        admin.sync().xadd("room", "data", "1", "event", "n", "channel", "room");
        await().atMost(Duration.ofSeconds(15)).until(() -> got.size() == 1);
        realtime.channel("room").emit("n", 2);
        await().until(() -> got.size() == 2);
        assertThat(got).containsExactly(1, 2);
        assertThat(errors).hasSize(1);

        // One that subscribes now is not told of the refusal that is over.
        List<Object> laterGot = new CopyOnWriteArrayList<>();
        List<Throwable> laterErrors = new CopyOnWriteArrayList<>();
        realtime
            .channel("room")
            .subscribe(
                Subscribe.toAll().onData(m -> laterGot.add(m.data())).onError(laterErrors::add));
        realtime.channel("room").emit("n", 3);
        await().until(() -> laterGot.size() == 1);
        assertThat(laterErrors).isEmpty();
      }
    }
  }
}
