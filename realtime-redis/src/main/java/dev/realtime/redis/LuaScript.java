package dev.realtime.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A server-side script. A connection loads it with {@code SCRIPT LOAD} when it opens ({@link
 * CommandLink}) and then runs it by its SHA1 ({@code EVALSHA}); it sends the whole text ({@code
 * EVAL}) only while the script is not known to be loaded on that connection.
 *
 * <p>Redis's script cache can still lose the script while the connection stays open ({@code SCRIPT
 * FLUSH}, and from Redis 7.4 eviction of scripts that came by {@code EVAL}), and a call then finds
 * it gone ({@code NOSCRIPT}) and does not run. Sending it again is not always harmless: calls sent
 * after it on the connection may have run meanwhile (another client may have loaded the script
 * again in between), and a re-sent append would be stored after them, out of the order its emitter
 * made it. So only a script declared {@code resendable} (a read) is sent again; any other call
 * fails with {@link NotRun}, which says that nothing was done.
 */
final class LuaScript {
  private final String name;
  private final byte[] text;
  private final byte[] sha1;
  private final boolean resendable;

  private LuaScript(String name, String text, boolean resendable) {
    this.name = name;
    this.text = text.getBytes(StandardCharsets.UTF_8);
    this.resendable = resendable;
    try {
      this.sha1 =
          HexFormat.of()
              .formatHex(MessageDigest.getInstance("SHA-1").digest(this.text))
              .getBytes(StandardCharsets.US_ASCII);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  /**
   * The script in the class-path resource {@code resource}; {@code resendable} when running it
   * twice, or after calls sent later, does no harm (see the class).
   */
  static LuaScript load(String resource, boolean resendable) {
    try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing script resource " + resource);
      return new LuaScript(
          resource, new String(in.readAllBytes(), StandardCharsets.UTF_8), resendable);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code SCRIPT LOAD}; completes when Redis has the script (or refused it). */
  CompletableFuture<String> loadInto(RedisAsyncCommands<String, byte[]> redis) {
    return redis.scriptLoad(text).toCompletableFuture();
  }

  /**
   * Runs the script on {@code keys} (UTF-8) with {@code args} on the session's connection; its
   * reply as nested lists, or {@link NotRun} when Redis no longer had it and it may not be re-sent.
   */
  CompletableFuture<List<Object>> run(CommandLink.Session session, byte[][] keys, byte[][] args) {
    RedisAsyncCommands<String, byte[]> redis = session.commands();
    if (!session.hasLoaded(this)) {
      return call(redis, CommandType.EVAL, text, keys, args).toCompletableFuture();
    }
    CompletableFuture<List<Object>> result = new CompletableFuture<>();
    call(redis, CommandType.EVALSHA, sha1, keys, args)
        .whenComplete(
            (value, error) -> {
              if (error == null) {
                result.complete(value);
              } else if (!(error instanceof RedisNoScriptException
                  || String.valueOf(error.getMessage()).startsWith("NOSCRIPT"))) {
                result.completeExceptionally(error);
              } else {
                session.lost(); // later calls send the text until it is loaded again
                if (!resendable) {
                  result.completeExceptionally(new NotRun(name, error));
                  return;
                }
                call(redis, CommandType.EVAL, text, keys, args)
                    .whenComplete(
                        (v, e) -> {
                          if (e == null) result.complete(v);
                          else result.completeExceptionally(e);
                        });
              }
            });
    return result;
  }

  private static RedisFuture<List<Object>> call(
      RedisAsyncCommands<String, byte[]> redis,
      CommandType command,
      byte[] script,
      byte[][] keys,
      byte[][] args) {
    return redis.dispatch(
        command, new NestedMultiOutput<>(RedisEngine.CODEC), new ScriptArgs(script, keys, args));
  }

  /** The call did not run: Redis's script cache no longer held the script (see the class). */
  static final class NotRun extends RuntimeException {
    NotRun(String script, Throwable noScript) {
      super(
          "Redis no longer had the script "
              + script
              + " (its script cache was emptied: SCRIPT FLUSH, or eviction), so it did not run",
          noScript);
    }
  }
}
