package dev.realtime.server.config;

import dev.realtime.History;
import dev.realtime.server.ServerConfig;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Decides every setting of {@code ./realtime serve} from, in this order, the command-line flags,
 * the {@code REALTIME_*} environment variables, the YAML file (given by {@code --config}, else by
 * {@code REALTIME_CONFIG}) and the defaults. Each setting is taken whole from the first place that
 * has it: an {@code allowed-origins} flag replaces the file's list rather than adding to it.
 *
 * <p>It fails on the first problem with an {@link IllegalArgumentException} whose message is one
 * line that names the value, where it was written and what is accepted ({@link SettingValue}): the
 * CLI prints it as is. The values are handed to {@link ServerConfig.Builder} and checked by it, so
 * its rules (like no secret on a public address only with {@code --insecure}) hold here too.
 *
 * <p>An empty environment variable counts as unset, as {@code docker run -e NAME=} and Compose's
 * {@code ${NAME:-}} produce them; an empty flag or YAML string is a value (and usually an error).
 */
public final class SettingsResolver {
  /** The environment variable naming the YAML file when there is no {@code --config}. */
  public static final String CONFIG_ENV = "REALTIME_CONFIG";

  private static final String REDIS_URL =
      "a URL like redis://[user:password@]host:port[/db], rediss:// for TLS, or"
          + " redis-sentinel://host:port[,host:port...]#master";

  private SettingsResolver() {}

  /**
   * Resolves the settings.
   *
   * @param flags the flags given, without their {@code --}; a flag without a value (like {@code
   *     --insecure}) is {@code "true"}
   * @param env the environment, usually {@link System#getenv()}
   * @param configFile the file of {@code --config}, or null to use {@code REALTIME_CONFIG} (or no
   *     file when that is unset too)
   * @throws IllegalArgumentException naming the offending value, its source and what is accepted
   */
  public static ServeSettings resolve(
      Map<Setting, String> flags, Map<String, String> env, Path configFile) {
    Path file = configFile;
    Map<Setting, SettingValue> fromFile = Map.of();
    if (file == null && !env.getOrDefault(CONFIG_ENV, "").isEmpty()) {
      try {
        file = Path.of(env.get(CONFIG_ENV));
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException(
            CONFIG_ENV + "=" + env.get(CONFIG_ENV) + " (environment) is not a file path", e);
      }
    }
    if (file != null)
      fromFile = SettingsFile.read(file, configFile != null ? "--config" : CONFIG_ENV);

    Map<Setting, SettingValue> given = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      String flag = flags.get(s);
      String variable = env.get(s.envVar());
      if (flag != null) given.put(s, SettingValue.flag(s, flag));
      else if (variable != null && !variable.isEmpty()) {
        given.put(s, SettingValue.environment(s, variable));
      } else if (fromFile.containsKey(s)) given.put(s, fromFile.get(s));
    }

    ServerConfig server = server(given);
    String redisUrl = redisUrl(given.get(Setting.REDIS));
    String prefix = keyPrefix(given.get(Setting.REDIS_KEY_PREFIX), redisUrl);
    Path caFile = redisCaFile(given.get(Setting.REDIS_CA_FILE), redisUrl);
    History history = history(given);

    Map<Setting, String> sources = new EnumMap<>(Setting.class);
    Map<Setting, String> shown = new EnumMap<>(Setting.class);
    for (Setting s : Setting.values()) {
      SettingValue v = given.get(s);
      sources.put(s, v == null ? "default" : v.origin());
      if (v != null) shown.put(s, v.shown());
    }
    return new ServeSettings(server, redisUrl, prefix, caFile, history, file, sources, shown);
  }

  private static ServerConfig server(Map<Setting, SettingValue> given) {
    ServerConfig.Builder b = ServerConfig.builder();
    set(given, Setting.HOST, v -> nonEmpty(v, "a host name or IP address, like 0.0.0.0"), b::host);
    set(given, Setting.PORT, v -> v.integer(0, 65535, "a number 0 to 65535"), b::port);
    set(given, Setting.PAGES, SettingValue::bool, b::pages);
    set(given, Setting.SECRET, SettingValue::string, b::secret);
    set(given, Setting.INSECURE, SettingValue::bool, b::insecure);
    set(given, Setting.ALLOWED_ORIGINS, SettingValue::list, b::allowedOrigins);
    set(given, Setting.HEARTBEAT, SettingValue::duration, b::heartbeat);
    set(given, Setting.MAX_DURATION, SettingValue::duration, b::maxDuration);
    set(given, Setting.WRITE_DELAY, SettingValue::duration, b::writeDelay);
    set(given, Setting.SHUTDOWN_TIMEOUT, SettingValue::duration, b::shutdownTimeout);
    set(given, Setting.IDLE_TIMEOUT, SettingValue::duration, b::idleTimeout);
    set(given, Setting.MAX_BUFFERED_BYTES, SettingValue::bytes, b::maxBufferedBytes);
    set(given, Setting.MAX_REQUEST_BYTES, SettingValue::bytes, b::maxRequestBytes);
    set(
        given,
        Setting.IO_THREADS,
        v ->
            v.integer(
                0,
                ServerConfig.MAX_IO_THREADS,
                "a whole number up to " + ServerConfig.MAX_IO_THREADS + ", 0 for two per core"),
        b::ioThreads);
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      // Only the host can make build() fail: on a public address without a secret, or unresolvable.
      SettingValue host = given.get(Setting.HOST);
      throw host != null ? host.wrap(e) : e;
    }
  }

  /**
   * Parses the value of {@code s} if one was given and passes it to {@code setter}. A parse error
   * already names the value and its source; a setter's (ServerConfig's) is prefixed with them.
   */
  private static <T> void set(
      Map<Setting, SettingValue> given,
      Setting s,
      Function<SettingValue, T> parse,
      Consumer<T> setter) {
    SettingValue v = given.get(s);
    if (v == null) return;
    T value = parse.apply(v);
    try {
      setter.accept(value);
    } catch (IllegalArgumentException e) {
      throw v.wrap(e);
    }
  }

  private static String nonEmpty(SettingValue v, String accepted) {
    if (v.string().isEmpty()) throw v.reject(accepted);
    return v.string();
  }

  private static String redisUrl(SettingValue v) {
    if (v == null) return null;
    String url = v.string();
    String lower = url.toLowerCase(Locale.ROOT);
    boolean scheme =
        lower.startsWith("redis://")
            || lower.startsWith("rediss://")
            || lower.startsWith("redis-sentinel://")
            || lower.startsWith("rediss-sentinel://");
    if (!scheme || url.length() == lower.indexOf("://") + 3) throw v.reject(REDIS_URL);
    return url;
  }

  private static String keyPrefix(SettingValue v, String redisUrl) {
    if (v == null) return "";
    // A prefix without Redis would be ignored in silence, which hides a forgotten --redis.
    if (redisUrl == null && !v.string().isEmpty()) {
      throw new IllegalArgumentException(
          v.quoted()
              + ": redis-key-prefix applies only to a Redis engine, and no redis is set: set one"
              + " (--redis or REALTIME_REDIS), or drop the prefix");
    }
    return v.string();
  }

  private static Path redisCaFile(SettingValue v, String redisUrl) {
    if (v == null) return null;
    if (v.string().isEmpty()) throw v.reject("a path to a PEM file of CA certificates");
    // A CA file without TLS would be ignored in silence, which hides a redis:// meant as rediss://.
    String scheme = redisUrl == null ? "" : redisUrl.toLowerCase(Locale.ROOT);
    if (!scheme.startsWith("rediss://") && !scheme.startsWith("rediss-sentinel://")) {
      throw new IllegalArgumentException(
          v.quoted()
              + ": redis-ca-file applies only to TLS, and "
              + (redisUrl == null ? "no redis is set" : "redis is not rediss://")
              + ": set --redis rediss://host:port, or drop the CA file");
    }
    return Path.of(v.string());
  }

  private static History history(Map<Setting, SettingValue> given) {
    SettingValue maxLength = given.get(Setting.HISTORY_MAX_LENGTH);
    SettingValue expireAfter = given.get(Setting.HISTORY_EXPIRE_AFTER);
    long max =
        maxLength == null
            ? History.DEFAULT.maxLength()
            : maxLength.longInteger(
                0, Long.MAX_VALUE, "a whole number of entries, 0 for unlimited");
    Duration idle = expireAfter == null ? History.DEFAULT.expireAfter() : expireAfter.duration();
    History history = max == 0 ? History.unlimited() : History.maxLength(max);
    if (idle == null || idle.isZero()) return history; // 0 is how to say "never" explicitly
    if (idle.toMillis() < 1 || idle.compareTo(History.MAX_EXPIRE_AFTER) > 0) {
      throw expireAfter.reject(
          "0 for never, or a duration from 1ms to "
              + History.MAX_EXPIRE_AFTER.toDays()
              + "d, like 7d");
    }
    return history.expireAfter(idle);
  }
}
