package dev.realtime.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.spi.EntryId;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Only the append script's exact envelope is taken as an entry; anything else is a wake-up. */
class PublishedEntryTest {
  private static final String CHANNEL = "room-1";

  private static PublishedEntry read(String message) {
    return read(message, CHANNEL);
  }

  private static PublishedEntry read(String message, String channel) {
    return read(message, channel, 0);
  }

  private static PublishedEntry read(String message, String channel, int database) {
    return PublishedEntry.read(
        message.getBytes(StandardCharsets.UTF_8),
        channel,
        channel.getBytes(StandardCharsets.UTF_8),
        RedisEngine.envelopeTail(database));
  }

  private static String envelope(
      String data, String event, String channel, String id, String prev) {
    return "{\"data\":"
        + data
        + ",\"event\":\""
        + event
        + "\",\"channel\":\""
        + channel
        + "\",\"id\":\""
        + id
        + "\",\"prev\":\""
        + prev
        + "\"}";
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1",
        "-0.5e3",
        "\"hello\"",
        "\"a \\\"quoted\\\" \\u00e9 word, with {braces}\"",
        "null",
        "true",
        "[]",
        "{}",
        "{\"nested\":{\"list\":[1,\"two\",{\"three\":3}],\"big\":123456789012345678901234}}",
        "\"ünïcödé 🎉\""
      })
  void theScriptsEnvelopeGivesTheEntryAndTheIdBeforeIt(String data) {
    PublishedEntry p = read(envelope(data, "chat.message", CHANNEL, "1732880000000-7", "1732-3"));
    assertThat(p).isNotNull();
    assertThat(p.entry().id()).isEqualTo(EntryId.parse("1732880000000-7"));
    assertThat(p.prev()).isEqualTo(EntryId.parse("1732-3"));
    assertThat(p.entry().event()).isEqualTo("chat.message");
    assertThat(p.entry().channel()).isEqualTo(CHANNEL);
    assertThat(new String(p.entry().data().json(), StandardCharsets.UTF_8)).isEqualTo(data);
  }

  @Test
  void theFirstEntryOfAStreamFollowsZero() {
    PublishedEntry p = read(envelope("1", "e", CHANNEL, "5-0", "0-0"));
    assertThat(p).isNotNull();
    assertThat(p.prev()).isEqualTo(EntryId.ZERO);
  }

  @Test
  void namesOutsideAsciiAreReadAsUtf8() {
    String channel = "salle-été/ß";
    PublishedEntry p = read(envelope("1", "événement", channel, "5-1", "5-0"), channel);
    assertThat(p).isNotNull();
    assertThat(p.entry().event()).isEqualTo("événement");
    assertThat(p.entry().channel()).isEqualTo(channel);
  }

  /** Pub/Sub spans databases, streams do not: an envelope chains only in its own database. */
  @Test
  void anEnvelopeChainsOnlyInTheDatabaseItWasWrittenTo() {
    String inZero = envelope("1", "e", CHANNEL, "5-1", "5-0");
    String inThree = inZero.substring(0, inZero.length() - 1) + ",\"db\":3}";
    assertThat(read(inZero, CHANNEL, 0)).isNotNull();
    assertThat(read(inThree, CHANNEL, 3)).isNotNull();
    assertThat(read(inZero, CHANNEL, 3)).isNull();
    assertThat(read(inThree, CHANNEL, 0)).isNull();
    assertThat(read(inThree, CHANNEL, 30)).isNull();
    assertThat(read(inThree.replace(":3}", ":30}"), CHANNEL, 3)).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // The original's envelope (no prev) and its pings: wake-ups.
        "{\"data\":1,\"event\":\"e\",\"channel\":\"room-1\",\"id\":\"5-1\"}",
        "{\"type\":\"ping\",\"timestamp\":1732880000000}",
        "not json at all",
        "",
        "{",
        // Another channel's envelope, or a name that JSON escaped (cjson writes / as \\/).
        "{\"data\":1,\"event\":\"e\",\"channel\":\"room-2\",\"id\":\"5-1\",\"prev\":\"5-0\"}",
        "{\"data\":1,\"event\":\"e\",\"channel\":\"room-10\",\"id\":\"5-1\",\"prev\":\"5-0\"}",
        "{\"data\":1,\"event\":\"a\\/b\",\"channel\":\"room-1\",\"id\":\"5-1\",\"prev\":\"5-0\"}",
        // Broken data, ids, order or layout.
        "{\"data\":{\"a\":},\"event\":\"e\",\"channel\":\"room-1\",\"id\":\"5-1\",\"prev\":\"5-0\"}",
        "{\"data\":tru,\"event\":\"e\",\"channel\":\"room-1\",\"id\":\"5-1\",\"prev\":\"5-0\"}",
        "{\"data\":1,\"event\":\"e\",\"channel\":\"room-1\",\"id\":\"x-1\",\"prev\":\"5-0\"}",
        "{\"data\":1,\"event\":\"e\",\"channel\":\"room-1\",\"id\":\"5-1\",\"prev\":\"5\"}",
        "{\"data\":1,\"event\":\"e\",\"channel\":\"room-1\",\"id\":\"5-1\",\"prev\":\"5-1\"}",
        "{\"data\":1,\"event\":\"e\",\"channel\":\"room-1\",\"id\":\"5-1\",\"prev\":\"6-0\"}",
        "{\"data\":1,\"event\":\"e\",\"channel\":\"room-1\",\"id\":\"5-1\",\"prev\":\"5-0\"} ",
        "{\"data\":1,\"event\":\"e\",\"channel\":\"room-1\",\"id\":\"5-1\",\"prev\":\"5-0\",\"x\":1}",
        "{\"data\":1,\"channel\":\"room-1\",\"event\":\"e\",\"id\":\"5-1\",\"prev\":\"5-0\"}",
        "{\"data\": 1,\"event\":\"e\",\"channel\":\"room-1\",\"id\":\"5-1\",\"prev\":\"5-0\"}",
        "{\"data\":1,\"event\":\"e\",\"channel\":\"room-1\",\"id\":\"5-1\",\"prev\":\"5-0\"",
        "{\"data\":1,\"event\":\"e\",\"channel\":\"room-1\",\"id\":\"5-1\",\"prev\":\"5-0",
        "{\"data\":1,\"event\":\"e\",\"channel\":\"room-1\""
      })
  void anythingElseIsOnlyAWakeUp(String message) {
    assertThat(read(message)).isNull();
  }

  @Test
  void anEnvelopeSaysTheKeysTimeToLiveAfterTheEmit() {
    String plain = envelope("1", "e", CHANNEL, "5-1", "5-0");
    String body = plain.substring(0, plain.length() - 1);
    assertThat(read(plain).ttl()).isEqualTo(PublishedEntry.TTL_UNKNOWN); // an earlier release's
    assertThat(read(body + ",\"ttl\":60000}").ttl()).isEqualTo(60_000);
    assertThat(read(body + ",\"ttl\":-1}").ttl()).isEqualTo(-1);
    assertThat(read(body + ",\"ttl\":0}").ttl()).isZero();
    assertThat(read(body + ",\"ttl\":60000}").prev()).isEqualTo(EntryId.parse("5-0"));
    String inOtherDb = body + ",\"ttl\":60000,\"db\":3}";
    assertThat(read(inOtherDb, CHANNEL, 3).ttl()).isEqualTo(60_000);
    assertThat(read(inOtherDb, CHANNEL, 0)).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "-5", "-10", "1.5", "\"60\"", "1234567890123456789", "null"})
  void aTimeToLiveOutOfTheScriptsLayoutMakesAWakeUp(String ttl) {
    String plain = envelope("1", "e", CHANNEL, "5-1", "5-0");
    assertThat(read(plain.substring(0, plain.length() - 1) + ",\"ttl\":" + ttl + "}")).isNull();
  }
}
