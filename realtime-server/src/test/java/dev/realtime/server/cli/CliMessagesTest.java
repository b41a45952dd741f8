package dev.realtime.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the command line says when something is wrong, and SSE input it must take as a browser
 * would.
 */
class CliMessagesTest {

  /**
   * README: a bad value stops serve "with one line naming the value, where it was given". A Redis
   * URL from REALTIME_REDIS that the engine refuses is blamed on a --redis flag never given.
   */
  @Test
  void aRedisUrlFromTheEnvironmentIsReportedAsSuch() {
    Map<String, String> before = ServeCommand.env;
    ServeCommand.env = Map.of("REALTIME_REDIS", "redis://127.0.0.1:99999");
    try {
      CliRun run = CliRun.of("serve", "--port", "0");
      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.errorLine()).contains("REALTIME_REDIS").doesNotContain("--redis:");
    } finally {
      ServeCommand.env = before;
    }
  }

  /** --redis-ca-file with redis:// names the Java builder method, blamed on --redis. */
  @Test
  void aCaFileWithoutTlsNamesTheOption(@TempDir Path dir) throws Exception {
    Path pem = dir.resolve("ca.pem");
    Files.writeString(pem, anyCertificatePem());
    CliRun run =
        CliRun.of(
            "emit",
            "--redis",
            "redis://127.0.0.1:1",
            "--redis-ca-file",
            pem.toString(),
            "c",
            "e",
            "1");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errorLine()).contains("--redis-ca-file").doesNotContain("trustedCertificates(");
    // Lettuce's other spellings of TLS are TLS too: the CA file is taken (the connection then
    // fails, nothing listens on port 1).
    for (String tls : List.of("redis+tls", "redis+ssl")) {
      CliRun other =
          CliRun.of(
              "emit",
              "--redis",
              tls + "://127.0.0.1:1",
              "--redis-ca-file",
              pem.toString(),
              "c",
              "e",
              "1");
      assertThat(other.errorLine()).as(tls).doesNotContain("applies only to TLS");
    }
  }

  /** Jackson's internal location text ends up in the user's error line. */
  @Test
  void aBadJsonArgumentIsExplainedWithoutJacksonInternals() {
    CliRun run = CliRun.of("emit", "--url", "http://127.0.0.1:1", "c", "e", "{\"a\":1");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errorLine()).doesNotContain("REDACTED").doesNotContain("StreamReadFeature");
  }

  /**
   * WHATWG SSE: the decoder strips one leading BOM. Here it glues onto the first field name, so
   * that field is dropped: a first frame "data: <event>" then "id: ..." is acknowledged unprinted.
   */
  @Test
  void aLeadingByteOrderMarkIsStripped() {
    SseParser parser = new SseParser();
    assertThat(parser.line("\uFEFFdata: x")).isNull();
    assertThat(parser.line("id: 6-0")).isNull();
    assertThat(parser.line("")).isEqualTo(new SseParser.Frame("6-0", "x"));
  }

  static String anyCertificatePem() throws Exception {
    TrustManagerFactory f =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init((KeyStore) null);
    X509TrustManager tm = (X509TrustManager) f.getTrustManagers()[0];
    X509Certificate c = List.of(tm.getAcceptedIssuers()).get(0);
    return "-----BEGIN CERTIFICATE-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(c.getEncoded())
        + "\n-----END CERTIFICATE-----\n";
  }
}
