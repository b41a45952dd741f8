package dev.realtime.server.cli;

import dev.realtime.EngineException;
import dev.realtime.History;
import dev.realtime.Realtime;
import dev.realtime.Schema;
import dev.realtime.redis.RedisEngine;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** The {@code --redis URL} option of every command that talks to Redis, and the connection. */
final class RedisOption {
  @Option(
      names = "--redis",
      required = true,
      paramLabel = "URL",
      description =
          "The Redis to use: redis://[user:password@]host:port[/db], rediss:// (TLS), or"
              + " redis-sentinel://host:port[,host:port...]#master.")
  String url;

  @Option(
      names = "--redis-key-prefix",
      paramLabel = "PREFIX",
      description =
          "The key prefix of the servers and applications on that Redis (serve's"
              + " --redis-key-prefix); none by default.")
  String keyPrefix = "";

  @Option(
      names = "--redis-ca-file",
      paramLabel = "FILE",
      description =
          "For a rediss:// Redis whose certificate a private CA signed: a PEM file of the CA"
              + " certificate(s) to trust.")
  java.nio.file.Path caFile;

  /**
   * A Realtime on a Redis engine, both closed by {@link Connection#close()}.
   *
   * <p>History is {@link History#unlimited()}: with it an emit is a plain XADD (no MAXLEN) and sets
   * no expiry, so the command line never trims or re-times a channel whose application keeps more
   * history, or a different expiry, than the library's default would (10,000 entries). The
   * application's own emits go on trimming the stream as it configured.
   */
  Connection connect(Schema schema, Consumer<? super Throwable> onError) {
    RedisEngine.Builder builder;
    try {
      builder = RedisEngine.builder(url);
    } catch (IllegalArgumentException e) {
      throw UserError.usage("--redis: " + e.getMessage());
    }
    try {
      builder.keyPrefix(keyPrefix);
    } catch (IllegalArgumentException e) {
      throw UserError.usage("--redis-key-prefix: " + e.getMessage());
    }
    if (caFile != null) {
      // Refused here, in the options' own words, rather than by the builder at build().
      String scheme = url.toLowerCase(java.util.Locale.ROOT);
      if (!scheme.startsWith("rediss://")
          && !scheme.startsWith("rediss-sentinel://")
          && !scheme.startsWith("redis+ssl://")
          && !scheme.startsWith("redis+tls://")) {
        throw UserError.usage(
            "--redis-ca-file applies only to TLS, and --redis is not rediss://: set --redis"
                + " rediss://host:port, or drop the CA file");
      }
      try {
        builder.trustedCertificates(caFile);
      } catch (IllegalArgumentException e) {
        throw UserError.usage(
            "--redis-ca-file: " + e.getMessage().replaceFirst("^trustedCertificates: ", ""));
      }
    }
    RedisEngine engine;
    try {
      engine = builder.build();
    } catch (IllegalArgumentException e) {
      throw UserError.usage("--redis: " + e.getMessage());
    } catch (EngineException e) {
      throw UserError.failure(explain(e));
    }
    try {
      Realtime realtime =
          Realtime.builder()
              .engine(engine)
              .schema(schema)
              .history(History.unlimited())
              .onError(onError)
              .build();
      return new Connection(engine, realtime);
    } catch (RuntimeException e) {
      engine.close();
      throw e;
    }
  }

  /** The Realtime and the engine under it (which a Realtime does not close when given one). */
  record Connection(RedisEngine engine, Realtime realtime) implements AutoCloseable {
    @Override
    public void close() {
      try {
        realtime.close();
      } finally {
        engine.close();
      }
    }
  }

  /**
   * The engine's message, which says what to change (password, certificate, database, scheme); only
   * a refused connection also gets the hint about the server itself.
   */
  static String explain(EngineException e) {
    // The engine names its Java builder method; on the command line it is the option.
    String message = e.getMessage().replace("trustedCertificates(pemFile)", "--redis-ca-file FILE");
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return message
            + (message.contains("redis-sentinel://")
                ? " (is a Sentinel running there? --redis takes redis://host:port, or"
                    + " redis-sentinel://host:port#master for a master that Sentinels name)"
                : " (is redis-server running there? --redis takes redis://host:port)");
      }
    }
    return message;
  }
}
