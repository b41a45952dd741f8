package dev.realtime.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.realtime.History;
import dev.realtime.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Precedence (flags, then environment, then file, then defaults), how the file is found, and the
 * rule against serving a public address without a secret.
 */
class SettingsResolverTest {
  static final String SECRET = "0123456789abcdef0123456789abcdef-secret";

  @TempDir Path dir;

  @Test
  void nothingGivenIsTheDefaultsOfServerConfigAndHistory() {
    ServeSettings settings = SettingsResolver.resolve(Map.of(), Map.of(), null);
    ServerConfig server = settings.server();
    ServerConfig expected = ServerConfig.defaults();
    assertThat(server).usingRecursiveComparison().isEqualTo(expected);
    assertThat(settings.redisUrl()).isNull();
    assertThat(settings.redisKeyPrefix()).isEmpty();
    assertThat(settings.history()).isEqualTo(History.DEFAULT);
    assertThat(settings.configFile()).isNull();
    assertThat(settings.sources())
        .hasSize(Setting.values().length)
        .containsOnlyKeys(Setting.values());
    assertThat(settings.sources().values()).containsOnly("default");
    assertThat(settings.summary()).isEqualTo("every setting at its default");
  }

  @Test
  void flagBeatsEnvironmentBeatsFileBeatsDefault() throws IOException {
    Path file =
        yaml(
            """
            port: 1003
            heartbeat: 30s
            max-duration: 1h
            history-max-length: 6
            io-threads: 4
            allowed-origins: [https://file.example, https://file2.example]
            """);
    Map<Setting, String> flags =
        Map.of(Setting.PORT, "1001", Setting.ALLOWED_ORIGINS, "https://flag.example");
    Map<String, String> env =
        Map.of(
            "REALTIME_PORT", "1002",
            "REALTIME_HEARTBEAT", "20s",
            "REALTIME_HISTORY_MAX_LENGTH", "5",
            "REALTIME_IO_THREADS", ""); // empty: unset, so the file's 4

    ServeSettings s = SettingsResolver.resolve(flags, env, file);

    assertThat(s.server().port()).isEqualTo(1001);
    assertThat(s.server().allowedOrigins()).containsExactly("https://flag.example");
    assertThat(s.server().heartbeat()).isEqualTo(Duration.ofSeconds(20));
    assertThat(s.history().maxLength()).isEqualTo(5);
    assertThat(s.server().maxDuration()).isEqualTo(Duration.ofHours(1));
    assertThat(s.server().ioThreads()).isEqualTo(4);
    assertThat(s.server().shutdownTimeout()).isEqualTo(ServerConfig.DEFAULT_SHUTDOWN_TIMEOUT);
    assertThat(s.sources())
        .containsEntry(Setting.PORT, "flag --port")
        .containsEntry(Setting.ALLOWED_ORIGINS, "flag --allowed-origins")
        .containsEntry(Setting.HEARTBEAT, "environment REALTIME_HEARTBEAT")
        .containsEntry(Setting.HISTORY_MAX_LENGTH, "environment REALTIME_HISTORY_MAX_LENGTH")
        .containsEntry(Setting.MAX_DURATION, "file " + file)
        .containsEntry(Setting.IO_THREADS, "file " + file)
        .containsEntry(Setting.SHUTDOWN_TIMEOUT, "default")
        .containsEntry(Setting.HOST, "default");
    assertThat(s.configFile()).isEqualTo(file);
    assertThat(s.summary())
        .startsWith("port=1001 (flag --port), allowed-origins=https://flag.example (flag")
        .endsWith("; 13 at their defaults");
  }

  @Test
  void aSentinelUrlIsARedisAndItsTlsFormTakesACaFile() throws IOException {
    String sentinel = "redis-sentinel://127.0.0.1:26379,127.0.0.1:26380#main";
    assertThat(SettingsResolver.resolve(Map.of(Setting.REDIS, sentinel), Map.of(), null).redisUrl())
        .isEqualTo(sentinel);
    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, "not checked here");
    ServeSettings tls =
        SettingsResolver.resolve(
            Map.of(
                Setting.REDIS,
                "rediss-sentinel://127.0.0.1:26379#main",
                Setting.REDIS_CA_FILE,
                ca.toString()),
            Map.of(),
            null);
    assertThat(tls.redisCaFile()).isEqualTo(ca);
  }

  @Test
  void realtimeConfigNamesTheFileWhenThereIsNoConfigFlag() throws IOException {
    Path file = yaml("port: 7001\n");
    ServeSettings s =
        SettingsResolver.resolve(Map.of(), Map.of("REALTIME_CONFIG", file.toString()), null);
    assertThat(s.server().port()).isEqualTo(7001);
    assertThat(s.sources()).containsEntry(Setting.PORT, "file " + file);
    assertThat(s.configFile()).isEqualTo(file);
  }

  @Test
  void theConfigFlagBeatsRealtimeConfig() throws IOException {
    Path file = yaml("port: 7002\n");
    Map<String, String> env = Map.of("REALTIME_CONFIG", dir.resolve("absent.yaml").toString());
    assertThat(SettingsResolver.resolve(Map.of(), env, file).server().port()).isEqualTo(7002);
  }

  @Test
  void aMissingFileNamedByRealtimeConfigIsAnErrorNamingIt() {
    Path absent = dir.resolve("absent.yaml");
    assertThatThrownBy(
            () ->
                SettingsResolver.resolve(
                    Map.of(), Map.of("REALTIME_CONFIG", absent.toString()), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("config file " + absent + " (from REALTIME_CONFIG) does not exist");
    assertThat(SettingsResolver.resolve(Map.of(), Map.of("REALTIME_CONFIG", ""), null).configFile())
        .isNull();
  }

  @Test
  void aPublicAddressWithoutSecretFailsNamingInsecure() {
    assertThatThrownBy(
            () -> SettingsResolver.resolve(Map.of(Setting.HOST, "0.0.0.0"), Map.of(), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--host=0.0.0.0 (flag): binding 0.0.0.0 without a token secret")
        .hasMessageContaining("--insecure")
        .hasMessageContaining("REALTIME_SECRET");
    assertThatThrownBy(
            () -> SettingsResolver.resolve(Map.of(), Map.of("REALTIME_HOST", "0.0.0.0"), null))
        .hasMessageStartingWith("REALTIME_HOST=0.0.0.0 (environment): binding 0.0.0.0");
  }

  @Test
  void aPublicAddressPassesWithInsecureOrASecret() throws IOException {
    ServeSettings insecure =
        SettingsResolver.resolve(
            Map.of(Setting.HOST, "0.0.0.0", Setting.INSECURE, "true"), Map.of(), null);
    assertThat(insecure.server().insecure()).isTrue();
    assertThat(insecure.server().authEnabled()).isFalse();

    ServeSettings secret =
        SettingsResolver.resolve(
            Map.of(Setting.HOST, "0.0.0.0"), Map.of("REALTIME_SECRET", SECRET), null);
    assertThat(secret.server().authEnabled()).isTrue();
    assertThat(secret.summary())
        .contains("secret=**** (environment REALTIME_SECRET)")
        .doesNotContain(SECRET);

    ServeSettings fromFile =
        SettingsResolver.resolve(Map.of(), Map.of(), yaml("host: 0.0.0.0\ninsecure: yes\n"));
    assertThat(fromFile.server().host()).isEqualTo("0.0.0.0");
  }

  @Test
  void theSummaryMasksTheRedisPassword() {
    ServeSettings s =
        SettingsResolver.resolve(
            Map.of(Setting.REDIS, "redis://user:hunter2@cache:6379/0"), Map.of(), null);
    assertThat(s.redisUrl()).isEqualTo("redis://user:hunter2@cache:6379/0");
    assertThat(s.summary())
        .isEqualTo("redis=redis://user:****@cache:6379/0 (flag --redis); 18 at their defaults");
  }

  @Test
  void yamlNumbersAndBooleansAreValues() throws IOException {
    Path file =
        yaml(
            """
            port: 9002
            insecure: false
            max-duration: 0
            max-buffered-bytes: 8192
            history-max-length: 20
            history-expire-after: 0
            secret:
            """);
    ServeSettings s = SettingsResolver.resolve(Map.of(), Map.of(), file);
    assertThat(s.server().port()).isEqualTo(9002);
    assertThat(s.server().insecure()).isFalse();
    assertThat(s.server().maxDuration()).isZero();
    assertThat(s.server().maxBufferedBytes()).isEqualTo(8192);
    assertThat(s.history()).isEqualTo(History.maxLength(20));
    assertThat(s.sources()).containsEntry(Setting.SECRET, "default");
  }

  Path yaml(String content) throws IOException {
    Path file = Files.createTempFile(dir, "realtime", ".yaml");
    Files.writeString(file, content);
    return file;
  }
}
