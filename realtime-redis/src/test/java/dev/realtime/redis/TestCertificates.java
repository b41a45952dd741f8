package dev.realtime.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway CA ({@code ca.pem}) and a server certificate it signed ({@code server.pem}, key
 * {@code server.key}), made with the {@code openssl} command in a directory and valid for two days:
 * what a TLS {@code redis-server} of a test's own needs. EC P-256 keys, so making them takes
 * milliseconds. {@code scripts/test-deps.sh} installs openssl when it is missing.
 *
 * @param ca the CA certificate: what a client must trust
 * @param certificate the server's certificate, naming the subject alternative names it was made for
 * @param key the server's private key (unencrypted PEM)
 */
public record TestCertificates(Path ca, Path certificate, Path key) {

  /** For {@code 127.0.0.1} and {@code localhost}: what the tests connect to. */
  public static TestCertificates forLocalhost(Path dir) {
    return create(dir, "IP:127.0.0.1", "DNS:localhost");
  }

  /**
   * A CA and a server certificate for {@code subjectAltNames}, in openssl's spelling ({@code
   * IP:127.0.0.1}, {@code DNS:redis.example.com}).
   */
  public static TestCertificates create(Path dir, String... subjectAltNames) {
    try {
      Files.createDirectories(dir);
      // Run in dir, so file names are relative. -config /dev/null: nothing from the system's
      // openssl.cnf; every extension that matters is given here.
      String newKey = "-nodes -config /dev/null -newkey ec -pkeyopt ec_paramgen_curve:prime256v1";
      openssl(
          dir,
          "req -x509 -new "
              + newKey
              + " -keyout ca.key -out ca.pem -days 2 -subj /CN=realtime-test-ca"
              + " -addext basicConstraints=critical,CA:TRUE"
              + " -addext keyUsage=critical,keyCertSign,cRLSign");
      openssl(
          dir,
          "req -new " + newKey + " -keyout server.key -out server.csr -subj /CN=realtime-test");
      Files.writeString(
          dir.resolve("server.ext"),
          "subjectAltName="
              + String.join(",", subjectAltNames)
              + "\nextendedKeyUsage=serverAuth\n");
      openssl(
          dir,
          "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 2"
              + " -extfile server.ext -out server.pem");
      return new TestCertificates(
          dir.resolve("ca.pem"), dir.resolve("server.pem"), dir.resolve("server.key"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Runs {@code openssl} with {@code arguments} (separated by single spaces) in {@code dir}. */
  private static void openssl(Path dir, String arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(arguments.split(" ")));
    Path log = dir.resolve("openssl.log");
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "openssl not found: install it (apt-get install -y openssl); scripts/test-deps.sh does",
          e);
    }
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("openssl took over 30 s: " + command);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "openssl failed (exit "
              + process.exitValue()
              + "): "
              + command
              + "\n"
              + Files.readString(log));
    }
  }
}
