package dev.realtime.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.bench.ServerProbe;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code realtime bench sse} against a server in this JVM: every connection gets every event of its
 * channel once, in order, whether the connections are held here or by child processes.
 */
class BenchSseCommandTest {
  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime).config(ServerConfig.builder().port(0).build()).start();

  @AfterEach
  void close() {
    server.close();
    realtime.close();
  }

  @Test
  void fiftyConnectionsOnFiveChannelsEachGetEveryEventOfTheirChannelOnceInOrder() {
    JsonNode r = bench("--clients", "1");
    assertThat(r.get("clients").asInt()).isEqualTo(1);
    assertEveryDeliveryArrived(r);
  }

  @Test
  void childProcessesHoldTheConnectionsAndReportTheSame() {
    JsonNode r = bench("--clients", "2");
    assertThat(r.get("clients").asInt()).isEqualTo(2);
    assertEveryDeliveryArrived(r);
  }

  @Test
  void rateZeroOnlyHoldsTheConnectionsAndReportsTheServersMemory() {
    JsonNode r = run("--connections", "50", "--channels", "5", "--rate", "0", "--seconds", "1");
    assertThat(r.get("connections_held").asInt()).isEqualTo(50);
    assertThat(r.get("emits").asLong()).isZero();
    assertThat(r.get("deliveries").asLong()).isZero();
    assertThat(r.get("server").get("open_streams_held").asLong()).isEqualTo(50);
    assertThat(r.get("server").get("rss_bytes_held").asLong()).isPositive();
    assertThat(r.has("heap_bytes_per_connection")).isTrue();
  }

  @Test
  void aServerThatIsNotThereIsOneLineAndExitCodeOne() {
    StringWriter out = new StringWriter(), err = new StringWriter();
    int code =
        Main.run(
            new PrintWriter(out),
            new PrintWriter(err),
            "bench",
            "sse",
            "--url",
            "http://127.0.0.1:1",
            "--connections",
            "1",
            "--channels",
            "1");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("realtime: cannot read http://127.0.0.1:1/metrics")
        .doesNotContain("\tat ");
  }

  @Test
  void aStalledRunCanShowWhereTheServersThreadsStood() throws Exception {
    // The dump a stalled run takes, of this JVM here (the server under test runs in it).
    var probe = new ServerProbe(URI.create(server.url()), ProcessHandle.current().pid());
    Path dump = probe.threadDump("test");
    try {
      assertThat(Files.readString(dump))
          .contains("Full thread dump")
          .contains(Thread.currentThread().getName());
    } finally {
      Files.deleteIfExists(dump);
    }
  }

  /** The run of the brief: 50 connections over 5 channels, 200 events/s for 2 s. */
  private JsonNode bench(String... more) {
    String[] args = {"--connections", "50", "--channels", "5", "--rate", "200", "--seconds", "2"};
    String[] all = new String[args.length + more.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return run(all);
  }

  private JsonNode run(String... more) {
    String[] args = {"bench", "sse", "--url", server.url()};
    String[] all = new String[args.length + more.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    StringWriter out = new StringWriter(), err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), all);
    assertThat(code).as("exit code; stderr: %s; stdout: %s", err, out).isZero();
    String[] lines = out.toString().strip().split("\n");
    assertThat(lines).hasSize(1);
    return JsonMapper.builder().build().readTree(lines[0]);
  }

  private static void assertEveryDeliveryArrived(JsonNode r) {
    assertThat(r.get("connections_held").asInt()).isEqualTo(50);
    assertThat(r.get("connect_errors").asInt()).isZero();
    long emits = r.get("emits").asLong();
    // (warm-up + measured seconds) at 200 events/s, each to the 10 connections of its channel
    assertThat(emits).isEqualTo((r.get("warmup_seconds").asLong() + 2) * 200);
    assertThat(r.get("emit_errors").asLong()).isZero();
    assertThat(r.get("deliveries").asLong()).isEqualTo(emits * 10);
    assertThat(r.get("expected_deliveries").asLong()).isEqualTo(emits * 10);
    assertThat(r.get("missing").asLong()).isZero();
    assertThat(r.get("duplicates").asLong()).isZero();
    assertThat(r.get("out_of_order").asLong()).isZero();
    assertThat(r.get("emit_to_receive_p99_ms").asDouble()).isPositive();
    assertThat(r.get("all_delivered_before_drain_timeout").asBoolean()).isTrue();
    assertThat(r.get("server_thread_dump").isNull()).isTrue(); // taken only for a stalled run
    r.get("errors")
        .properties()
        .forEach(e -> assertThat(e.getValue().asLong()).as(e.getKey()).isZero());
  }
}
