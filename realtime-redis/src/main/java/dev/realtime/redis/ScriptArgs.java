package dev.realtime.redis;

import io.lettuce.core.protocol.CommandArgs;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The arguments of one {@code EVALSHA} or {@code EVAL} call, written straight into the connection's
 * buffer as RESP bulk strings: the script (its SHA1 or its text), the number of keys, the keys,
 * then the arguments.
 *
 * <p>Lettuce's own argument list wraps every argument in an object and a {@code ByteBuffer} and
 * writes each length through a String; an emit call carries six arguments per event, so on the emit
 * path that was a tenth of all allocation. What goes on the wire is the same bytes.
 */
final class ScriptArgs extends CommandArgs<String, byte[]> {
  private static final byte[] CRLF = {'\r', '\n'};

  private final byte[] script;
  private final byte[][] keys;
  private final byte[][] args;

  ScriptArgs(byte[] script, byte[][] keys, byte[][] args) {
    super(RedisEngine.CODEC);
    this.script = script;
    this.keys = keys;
    this.args = args;
  }

  @Override
  public int count() {
    return 2 + keys.length + args.length;
  }

  @Override
  public void encode(ByteBuf buf) {
    bulk(buf, script);
    int digits = digits(keys.length);
    buf.writeByte('$');
    decimal(buf, digits);
    buf.writeBytes(CRLF);
    decimal(buf, keys.length);
    buf.writeBytes(CRLF);
    for (byte[] key : keys) bulk(buf, key);
    for (byte[] arg : args) bulk(buf, arg);
  }

  private static void bulk(ByteBuf buf, byte[] value) {
    buf.writeByte('$');
    decimal(buf, value.length);
    buf.writeBytes(CRLF);
    buf.writeBytes(value);
    buf.writeBytes(CRLF);
  }

  /** Writes {@code n >= 0} in ASCII decimal without a String in between. */
  private static void decimal(ByteBuf buf, int n) {
    if (n < 10) {
      buf.writeByte('0' + n);
      return;
    }
    int div = 1;
    while (n / div >= 10) div *= 10;
    for (; div > 0; div /= 10) buf.writeByte('0' + (n / div) % 10);
  }

  private static int digits(int n) {
    int d = 1;
    while (n >= 10) {
      n /= 10;
      d++;
    }
    return d;
  }

  @Override
  public String toCommandString() {
    return new String(script, StandardCharsets.UTF_8).lines().findFirst().orElse("")
        + " "
        + keys.length
        + " key(s), "
        + args.length
        + " argument(s)";
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + " [" + toCommandString() + "]";
  }
}
