package dev.realtime.server.config;

import dev.realtime.History;
import dev.realtime.server.ServerConfig;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What {@code ./realtime serve} was told, resolved and validated by {@link SettingsResolver}: the
 * HTTP side as a {@link ServerConfig}, the engine side as a Redis URL (or none) and a {@link
 * History}, and for every setting where its value came from. The engine is described, not
 * connected: connecting is the server's job, and resolving stays fast and free of I/O besides
 * reading the file.
 */
public final class ServeSettings {
  private final ServerConfig server;
  private final String redisUrl;
  private final String redisKeyPrefix;
  private final Path redisCaFile;
  private final History history;
  private final Path configFile;
  private final Map<Setting, String> sources;
  private final Map<Setting, String> shown;

  ServeSettings(
      ServerConfig server,
      String redisUrl,
      String redisKeyPrefix,
      Path redisCaFile,
      History history,
      Path configFile,
      Map<Setting, String> sources,
      Map<Setting, String> shown) {
    this.server = server;
    this.redisUrl = redisUrl;
    this.redisKeyPrefix = redisKeyPrefix;
    this.redisCaFile = redisCaFile;
    this.history = history;
    this.configFile = configFile;
    this.sources = Collections.unmodifiableMap(new EnumMap<>(sources));
    this.shown = shown.isEmpty() ? Map.of() : new EnumMap<>(shown);
  }

  /** The HTTP/SSE server's settings. */
  public ServerConfig server() {
    return server;
  }

  /** The Redis to use ({@code redis://} or {@code rediss://}), or null for the in-memory engine. */
  public String redisUrl() {
    return redisUrl;
  }

  /** The prefix of every Redis key; empty for none (and always empty without Redis). */
  public String redisKeyPrefix() {
    return redisKeyPrefix;
  }

  /** The PEM file of CA certificates to trust for {@code rediss://}, or null for the JDK's. */
  public Path redisCaFile() {
    return redisCaFile;
  }

  /** How much history each channel keeps. */
  public History history() {
    return history;
  }

  /** The YAML file that was read, or null when there was none. */
  public Path configFile() {
    return configFile;
  }

  /**
   * Where each setting's value came from, for every setting: {@code flag --port}, {@code
   * environment REALTIME_PORT}, {@code file realtime.yaml} or {@code default}.
   */
  public Map<Setting, String> sources() {
    return sources;
  }

  /**
   * One line for the startup log: each setting that is not at its default, its value and where it
   * came from, like {@code port=9000 (flag --port), secret=**** (environment REALTIME_SECRET)}. The
   * secret is never shown, nor the password of the Redis URL.
   */
  /**
   * How a setting was given, for an error about its value: {@code redis=redis://:****@host:6379
   * (environment REALTIME_REDIS)}, the secret and a Redis password masked as in {@link #summary}.
   */
  public String described(Setting s) {
    String value = shown.get(s);
    return s.key() + (value == null ? "" : "=" + value) + " (" + sources.get(s) + ")";
  }

  public String summary() {
    if (shown.isEmpty()) return "every setting at its default";
    StringJoiner line = new StringJoiner(", ");
    shown.forEach((s, value) -> line.add(s.key() + "=" + value + " (" + sources.get(s) + ")"));
    int defaults = Setting.values().length - shown.size();
    return line + (defaults == 0 ? "" : "; " + defaults + " at their defaults");
  }

  @Override
  public String toString() {
    return "ServeSettings{" + summary() + "}";
  }
}
