package dev.realtime.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
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
  private final String text;
  private final String sha1;

  private LuaScript(String text) {
    this.text = text;
    try {
      this.sha1 =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
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

  CompletableFuture<List<Object>> run(
      RedisAsyncCommands<String, byte[]> redis, String[] keys, byte[][] args) {
    CompletableFuture<List<Object>> result = new CompletableFuture<>();
    redis
        .<List<Object>>evalsha(sha1, ScriptOutputType.MULTI, keys, args)
        .whenComplete(
            (value, error) -> {
              if (error == null) {
                result.complete(value);
              } else if (error instanceof RedisNoScriptException
                  || String.valueOf(error.getMessage()).startsWith("NOSCRIPT")) {
                redis
                    .<List<Object>>eval(text, ScriptOutputType.MULTI, keys, args)
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
}
