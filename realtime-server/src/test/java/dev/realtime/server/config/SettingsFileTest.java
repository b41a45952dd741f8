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
import org.junit.jupiter.params.provider.ValueSource;

/** The YAML file: its shape, and every way it can be wrong, reported with the file and line. */
class SettingsFileTest {
  static final String KEYS =
      "host, port, pages, secret, insecure, allowed-origins, heartbeat, max-duration,"
          + " write-delay, shutdown-timeout, idle-timeout, max-buffered-bytes, max-request-bytes, io-threads, redis,"
          + " redis-key-prefix, redis-ca-file, history-max-length, history-expire-after";

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "allowed-origins: [https://a.example, https://b.example]\n",
        "allowed-origins:\n  - https://a.example\n  - https://b.example\n",
        "allowed-origins: https://a.example,https://b.example\n",
        "allowed-origins: 'https://a.example , https://b.example'\n"
      })
  void allowedOriginsIsAListOrACommaSeparatedString(String yaml) throws IOException {
    assertThat(resolve(yaml).server().allowedOrigins())
        .containsExactly("https://a.example", "https://b.example");
  }

  @Test
  void aListOfOneOriginIsOneOrigin() throws IOException {
    assertThat(resolve("allowed-origins: ['*']\n").server().allowedOrigins()).containsExactly("*");
  }

  @Test
  void anEmptyFileOrOneOfCommentsSetsNothing() throws IOException {
    assertThat(resolve("").sources().values()).containsOnly("default");
    assertThat(resolve("# nothing yet\n").sources().values()).containsOnly("default");
  }

  @ParameterizedTest
  @ValueSource(strings = {"port:\n", "port: null\n", "port: ~\n"})
  void everyYamlNullCountsAsNotSet(String yaml) throws IOException {
    assertThat(resolve(yaml).sources().get(Setting.PORT)).isEqualTo("default");
  }

  @Test
  void aQuotedTildeIsTheTextTilde() throws IOException {
    assertThat(resolve("redis: redis://h:6379\nredis-key-prefix: \"~\"\n").redisKeyPrefix())
        .isEqualTo("~");
    assertThat(resolve("redis: redis://h:6379\nredis-key-prefix: '~'\n").redisKeyPrefix())
        .isEqualTo("~");
  }

  @Test
  void anUnknownKeyIsNamedWithTheClosestKnownOneAndTheWholeList() throws IOException {
    Path file = yaml("port: 8080\nprot: 8081\n");
    assertFails(file)
        .hasMessage(
            "config file "
                + file
                + ", line 2: unknown setting 'prot' (did you mean port?);"
                + " the settings are "
                + KEYS);
  }

  @Test
  void otherSpellingsOfAKeyAreRecognised() {
    assertThat(SettingsFile.guesses("maxDuration")).containsExactly("max-duration");
    assertThat(SettingsFile.guesses("HISTORY_MAX_LENGTH")).containsExactly("history-max-length");
    assertThat(SettingsFile.guesses("heartbeet")).containsExactly("heartbeat");
    assertThat(SettingsFile.guesses("history"))
        .containsExactly("history-max-length", "history-expire-after");
    assertThat(SettingsFile.guesses("tls")).isEmpty();
  }

  @Test
  void nestedKeysAreRefusedPointingAtTheFlatOnes() throws IOException {
    Path nested = yaml("history:\n  max-length: 5\n");
    assertFails(nested)
        .hasMessageStartingWith(
            "config file "
                + nested
                + ", line 1: unknown setting 'history' (did you mean"
                + " history-max-length or history-expire-after?); settings are flat keys, not"
                + " nested mappings; the settings are host, port,");
    Path redis = yaml("port: 1\nredis:\n  url: redis://cache:6379\n");
    assertFails(redis)
        .hasMessage(
            "config file "
                + redis
                + ", line 2: redis takes one value, not a mapping (settings are"
                + " flat keys)");
  }

  @Test
  void aListForAnyOtherSettingIsRefused() throws IOException {
    Path file = yaml("port: [8080, 8081]\n");
    assertFails(file)
        .hasMessage(
            "config file "
                + file
                + ", line 1: port takes one value, not a list (only"
                + " allowed-origins takes a list)");
    Path nested = yaml("allowed-origins:\n  - [https://a.example]\n");
    assertFails(nested).hasMessageContaining("line 1: allowed-origins is a list of lists");
  }

  @Test
  void aKeySetTwiceIsRefused() throws IOException {
    Path file = yaml("port: 1\nhost: localhost\nport: 2\n");
    assertFails(file)
        .hasMessage(
            "config file " + file + ", line 3: port is set twice (first on line 1): keep one");
  }

  @Test
  void aSyntaxErrorNamesTheFileAndLine() throws IOException {
    Path file = yaml("port: [1\nhost: x\n");
    assertFails(file)
        .hasMessage(
            "config file "
                + file
                + ", line 2: not valid YAML: while parsing a flow sequence;"
                + " expected ',' or ']', but got :");
    Path indented = yaml("port: 1\n  host: x: y\n");
    assertFails(indented)
        .hasMessage(
            "config file "
                + indented
                + ", line 2: not valid YAML: mapping values are not allowed"
                + " here");
  }

  @Test
  void aSecondDocumentIsRefusedNotDropped() throws IOException {
    Path file = yaml("port: 18748\n---\nport: 18749\nsecret: short\n");
    assertFails(file)
        .hasMessage(
            "config file "
                + file
                + ", line 3: a second YAML document (after ---); put every setting in one");
    assertThat(SettingsFile.read(yaml("---\nport: 1\n---\n"), "--config")).hasSize(1);
  }

  @Test
  void aFileThatIsNoMappingIsRefused() throws IOException {
    Path list = yaml("- port\n- 8080\n");
    assertFails(list)
        .hasMessage(
            "config file "
                + list
                + " must be a mapping of settings, like 'port: 8080' on each"
                + " line; it starts with a list");
    Path scalar = yaml("8080\n");
    assertFails(scalar).hasMessageEndingWith("it starts with a single value");
  }

  @Test
  void aliasesAreRefused() throws IOException {
    Path file = yaml("port: &p 8080\nmax-request-bytes: *p\n");
    assertFails(file)
        .hasMessage(
            "config file "
                + file
                + ", line 2: max-request-bytes is a YAML alias (*name); write the"
                + " value itself");
  }

  @Test
  void aMissingFileOrADirectoryIsNamed() throws IOException {
    Path absent = dir.resolve("absent.yaml");
    assertThatThrownBy(() -> SettingsResolver.resolve(Map.of(), Map.of(), absent))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("config file " + absent + " (from --config) does not exist");
    assertThatThrownBy(() -> SettingsResolver.resolve(Map.of(), Map.of(), dir))
        .hasMessage(
            "config file " + dir + " (from --config) is a directory: give the path of a YAML file");
  }

  @Test
  void aFileThatIsNotUtf8IsNamed() throws IOException {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, new byte[] {'h', 'o', 's', 't', ':', ' ', (byte) 0xE9, '\n'});
    assertThatThrownBy(() -> SettingsResolver.resolve(Map.of(), Map.of(), file))
        .hasMessage("config file " + file + " (from --config) is not UTF-8 text");
  }

  private ServeSettings resolve(String yaml) throws IOException {
    return SettingsResolver.resolve(Map.of(), Map.of(), yaml(yaml));
  }

  private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(Path file) {
    return assertThatThrownBy(() -> SettingsResolver.resolve(Map.of(), Map.of(), file))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  private Path yaml(String content) throws IOException {
    Path file = Files.createTempFile(dir, "realtime", ".yaml");
    Files.writeString(file, content);
    return file;
  }
}
