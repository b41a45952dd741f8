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
 * A server-side script, run by its SHA1 ({@code EVALSHA}) and sent whole ({@code EVAL}) only when
 * the server does not know it yet (first use, or after a restart flushed the script cache).
 */
final class LuaScript {
  private final byte[] text;
  private final byte[] sha1;

  private LuaScript(String text) {
    this.text = text.getBytes(StandardCharsets.UTF_8);
    try {
      this.sha1 =
          HexFormat.of()
              .formatHex(MessageDigest.getInstance("SHA-1").digest(this.text))
              .getBytes(StandardCharsets.US_ASCII);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-1", e);
    }
  }

  static LuaScript load(String resource) {
    try (InputStream in = LuaScript.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing script resource " + resource);
      return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the script on {@code keys} (UTF-8) with {@code args}; its reply as nested lists. */
  CompletableFuture<List<Object>> run(
      RedisAsyncCommands<String, byte[]> redis, byte[][] keys, byte[][] args) {
    CompletableFuture<List<Object>> result = new CompletableFuture<>();
    call(redis, CommandType.EVALSHA, sha1, keys, args)
        .whenComplete(
            (value, error) -> {
              if (error == null) {
                result.complete(value);
              } else if (error instanceof RedisNoScriptException
                  || String.valueOf(error.getMessage()).startsWith("NOSCRIPT")) {
                call(redis, CommandType.EVAL, text, keys, args)
                    .whenComplete(
                        (v, e) -> {
                          if (e == null) result.complete(v);
                          else result.completeExceptionally(e);
                        });
              } else {
                result.completeExceptionally(error);
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
}
