package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.realtime.Channel;
import dev.realtime.ConnectionStatus;
import dev.realtime.EngineException;
import dev.realtime.Gap;
import dev.realtime.HistoryMessage;
import dev.realtime.Message;
import dev.realtime.Realtime;
import dev.realtime.Subscribe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What pointing the engine at a managed Redis takes: {@code rediss://} with the provider's CA
 * trusted, passwords and ACL users in the URI, and every way of getting one of them wrong failing
 * at once with a message that says what to change. A TLS test server has no plain port, so anything
 * that works against it went over TLS.
 */
class RedisTlsAndAuthTest {
  /** Far below Lettuce's own 10 s handshake and 60 s command timeouts: a failure, not a hang. */
  private static final Duration FAST = Duration.ofSeconds(3);

  @Test
  void emitSubscribeAndHistoryWorkOverTlsWithTheCaTrusted() {
    try (RedisServer server = RedisServer.builder().tls().password("s3cret").start();
        RedisEngine engine =
            RedisEngine.builder("rediss://:s3cret@127.0.0.1:" + server.port())
                .trustedCertificates(server.caCertificate())
                .build();
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel channel = realtime.channel("tls");
      ConcurrentLinkedQueue<Message<Object>> received = new ConcurrentLinkedQueue<>();
      channel.subscribe(Subscribe.toAll().onData(received::add));
      List<String> ids = List.of(channel.emit("n", 1), channel.emit("n", 2), channel.emit("n", 3));
      await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 3);
      assertThat(received).extracting(Message::id).containsExactlyElementsOf(ids);
      assertThat(received).extracting(Message::data).containsExactly(1, 2, 3);
      assertThat(channel.history()).extracting(HistoryMessage::id).containsExactlyElementsOf(ids);
    }
  }

  @Test
  void aSubscriberOverTlsWithAPasswordCatchesUpAfterRedisRestarts() {
    // Lettuce reconnects the Pub/Sub connection by itself: the handshake and AUTH must come again.
    try (RedisServer server = RedisServer.builder().tls().user("app", "app-pw").start();
        RedisEngine engine =
            RedisEngine.builder("rediss://app:app-pw@localhost:" + server.port())
                .trustedCertificates(server.caCertificate())
                .build();
        Realtime realtime = Realtime.builder().engine(engine).build()) {
      Channel channel = realtime.channel("tls-restart");
      ConcurrentLinkedQueue<Object> received = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<ConnectionStatus> statuses = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Gap> gaps = new ConcurrentLinkedQueue<>();
      channel.subscribe(
          Subscribe.toAll()
              .onData(m -> received.add(m.data()))
              .onStatus(statuses::add)
              .onGap(gaps::add));
      String before = channel.emit("n", "before");
      await().until(() -> received.contains("before"));
      server.kill();
      await().until(() -> statuses.contains(ConnectionStatus.RECONNECTING));
      server.restart(); // empty, same certificate, same user
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> statuses.contains(ConnectionStatus.RECONNECTED));
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> channel.emit("n", "after") != null);
      await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("after"));
      // It came back empty: the stream it had read is gone, which is told (RedisRestartTest).
      assertThat(gaps).extracting(Gap::afterId).containsExactly(before);
    }
  }

  @Test
  void theRightPasswordWorksAloneOrWithAnAclUser() {
    try (RedisServer server =
        RedisServer.builder().password("default-pw").user("alice", "alice-pw").start()) {
      for (String uri :
          List.of(
              "redis://:default-pw@127.0.0.1:" + server.port(),
              "redis://alice:alice-pw@127.0.0.1:" + server.port())) {
        try (RedisEngine engine = RedisEngine.connect(uri);
            Realtime realtime = Realtime.builder().engine(engine).build()) {
          assertThat(realtime.channel("auth").emit("e", uri.length())).matches("\\d+-\\d+");
        }
      }
    }
  }

  @Test
  void aWrongPasswordOrUserFailsFastSayingSoWithoutEchoingIt() {
    try (RedisServer server =
        RedisServer.builder().tls().password("default-pw").user("alice", "alice-pw").start()) {
      for (String credentials : List.of(":wrong-pw", "alice:wrong-pw", "mallory:alice-pw")) {
        assertFailsFast(
                () ->
                    RedisEngine.builder("rediss://" + credentials + "@127.0.0.1:" + server.port())
                        .trustedCertificates(server.caCertificate())
                        .build())
            .hasMessageContaining("cannot connect to Redis at rediss://127.0.0.1:" + server.port())
            .hasMessageContaining("password in the URI, or its user name, was rejected")
            .hasMessageContaining("WRONGPASS")
            .hasMessageNotContaining("wrong-pw")
            .hasMessageNotContaining("mallory");
      }
    }
  }

  @Test
  void noPasswordWhenOneIsRequiredSaysWhereToPutIt() {
    try (RedisServer server = RedisServer.startWithPassword("s3cret")) {
      assertFailsFast(() -> RedisEngine.connect(server.uri()))
          .hasMessageContaining("cannot connect to Redis at redis://127.0.0.1:" + server.port())
          .hasMessageContaining("Redis requires a password and the URI has none")
          .hasMessageContaining("redis://:password@host:port");
    }
  }

  @Test
  void aServerCertificateFromAnUntrustedCaFailsFast() {
    try (RedisServer server = RedisServer.builder().tls().start();
        RedisServer other = RedisServer.builder().tls().start()) {
      // Not in the JDK's trust store, which is the default.
      assertFailsFast(() -> RedisEngine.connect(server.uri()))
          .hasMessageContaining("cannot connect to Redis at rediss://127.0.0.1:" + server.port())
          .hasMessageContaining("not signed by a CA that the JDK trusts")
          .hasMessageContaining("trustedCertificates(pemFile)");
      // Trusting one CA is not trusting every CA.
      assertFailsFast(
              () ->
                  RedisEngine.builder(server.uri())
                      .trustedCertificates(other.caCertificate())
                      .build())
          .hasMessageContaining("not signed by a CA in '" + other.caCertificate() + "'");
    }
  }

  @Test
  void theHostNameIsVerifiedUnlessTheUriSaysVerifyPeerCa() {
    try (RedisServer server = RedisServer.builder().tls("DNS:redis.example.invalid").start()) {
      // The right CA, but a certificate for another host: refused by default.
      assertFailsFast(
              () ->
                  RedisEngine.builder(server.uri())
                      .trustedCertificates(server.caCertificate())
                      .build())
          .hasMessageContaining("the server's TLS certificate is not for host 127.0.0.1");
      // Lettuce's verifyPeer=CA checks the chain only, for a server reached by another name.
      try (RedisEngine engine =
              RedisEngine.builder(server.uri() + "?verifyPeer=CA")
                  .trustedCertificates(server.caCertificate())
                  .build();
          Realtime realtime = Realtime.builder().engine(engine).build()) {
        assertThat(realtime.channel("ca-only").emit("e", 1)).matches("\\d+-\\d+");
      }
    }
  }

  @Test
  void theWrongSchemeForThePortFailsFastSayingWhichToUse() {
    try (RedisServer tls = RedisServer.builder().tls().start();
        RedisServer plain = RedisServer.start()) {
      assertFailsFast(() -> RedisEngine.connect("redis://127.0.0.1:" + tls.port()))
          .hasMessageContaining("cannot connect to Redis at redis://127.0.0.1:" + tls.port())
          .hasMessageContaining("is a TLS port, use rediss://");
      // Redis reads a TLS hello on a plain port as the start of a command line and waits for the
      // rest, so only the handshake timeout (the connect timeout) ends this one.
      assertFailsFast(
              () ->
                  RedisEngine.builder("rediss://127.0.0.1:" + plain.port())
                      .connectTimeout(Duration.ofMillis(500))
                      .build())
          .hasMessageContaining("cannot connect to Redis at rediss://127.0.0.1:" + plain.port())
          .hasMessageContaining("no TLS handshake within 500 ms")
          .hasMessageContaining("use redis:// for a plain port");
    }
  }

  @Test
  void aTrustedCertificatesFileIsCheckedWhenGivenAndOnlyWithTls(@TempDir Path dir)
      throws Exception {
    RedisEngine.Builder builder = RedisEngine.builder("rediss://127.0.0.1:1");
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> builder.trustedCertificates(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no file at '" + missing + "'")
        .hasMessageContaining("a PEM file of X.509 certificates (-----BEGIN CERTIFICATE-----)");
    assertThatThrownBy(() -> builder.trustedCertificates(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + dir + "' is a directory");
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    assertThatThrownBy(() -> builder.trustedCertificates(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + empty + "' holds no certificate")
        .hasMessageContaining("-----BEGIN CERTIFICATE-----");
    // The mistake most likely in practice: the key, or the wrong file of a set.
    TestCertificates certificates = TestCertificates.forLocalhost(dir.resolve("tls"));
    for (Path wrong : List.of(certificates.key(), Files.writeString(dir.resolve("x"), "junk"))) {
      assertThatThrownBy(() -> builder.trustedCertificates(wrong))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + wrong + "' holds no readable certificate")
          .hasMessageContaining("-----BEGIN CERTIFICATE-----");
    }
    // Given a CA for a plain redis:// URI, the user meant TLS: refuse rather than send in clear.
    assertThatThrownBy(
            () ->
                RedisEngine.builder("redis://127.0.0.1:1")
                    .trustedCertificates(certificates.ca())
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trustedCertificates('" + certificates.ca() + "') is for TLS")
        .hasMessageContaining("use rediss://");
  }

  @Test
  void aBadVerifyPeerSaysWhatIsAcceptedWithoutEchoingThePassword() {
    assertThatThrownBy(() -> RedisEngine.connect("rediss://:s3cret@127.0.0.1:1?verifyPeer=false"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("rediss://****@127.0.0.1:1?verifyPeer=false")
        .hasMessageContaining("verifyPeer must be FULL (the default), CA or NONE")
        .hasMessageNotContaining("s3cret");
  }

  /** Asserts that {@code connect} fails with {@link EngineException} well before any timeout. */
  private static AbstractThrowableAssert<?, ? extends Throwable> assertFailsFast(
      ThrowingCallable connect) {
    long start = System.nanoTime();
    var failure = assertThatThrownBy(connect).isInstanceOf(EngineException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(FAST);
    return failure;
  }
}
