import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What Lettuce itself does at concurrency 1: one thread calling the engine's append script through
 * Lettuce's synchronous API, one event per call, as fast as it can, with nothing of the engine
 * around it: the ceiling for an emit that crosses from the caller's thread to Lettuce's event loop
 * and back. Run from the repository's root against a Redis that holds nothing of value (it writes
 * and then deletes the key {@code lettuce-ceiling}):
 *
 * <pre>java -cp realtime-server/target/realtime.jar scripts/LettuceCeiling.java PORT [SECONDS]</pre>
 *
 * (docs/BENCHMARKS.md, "Redis engine"). Prints one JSON line after a warm-up of the same length.
 */
public class LettuceCeiling {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : 10;
    RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
    try (var connection = client.connect(ByteArrayCodec.INSTANCE)) {
      var redis = connection.sync();
      Path script = Path.of("realtime-redis/src/main/resources/dev/realtime/redis/append.lua");
      String sha = redis.scriptLoad(Files.readAllBytes(script));
      byte[] key = utf8("lettuce-ceiling");
      byte[][] keys = {key};
      // The engine's arguments for one event: envelope tail, data (100 bytes of JSON), event,
      // channel, Pub/Sub channel, maxLength 0 (none), expiry 0 (none).
      byte[][] eventArgs = {
        utf8(""), utf8("\"" + "x".repeat(98) + "\""), utf8("bench"), key, key, utf8("0"), utf8("0")
      };
      long calls = 0;
      for (int phase = 0; phase < 2; phase++) { // warm-up, then measured
        calls = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
          redis.evalsha(sha, ScriptOutputType.MULTI, keys, eventArgs);
          calls++;
        }
        redis.del(key);
      }
      System.out.printf(
          "{\"kind\":\"lettuce-ceiling\",\"concurrency\":1,\"seconds\":%d,\"calls_per_sec\":%d}%n",
          seconds, calls / seconds);
    } finally {
      client.shutdown();
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
