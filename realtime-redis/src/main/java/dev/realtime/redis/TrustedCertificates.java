package dev.realtime.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificates that {@code rediss://} connections trust instead of the JDK's trust store: the
 * CA of a managed Redis whose server certificate a private CA signed, or a self-signed server
 * certificate. Host names are still verified, as with the JDK's trust store.
 *
 * <p>The file is read and checked once, when the builder is given it: a wrong path or a file of the
 * wrong kind (a private key, a Java key store) fails there, naming the file, rather than as a
 * handshake error on every connection attempt. Later changes to the file are not seen.
 */
final class TrustedCertificates {
  static final String ACCEPTED =
      "a PEM file of X.509 certificates (-----BEGIN CERTIFICATE-----), like the CA certificate"
          + " a Redis provider publishes";

  private final Path file;
  private final TrustManagerFactory trustManagers;

  private TrustedCertificates(Path file, TrustManagerFactory trustManagers) {
    this.file = file;
    this.trustManagers = trustManagers;
  }

  static TrustedCertificates read(Path file) {
    Objects.requireNonNull(file, "pemFile");
    if (!Files.isRegularFile(file)) {
      String what =
          Files.isDirectory(file) ? "'" + file + "' is a directory" : "no file at '" + file + "'";
      throw new IllegalArgumentException("trustedCertificates: " + what + "; expected " + ACCEPTED);
    }
    Collection<? extends Certificate> certificates;
    try (InputStream in = Files.newInputStream(file)) {
      certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "trustedCertificates: cannot read '" + file + "' (" + e.getMessage() + ")", e);
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          "trustedCertificates: '"
              + file
              + "' holds no readable certificate ("
              + e.getMessage()
              + "); expected "
              + ACCEPTED,
          e);
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException(
          "trustedCertificates: '" + file + "' holds no certificate; expected " + ACCEPTED);
    }
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("trusted-" + n++, certificate);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return new TrustedCertificates(file, factory);
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a trust store from '" + file + "'", e);
    }
  }

  Path file() {
    return file;
  }

  TrustManagerFactory trustManagers() {
    return trustManagers;
  }
}
