package dev.realtime.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.net.ConnectException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLHandshakeException;

/**
 * Why a first connection to Redis failed, said so that the reader knows what to change. The bare
 * causes name the mechanism, not the remedy: "NOAUTH HELLO must be called with the client already
 * authenticated", "PKIX path building failed", "Connection reset" (a plain client on a TLS port),
 * or a TLS handshake that never ends (a TLS client on a plain port, which waits for a line that
 * never comes). Credentials are never part of the text.
 */
final class ConnectFailure {
  private ConnectFailure() {}

  static String explain(
      Throwable error, RedisURI uri, TrustedCertificates trusted, Duration handshakeTimeout) {
    String scheme = uri.isSsl() ? "rediss://" : "redis://";
    for (Throwable c = error; c != null; c = c.getCause() == c ? null : c.getCause()) {
      String message = String.valueOf(c.getMessage());
      if (message.startsWith("Cannot provide redisAddress using sentinel")) {
        return "no Sentinel there knows a master named '"
            + uri.getSentinelMasterId()
            + "' (the name after # in redis-sentinel://host:port#name; SENTINEL MASTERS lists"
            + " them)";
      }
      if (c instanceof RedisCommandExecutionException && message.startsWith("WRONGPASS")) {
        return "the password in the URI, or its user name, was rejected (" + message + ")";
      }
      if (c instanceof RedisCommandExecutionException && message.startsWith("NOAUTH")) {
        return "Redis requires a password and the URI has none; give it as "
            + scheme
            + ":password@host:port, or "
            + scheme
            + "user:password@host:port for an ACL user";
      }
      if (c instanceof SslHandshakeTimeoutException) {
        return "no TLS handshake within "
            + handshakeTimeout.toMillis()
            + " ms: is port "
            + uri.getPort()
            + " a TLS port? (rediss:// needs one; use redis:// for a plain port)";
      }
      if (c instanceof SSLHandshakeException) return handshake(c, uri, trusted);
      if (!uri.isSsl() && !(c instanceof ConnectException) && closedByServer(message)) {
        return "Redis closed the connection at once ("
            + message
            + "); if port "
            + uri.getPort()
            + " is a TLS port, use rediss://";
      }
    }
    return deepestMessage(error);
  }

  private static String handshake(Throwable e, RedisURI uri, TrustedCertificates trusted) {
    String detail = e.getMessage();
    if (has(e, CertificateExpiredException.class)
        || has(e, CertificateNotYetValidException.class)) {
      return "the server's TLS certificate has expired or is not valid yet (" + detail + ")";
    }
    if (has(e, CertPathBuilderException.class) || has(e, CertPathValidatorException.class)) {
      // No chain to a trust anchor, or one to an anchor of the same name whose key did not sign it.
      return trusted == null
          ? "the server's TLS certificate is not signed by a CA that the JDK trusts; for a private"
              + " CA, trust its certificate with trustedCertificates(pemFile) ("
              + detail
              + ")"
          : "the server's TLS certificate is not signed by a CA in '"
              + trusted.file()
              + "' ("
              + detail
              + ")";
    }
    if (detail != null
        && (detail.contains("No subject alternative") || detail.contains("No name matching"))) {
      return "the server's TLS certificate is not for host "
          + uri.getHost()
          + "; connect by a name the certificate lists ("
          + detail
          + ")";
    }
    return "the TLS handshake failed (" + detail + ")";
  }

  private static boolean has(Throwable error, Class<? extends Throwable> type) {
    for (Throwable c = error; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) return true;
    }
    return false;
  }

  private static boolean closedByServer(String message) {
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("connection reset") || m.contains("connection closed");
  }

  private static String deepestMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) c = c.getCause();
    return String.valueOf(c.getMessage());
  }
}
