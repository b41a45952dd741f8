package dev.realtime.server.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The parser sees the same frames however the stream's bytes are cut into reads. */
class SseFrameParserTest {
  /** Records what the parser found, one line per line it reported. */
  static final class Recorder implements SseFrameParser.Sink {
    final List<String> seen = new ArrayList<>();

    @Override
    public void connected() {
      seen.add("connected");
    }

    @Override
    public void event(long seq, long sentMicros) {
      seen.add("event " + seq + " " + sentMicros);
    }

    @Override
    public void gap() {
      seen.add("gap");
    }

    @Override
    public void error() {
      seen.add("error");
    }

    @Override
    public void reconnect() {
      seen.add("reconnect");
    }

    @Override
    public void otherControl() {
      seen.add("other");
    }

    @Override
    public void unparsable() {
      seen.add("unparsable");
    }
  }

  static final String STREAM =
      "data: {\"type\":\"connected\",\"channel\":\"bench-a-0\"}\n\n"
          + ": ping\n\n"
          + ": ping\ndata: {\"type\":\"ping\",\"timestamp\":1700000000000}\n\n"
          + "id: 1700000000000-0\n"
          + "data: {\"id\":\"1700000000000-0\",\"data\":{\"seq\":0,\"t\":1700000000000123,"
          + "\"pad\":\"xxxx\"},\"event\":\"bench\",\"channel\":\"bench-a-0\"}\n\n"
          + "id: 1700000000001-12\n"
          + "data: {\"id\":\"1700000000001-12\",\"data\":{\"seq\":1,\"t\":1700000000001456},"
          + "\"event\":\"bench\",\"channel\":\"bench-a-0\"}\n\n"
          // another layout: found by searching
          + "data: {\"data\":{\"pad\":\"x\",\"t\":77,\"seq\":2},\"id\":\"1-1\"}\n\n"
          + "data: {\"type\":\"gap\",\"channel\":\"c\",\"afterId\":\"1-0\",\"resumedFrom\":null}\n\n"
          + "data: {\"type\":\"error\",\"error\":\"slow consumer\"}\n\n"
          + "data: {\"type\":\"reconnect\",\"timestamp\":1}\n\n"
          + "data: {\"type\":\"other\"}\n\n"
          + "data: {\"id\":\"1-2\",\"data\":{\"text\":\"no seq\"}}\n\n";

  static final List<String> EXPECTED =
      List.of(
          "connected",
          "event 0 1700000000000123",
          "event 1 1700000000001456",
          "event 2 77",
          "gap",
          "error",
          "reconnect",
          "other",
          "unparsable");

  @Test
  void oneReadOfTheWholeStream() {
    Recorder r = new Recorder();
    SseFrameParser parser = new SseFrameParser(r);
    ByteBuf buf = Unpooled.copiedBuffer(STREAM, StandardCharsets.UTF_8);
    parser.read(buf);
    assertThat(r.seen).containsExactlyElementsOf(EXPECTED);
  }

  @Test
  void anyCutIntoReadsGivesTheSameFrames() {
    long seed = Long.getLong("seed", System.nanoTime());
    System.out.println("SseFrameParserTest seed " + seed + " (replay with -Dseed=" + seed + ")");
    Random random = new Random(seed);
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int round = 0; round < 200; round++) {
      Recorder r = new Recorder();
      SseFrameParser parser = new SseFrameParser(r);
      int at = 0;
      while (at < bytes.length) {
        int n = Math.min(bytes.length - at, 1 + random.nextInt(round % 2 == 0 ? 8 : 120));
        ByteBuf read = Unpooled.wrappedBuffer(bytes, at, n);
        parser.read(read);
        assertThat(read.refCnt()).isEqualTo(1); // the caller releases what it read
        at += n;
      }
      assertThat(r.seen).as("round %d, seed %d", round, seed).containsExactlyElementsOf(EXPECTED);
    }
  }
}
