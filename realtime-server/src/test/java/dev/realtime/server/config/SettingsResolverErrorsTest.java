package dev.realtime.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every value that cannot be used fails with one line naming it, where it was given, the setting
 * and what is accepted: the message is asserted whole, since it is what the user reads.
 */
class SettingsResolverErrorsTest {
  @TempDir Path dir;

  static final String DURATION = "a duration like 500ms, 30s, 15m, 1h, 7d or ISO-8601 like PT1H";

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "PORT | abc | port must be a number 0 to 65535",
        "PORT | 70000 | port must be a number 0 to 65535",
        "PORT | -1 | port must be a number 0 to 65535",
        "INSECURE | maybe | insecure must be true or false (or yes/no, 1/0)",
        "HEARTBEAT | 30 | heartbeat must be " + DURATION,
        "MAX_DURATION | forever | max-duration must be " + DURATION,
        "WRITE_DELAY | 5 | write-delay must be " + DURATION,
        "SHUTDOWN_TIMEOUT | 10 seconds | shutdown-timeout must be " + DURATION,
        "MAX_BUFFERED_BYTES | 1GB | max-buffered-bytes must be a size in bytes like 1048576,"
            + " 512KiB, 1MiB, 64KB or 1MB (at most 2147483647 bytes)",
        "MAX_REQUEST_BYTES | 4096MiB | max-request-bytes must be a size in bytes like 1048576,"
            + " 512KiB, 1MiB, 64KB or 1MB (at most 2147483647 bytes)",
        "IO_THREADS | -1 | io-threads must be a whole number up to 1024, 0 for two per core",
        "IO_THREADS | 100000000 | io-threads must be a whole number up to 1024, 0 for two per core",
        "REDIS | http://cache:6379 | redis must be a URL like"
            + " redis://[user:password@]host:port[/db], rediss:// for TLS, or"
            + " redis-sentinel://host:port[,host:port...]#master",
        "REDIS | redis:// | redis must be a URL like redis://[user:password@]host:port[/db],"
            + " rediss:// for TLS, or redis-sentinel://host:port[,host:port...]#master",
        "HISTORY_MAX_LENGTH | -1 | history-max-length must be a whole number of entries, 0 for"
            + " unlimited",
        "HISTORY_MAX_LENGTH | 10k | history-max-length must be a whole number of entries, 0 for"
            + " unlimited",
        "HISTORY_EXPIRE_AFTER | -PT1S | history-expire-after must be 0 for never, or a duration"
            + " from 1ms to 365000d, like 7d",
        "HISTORY_EXPIRE_AFTER | 400000d | history-expire-after must be 0 for never, or a"
            + " duration from 1ms to 365000d, like 7d",
        "HISTORY_EXPIRE_AFTER | week | history-expire-after must be " + DURATION
      })
  void aValueThatDoesNotParseIsNamedWithItsSourceAndTheAcceptedForm(
      Setting s, String value, String problem) throws IOException {
    assertFails(Map.of(s, value), Map.of(), null)
        .hasMessage("--" + s.key() + "=" + value + " (flag): " + problem);
    assertFails(Map.of(), Map.of(s.envVar(), value), null)
        .hasMessage(s.envVar() + "=" + value + " (environment): " + problem);
    Path file = yaml("# settings\n" + s.key() + ": '" + value + "'\n");
    assertFails(Map.of(), Map.of(), file)
        .hasMessage(s.key() + ": " + value + " (file " + file + ", line 2): " + problem);
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "HEARTBEAT | 5ms | heartbeat PT0.005S is under 10 ms: use 10 ms or more, or 0 for none",
        "MAX_DURATION | -PT1S | max duration PT-1S is negative",
        "WRITE_DELAY | 2s | write delay PT2S is out of range: give 0 to 1000 ms",
        "WRITE_DELAY | -PT1S | write delay PT-1S is out of range: give 0 to 1000 ms",
        "SHUTDOWN_TIMEOUT | -PT1S | shutdown timeout PT-1S is negative",
        "IDLE_TIMEOUT | PT0.05S | idle timeout PT0.05S is under 100 ms: use 100 ms or more, or 0 for no limit",
        "MAX_BUFFERED_BYTES | 100 | max buffered bytes 100 is under 4096",
        "MAX_REQUEST_BYTES | 1000 | max request bytes 1000 is under 1024",
        "ALLOWED_ORIGINS | ftp://files.example | allowed origin 'ftp://files.example' is not * or"
            + " scheme://host[:port] (like https://a.example)",
        "ALLOWED_ORIGINS | ' , ' | allowed origins is empty: list origins like"
            + " https://app.example.com, or * for all"
      })
  void whatServerConfigRefusesIsPrefixedWithTheSettingAndSource(
      Setting s, String value, String problem) {
    assertFails(Map.of(), Map.of(s.envVar(), value), null)
        .hasMessage(s.envVar() + "=" + value + " (environment): " + problem)
        .hasCauseInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anEmptyHostIsRefusedButAnEmptyVariableIsUnset() throws IOException {
    String problem = "host must be a host name or IP address, like 0.0.0.0";
    assertFails(Map.of(Setting.HOST, " "), Map.of(), null)
        .hasMessage("--host=  (flag): " + problem);
    Path file = yaml("host: ''\n");
    assertFails(Map.of(), Map.of(), file)
        .hasMessage("host:  (file " + file + ", line 1): " + problem);
    assertThat(SettingsResolver.resolve(Map.of(), Map.of("REALTIME_HOST", ""), null).sources())
        .containsEntry(Setting.HOST, "default");
  }

  @Test
  void aShortSecretIsRefusedWithoutShowingIt() {
    assertFails(Map.of(), Map.of("REALTIME_SECRET", "hunter2"), null)
        .hasMessage(
            "REALTIME_SECRET=**** (environment): the token secret is 7 bytes: HS256 needs at least"
                + " 32 (for example the output of 'openssl rand -base64 48')");
  }

  @Test
  void aBadRedisUrlIsShownWithoutItsPassword() {
    assertFails(Map.of(Setting.REDIS, "http://user:hunter2@cache:6379"), Map.of(), null)
        .hasMessageStartingWith("--redis=http://user:****@cache:6379 (flag): redis must be a URL");
    assertFails(Map.of(), Map.of("REALTIME_REDIS", "tcp://hunter2@cache"), null)
        .hasMessageStartingWith("REALTIME_REDIS=tcp://****@cache (environment)");
    // A mistyped "://", a password with '/' (base64 has them) or with '@': masked all the same.
    assertFails(Map.of(), Map.of("REALTIME_REDIS", "redis:/:hunter2@localhost:6379"), null)
        .hasMessageStartingWith("REALTIME_REDIS=redis:/:****@localhost:6379 (environment)");
    assertFails(Map.of(), Map.of("REALTIME_REDIS", "rediss-sentinal://:hun/ter2@h:26379#m"), null)
        .hasMessageStartingWith("REALTIME_REDIS=rediss-sentinal://:****@h:26379#m (environment)");
    assertFails(Map.of(), Map.of("REALTIME_REDIS", "http://u:p@ss@cache"), null)
        .hasMessageStartingWith("REALTIME_REDIS=http://u:****@cache (environment)");
  }

  @Test
  void theSummaryMasksAPasswordWithASlash() {
    ServeSettings s =
        SettingsResolver.resolve(
            Map.of(), Map.of("REALTIME_REDIS", "redis://:ab/cd@127.0.0.1:6379"), null);
    assertThat(s.summary()).contains("redis=redis://:****@127.0.0.1:6379").doesNotContain("ab/cd");
  }

  @Test
  void aKeyPrefixWithoutRedisIsAnError() {
    assertFails(Map.of(Setting.REDIS_KEY_PREFIX, "app:"), Map.of(), null)
        .hasMessage(
            "--redis-key-prefix=app: (flag): redis-key-prefix applies only to a Redis engine, and"
                + " no redis is set: set one (--redis or REALTIME_REDIS), or drop the prefix");
  }

  @Test
  void anUnresolvableHostNamesTheHostSetting() {
    assertFails(Map.of(Setting.HOST, "no-such-host.invalid"), Map.of(), null)
        .hasMessage(
            "--host=no-such-host.invalid (flag): host 'no-such-host.invalid' cannot be resolved");
  }

  @Test
  void aBadValueInAFileFoundThroughRealtimeConfigNamesTheFileAndLine() throws IOException {
    Path file = yaml("port: 8080\nheartbeat: often\n");
    assertFails(Map.of(), Map.of("REALTIME_CONFIG", file.toString()), null)
        .hasMessage("heartbeat: often (file " + file + ", line 2): heartbeat must be " + DURATION);
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(
      Map<Setting, String> flags, Map<String, String> env, Path file) {
    return assertThatThrownBy(() -> SettingsResolver.resolve(flags, env, file))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  private Path yaml(String content) throws IOException {
    Path file = Files.createTempFile(dir, "realtime", ".yaml");
    Files.writeString(file, content);
    return file;
  }
}
