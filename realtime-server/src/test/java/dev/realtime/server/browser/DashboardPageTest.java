package dev.realtime.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.HttpCalls;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.SseRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * {@code /dashboard}: with load applied from outside (streams opened, events emitted over HTTP),
 * the numbers it shows move: open streams, the channel's subscribers, emits and deliveries, their
 * rates; and its tail panel shows a channel's events live.
 */
class DashboardPageTest {
  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime).config(ServerConfig.builder().port(0).build()).start();
  final Chromium chromium = new Chromium();
  final List<SseRecorder> streams = new ArrayList<>();
  final AtomicBoolean loading = new AtomicBoolean(true);

  @AfterEach
  void close() {
    loading.set(false);
    streams.forEach(SseRecorder::close);
    chromium.close();
    server.close();
    realtime.close();
  }

  @Test
  void theNumbersMoveUnderLoadAndATailShowsTheChannel() {
    WebDriver window = chromium.open();
    window.get(server.url() + "/dashboard");
    awaitStat(window, "streams", "0");
    awaitStat(window, "channelCount", "0");
    assertThat(window.findElement(By.id("no-channels")).isDisplayed()).isTrue();

    for (int i = 0; i < 3; i++) {
      SseRecorder s = SseRecorder.open(server.url() + "/api/realtime?channel=load");
      s.expectType("connected");
      streams.add(s);
    }
    AtomicInteger emitted = new AtomicInteger();
    Thread load =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (loading.get()) {
                    var a =
                        HttpCalls.post(
                            server.url() + "/api/realtime/channels/load/events",
                            "{\"event\":\"tick\",\"data\":{\"n\":" + emitted.get() + "}}");
                    if (a.status() == 201) emitted.incrementAndGet();
                    sleep(4);
                  }
                });

    awaitStat(window, "streams", "3");
    awaitStat(window, "channelCount", "1");
    awaitRow(window, "load", "3");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> number(window, "emitRate") > 10 && number(window, "deliveryRate") > 30);
    long emitsShown = number(sub(window, "emits"));
    long deliveriesShown = number(sub(window, "deliveries"));
    assertThat(emitsShown).isPositive();
    assertThat(deliveriesShown).isGreaterThanOrEqualTo(emitsShown * 3 - 30);

    // Tail the channel from its row: the page's own stream is a fourth subscriber.
    window.findElement(By.cssSelector("#channels tr[data-channel='load'] button")).click();
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> window.findElements(By.cssSelector("#tail li[data-id]")).size() >= 20);
    assertThat(window.findElement(By.id("tail-status")).getAttribute("data-status"))
        .isEqualTo("connected");
    assertThat(window.findElement(By.cssSelector("#tail li .event")).getText()).isEqualTo("tick");
    awaitStat(window, "streams", "4");
    awaitRow(window, "load", "4");
    Awaitility.await() // the totals keep growing while the load runs
        .atMost(Duration.ofSeconds(10))
        .until(() -> number(sub(window, "emits")) > emitsShown + 50);
    sleep(2500); // let the charts draw a few seconds of load
    Chromium.screenshot(window, "dashboard-under-load");

    loading.set(false);
    joinQuietly(load);
    streams.forEach(SseRecorder::close);
    awaitStat(window, "streams", "1"); // the tail's own
    awaitStat(window, "emitRate", "0.0");
  }

  private static void awaitStat(WebDriver window, String stat, String value) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .alias(stat + " shows " + value)
        .until(() -> stat(window, stat).equals(value));
  }

  private static void awaitRow(WebDriver window, String channel, String subscribers) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .alias(channel + " listed with " + subscribers)
        .until(
            () ->
                window.findElements(By.cssSelector("#channels tr")).stream()
                    .map(WebElement::getText)
                    .anyMatch(t -> t.startsWith(channel + " " + subscribers)));
  }

  private static String stat(WebDriver window, String stat) {
    return window.findElement(By.cssSelector("[data-stat='" + stat + "'] .value")).getText();
  }

  private static String sub(WebDriver window, String stat) {
    return window.findElement(By.cssSelector("[data-stat-sub='" + stat + "']")).getText();
  }

  private static double number(WebDriver window, String stat) {
    String text = stat(window, stat);
    return text.equals("–") ? 0 : Double.parseDouble(text.replace(",", ""));
  }

  private static long number(String text) {
    return text.equals("–") ? 0 : Long.parseLong(text.replace(",", ""));
  }

  private static void joinQuietly(Thread t) {
    try {
      t.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
