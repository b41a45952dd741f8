package dev.realtime.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.History;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every setting, given as a flag, as an environment variable and in the YAML file, reaches the
 * field it sets, and {@link ServeSettings#sources()} says where it came from.
 */
class EverySettingTest {
  static final String SECRET = SettingsResolverTest.SECRET;

  @TempDir Path dir;

  enum Source {
    FLAG,
    ENVIRONMENT,
    FILE
  }

  /** A value for each setting that is not its default, and what it must resolve to. */
  record Sample(String text, Function<ServeSettings, Object> read, Object expected) {}

  static final Map<Setting, Sample> SAMPLES = new EnumMap<>(Setting.class);

  static {
    SAMPLES.put(Setting.HOST, new Sample("localhost", s -> s.server().host(), "localhost"));
    SAMPLES.put(Setting.PORT, new Sample("9001", s -> s.server().port(), 9001));
    SAMPLES.put(Setting.PAGES, new Sample("no", s -> s.server().pages(), false));
    SAMPLES.put(Setting.SECRET, new Sample(SECRET, s -> s.server().secret(), SECRET));
    SAMPLES.put(Setting.INSECURE, new Sample("yes", s -> s.server().insecure(), true));
    SAMPLES.put(
        Setting.ALLOWED_ORIGINS,
        new Sample(
            "https://a.example, https://b.example:8443",
            s -> s.server().allowedOrigins(),
            List.of("https://a.example", "https://b.example:8443")));
    SAMPLES.put(
        Setting.HEARTBEAT, new Sample("30s", s -> s.server().heartbeat(), Duration.ofSeconds(30)));
    SAMPLES.put(
        Setting.MAX_DURATION, new Sample("1h", s -> s.server().maxDuration(), Duration.ofHours(1)));
    SAMPLES.put(
        Setting.WRITE_DELAY,
        new Sample("20ms", s -> s.server().writeDelay(), Duration.ofMillis(20)));
    SAMPLES.put(
        Setting.SHUTDOWN_TIMEOUT,
        new Sample("PT2S", s -> s.server().shutdownTimeout(), Duration.ofSeconds(2)));
    SAMPLES.put(
        Setting.IDLE_TIMEOUT,
        new Sample("PT5S", s -> s.server().idleTimeout(), Duration.ofSeconds(5)));
    SAMPLES.put(
        Setting.MAX_BUFFERED_BYTES,
        new Sample("2MiB", s -> s.server().maxBufferedBytes(), 2 * 1024 * 1024));
    SAMPLES.put(
        Setting.MAX_REQUEST_BYTES, new Sample("64KB", s -> s.server().maxRequestBytes(), 64_000));
    SAMPLES.put(Setting.IO_THREADS, new Sample("3", s -> s.server().ioThreads(), 3));
    SAMPLES.put(
        Setting.REDIS,
        new Sample(
            "rediss://:pw@cache.example:6380",
            ServeSettings::redisUrl,
            "rediss://:pw@cache.example:6380"));
    SAMPLES.put(
        Setting.REDIS_KEY_PREFIX, new Sample("app:", ServeSettings::redisKeyPrefix, "app:"));
    SAMPLES.put(
        Setting.REDIS_CA_FILE,
        new Sample(
            "/etc/redis/ca.pem",
            ServeSettings::redisCaFile,
            java.nio.file.Path.of("/etc/redis/ca.pem")));
    SAMPLES.put(
        Setting.HISTORY_MAX_LENGTH, new Sample("0", ServeSettings::history, History.unlimited()));
    SAMPLES.put(
        Setting.HISTORY_EXPIRE_AFTER,
        new Sample(
            "7d",
            ServeSettings::history,
            History.maxLength(History.DEFAULT_MAX_LENGTH).expireAfter(Duration.ofDays(7))));
  }

  static Stream<Arguments> everySettingFromEverySource() {
    return Arrays.stream(Setting.values())
        .flatMap(s -> Arrays.stream(Source.values()).map(source -> Arguments.of(s, source)));
  }

  @ParameterizedTest(name = "{0} from {1}")
  @MethodSource("everySettingFromEverySource")
  void everySettingParsesFromEverySource(Setting setting, Source source) throws IOException {
    Sample sample = SAMPLES.get(setting);
    Map<Setting, String> flags = new EnumMap<>(Setting.class);
    Map<String, String> env = new HashMap<>();
    Path file = null;
    switch (source) {
      case FLAG -> flags.put(setting, sample.text());
      case ENVIRONMENT -> env.put(setting.envVar(), sample.text());
      case FILE -> file = yaml(setting.key() + ": '" + sample.text().replace("'", "''") + "'\n");
    }
    if (setting == Setting.REDIS_KEY_PREFIX) flags.put(Setting.REDIS, "redis://localhost:6379");
    if (setting == Setting.REDIS_CA_FILE) flags.put(Setting.REDIS, "rediss://localhost:6380");

    ServeSettings settings = SettingsResolver.resolve(flags, env, file);

    assertThat(sample.read().apply(settings)).isEqualTo(sample.expected());
    String origin =
        switch (source) {
          case FLAG -> "flag --" + setting.key();
          case ENVIRONMENT -> "environment REALTIME_" + setting.name();
          case FILE -> "file " + file;
        };
    assertThat(settings.sources()).containsEntry(setting, origin);
  }

  @Test
  void everySampleDiffersFromTheDefault() {
    ServeSettings defaults = SettingsResolver.resolve(Map.of(), Map.of(), null);
    SAMPLES.forEach(
        (s, sample) ->
            assertThat(sample.read().apply(defaults)).as(s.key()).isNotEqualTo(sample.expected()));
    assertThat(SAMPLES).hasSize(Setting.values().length);
  }

  private Path yaml(String content) throws IOException {
    Path file = Files.createTempFile(dir, "realtime", ".yaml");
    Files.writeString(file, content);
    return file;
  }
}
