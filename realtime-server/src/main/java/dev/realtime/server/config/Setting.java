package dev.realtime.server.config;

import dev.realtime.History;
import dev.realtime.server.ServerConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Every setting of {@code ./realtime serve}, the one list that the resolver, the error messages and
 * the README table ({@link SettingsTable}) are all made from, so that none of them can name a
 * setting the others do not know. The YAML key and the flag are the constant's name in kebab case,
 * the environment variable is {@code REALTIME_} and the constant's name: renaming a constant
 * renames all three, and the README test then asks for the README to follow.
 *
 * <p>Defaults are read from {@link ServerConfig}'s {@code DEFAULT_*} constants and {@link
 * History#DEFAULT}, never retyped, so the table cannot drift from what the server does.
 */
public enum Setting {
  HOST(
      Group.COMMON,
      ServerConfig.DEFAULT_HOST,
      null,
      "The address to bind; `0.0.0.0` for every interface (then a secret or `insecure` is needed)."),
  PORT(
      Group.COMMON,
      String.valueOf(ServerConfig.DEFAULT_PORT),
      null,
      "The port to bind, 0 to 65535; 0 picks a free one."),
  PAGES(
      Group.COMMON,
      String.valueOf(ServerConfig.DEFAULT_PAGES),
      null,
      "Serve the demo pages (`/`, `/chat`, `/jobs`, `/dashboard`) and `POST /demo/jobs`; `false`"
          + " for production. `/realtime.js` and `/stats` are served either way."),
  SECRET(
      Group.SECURITY,
      null,
      "none: tokens are not checked",
      "The HS256 secret that tokens are signed with, at least 32 bytes (`openssl rand -base64 48`)."),
  INSECURE(
      Group.SECURITY,
      "false",
      null,
      "Allow serving without a secret on an address other than loopback: anyone who reaches it can"
          + " read and write every channel."),
  ALLOWED_ORIGINS(
      Group.SECURITY,
      String.join(",", ServerConfig.DEFAULT_ALLOWED_ORIGINS),
      "every origin",
      "Origins that browsers may call from, comma-separated (or a YAML list), like"
          + " `https://app.example.com`."),
  HEARTBEAT(
      Group.STREAMS,
      text(ServerConfig.DEFAULT_HEARTBEAT),
      null,
      "How often a stream gets a heartbeat (a `: ping` comment and a ping data line), so"
          + " proxies and the original client keep it open; `0` for none."),
  MAX_DURATION(
      Group.STREAMS,
      text(ServerConfig.DEFAULT_MAX_DURATION),
      ServerConfig.DEFAULT_MAX_DURATION.isZero() ? "no limit" : null,
      "How long one stream may stay open before it is told to reconnect."),
  WRITE_DELAY(
      Group.STREAMS,
      text(ServerConfig.DEFAULT_WRITE_DELAY),
      "write at once",
      "How long a live event may wait so that each connection gets the events of that time in"
          + " one write, up to 1 s. Busy channels then cost the server far less CPU per delivery,"
          + " at up to this much added latency."),
  SHUTDOWN_TIMEOUT(
      Group.STREAMS,
      text(ServerConfig.DEFAULT_SHUTDOWN_TIMEOUT),
      null,
      "How long a graceful shutdown waits for streams and requests under way to end."),
  IDLE_TIMEOUT(
      Group.LIMITS,
      text(ServerConfig.DEFAULT_IDLE_TIMEOUT),
      null,
      "How long a connection may stay open without a request (streams excepted), how long a"
          + " request may take to arrive whole once its head has (then 408), and how long a client"
          + " may take no byte of an answer; `0` for no limit."),
  MAX_BUFFERED_BYTES(
      Group.LIMITS,
      String.valueOf(ServerConfig.DEFAULT_MAX_BUFFERED_BYTES),
      SizeText.describe(ServerConfig.DEFAULT_MAX_BUFFERED_BYTES),
      "Bytes that may wait for one slow connection before it is closed; at least 4096."),
  MAX_REQUEST_BYTES(
      Group.LIMITS,
      String.valueOf(ServerConfig.DEFAULT_MAX_REQUEST_BYTES),
      SizeText.describe(ServerConfig.DEFAULT_MAX_REQUEST_BYTES),
      "The largest request body accepted (an emit's JSON); at least 1024."),
  IO_THREADS(
      Group.LIMITS,
      // ServerConfig has no constant for it: its builder starts at 0, read back here.
      String.valueOf(ServerConfig.defaults().ioThreads()),
      "two per core",
      "Threads that serve connections."),
  REDIS(
      Group.ENGINE,
      null,
      "none: the in-memory engine",
      "The Redis to keep channels in, shared by every server on it:"
          + " `redis://[user:password@]host:port[/db]`, `rediss://` for TLS, or"
          + " `redis-sentinel://host:port[,host:port...]#master` (`rediss-sentinel://` for TLS) for"
          + " the master that Sentinels name."),
  REDIS_KEY_PREFIX(
      Group.ENGINE,
      null,
      "empty",
      "Put every Redis key under this prefix (none interoperates with `@upstash/realtime`)."),
  REDIS_CA_FILE(
      Group.ENGINE,
      null,
      "the JDK's trust store",
      "For a `rediss://` Redis whose certificate a private CA signed: a PEM file of the CA"
          + " certificate(s) to trust instead; host names are still verified."),
  HISTORY_MAX_LENGTH(
      Group.ENGINE,
      String.valueOf(History.DEFAULT.maxLength()),
      "0 = unlimited",
      "Entries kept per channel, oldest trimmed first; a subscriber further behind is told of the"
          + " gap."),
  HISTORY_EXPIRE_AFTER(
      Group.ENGINE,
      History.DEFAULT.expireAfter() == null ? null : text(History.DEFAULT.expireAfter()),
      History.DEFAULT.expireAfter() == null ? "never" : null,
      "Drop a channel's history once nothing was emitted to it for this long; `0` for never.");

  /** The README table's sections, in the order it shows them. */
  public enum Group {
    COMMON("Common"),
    SECURITY("Security"),
    STREAMS("Streams"),
    LIMITS("Limits"),
    ENGINE("Engine");

    private final String title;

    Group(String title) {
      this.title = title;
    }

    public String title() {
      return title;
    }
  }

  private final Group group;
  private final String defaultValue;
  private final String defaultNote;
  private final String description;

  Setting(Group group, String defaultValue, String defaultNote, String description) {
    this.group = group;
    this.defaultValue = defaultValue;
    this.defaultNote = defaultNote;
    this.description = description;
  }

  /** The YAML key, like {@code max-duration}. */
  public String key() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The command-line flag, like {@code --max-duration}. */
  public String flag() {
    return "--" + key();
  }

  /** The environment variable, like {@code REALTIME_MAX_DURATION}. */
  public String envVar() {
    return "REALTIME_" + name();
  }

  public Group group() {
    return group;
  }

  /** The default as it would be written, like {@code 15s}, or null when unset by default. */
  public String defaultValue() {
    return defaultValue;
  }

  /** The default for people: the value, what it means, or both ({@code 0 (no limit)}). */
  public String defaultText() {
    if (defaultValue == null) return defaultNote;
    return defaultNote == null ? defaultValue : defaultValue + " (" + defaultNote + ")";
  }

  /** What the default means, like {@code no limit}, or null when the value says it all. */
  String defaultNote() {
    return defaultNote;
  }

  /** One line for {@code --help} and the README; Markdown code spans in backticks. */
  public String description() {
    return description;
  }

  /** The setting whose YAML key (or flag without {@code --}) is {@code key}, if there is one. */
  public static Optional<Setting> ofKey(String key) {
    return Arrays.stream(values()).filter(s -> s.key().equals(key)).findFirst();
  }

  /** A default duration as it would be written: {@code 15s}, {@code 500ms}, {@code 0}. */
  private static String text(Duration d) {
    if (d.isZero()) return "0";
    if (d.toMillis() % 86_400_000 == 0) return d.toDays() + "d";
    if (d.toMillis() % 3_600_000 == 0) return d.toHours() + "h";
    if (d.toMillis() % 60_000 == 0) return d.toMinutes() + "m";
    if (d.toMillis() % 1000 == 0) return d.toSeconds() + "s";
    return d.toMillis() + "ms";
  }
}
