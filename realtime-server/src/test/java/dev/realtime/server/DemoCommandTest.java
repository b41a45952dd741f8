package dev.realtime.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.server.demo.SeedDemo;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class DemoCommandTest {
  @Test
  void theDemoRunsEverySectionOfTheSeedPageAndShowsWhatWasReceived() throws Exception {
    StringWriter text = new StringWriter();
    new SeedDemo(new PrintWriter(text, true)).runAll();
    String out = text.toString();
    for (String section :
        new String[] {
          "== Emit Events ==",
          "== Emit to specific channels ==",
          "== Subscribe to Events ==",
          "== Subscribe to multiple events ==",
          "== Unsubscribe ==",
          "== Retrieve History ==",
          "== History Options ==",
          "== Subscribe with History ==",
          "== Use case: progress of a long-running task ==",
          "== Use case: process events with server-side logic ==",
          "== Use case: multi-channel broadcasting ==",
          "== Use case: forward webhook events =="
        }) {
      assertThat(out).contains(section);
    }
    assertThat(out)
        .contains("received default       notification.alert     hello world!")
        .contains("received User joined: ada")
        .contains("(nothing received: the subscription ended)")
        .contains("received job.completed [##########] 100%")
        .contains("sendEmail(to=user-7")
        .doesNotContain("sendEmail(to=user-7, subject=Urgent Notification, body=weekly digest")
        .contains("rejected: data of event 'webhook.received' does not match its JSON Schema")
        .contains("All use cases ran on the in-memory engine.");
  }

  @Test
  void theCommandLineRunsTheDemoAndExitsZero() {
    assertThat(dev.realtime.server.cli.Main.run("demo")).isZero();
    assertThat(dev.realtime.server.cli.Main.run("no-such-command")).isNotZero();
  }
}
