package dev.realtime.server.auth;

import dev.realtime.server.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** The HS256 key both {@link TokenMinter} and {@link TokenVerifier} are made from, checked once. */
final class HmacSecret {
  private HmacSecret() {}

  /**
   * The UTF-8 bytes of {@code secret}.
   *
   * @throws IllegalArgumentException when they are fewer than {@link ServerConfig#MIN_SECRET_BYTES}
   *     (RFC 7518: an HS256 key has at least 256 bits)
   */
  static byte[] bytes(String secret) {
    Objects.requireNonNull(secret, "secret");
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < ServerConfig.MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "the token secret is "
              + bytes.length
              + " bytes: HS256 needs at least "
              + ServerConfig.MIN_SECRET_BYTES
              + " (for example the output of 'openssl rand -base64 48')");
    }
    return bytes;
  }
}
