package dev.realtime.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * {@code /jobs}: a job started from the page runs on the server and its events drive the page's
 * progress bar to 100%, every event shown once and in order, for two jobs at once.
 */
class JobsPageTest {
  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime).config(ServerConfig.builder().port(0).build()).start();
  final Chromium chromium = new Chromium();

  @AfterEach
  void close() {
    chromium.close();
    server.close();
    realtime.close();
  }

  @Test
  void theProgressBarsOfTwoJobsReach100() {
    WebDriver window = chromium.open();
    window.get(server.url() + "/");
    assertThat(window.findElements(By.cssSelector(".cards a.card")))
        .extracting(a -> a.getAttribute("href"))
        .containsExactly(
            server.url() + "/chat", server.url() + "/jobs", server.url() + "/dashboard");
    Chromium.screenshot(window, "index");
    window.get(server.url() + "/jobs?stepMs=150");
    window.findElement(By.id("start")).click();
    awaitJobs(window, 1);
    WebElement first = window.findElements(By.cssSelector("article.job")).getFirst();
    Awaitility.await() // the second starts while the first runs: added to the same stream
        .atMost(Duration.ofSeconds(10))
        .until(() -> Integer.parseInt(bar(first).getAttribute("aria-valuenow")) >= 20);
    window.findElement(By.id("start")).click();
    awaitJobs(window, 2);

    List<WebElement> jobs = window.findElements(By.cssSelector("article.job"));
    for (WebElement job : jobs) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(15))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> "completed".equals(job.getAttribute("data-state")));
      assertThat(bar(job).getAttribute("aria-valuenow")).isEqualTo("100");
      assertThat(job.findElement(By.cssSelector(".percent")).getText()).isEqualTo("100%");
      assertThat(job.findElement(By.cssSelector(".badge")).getText()).isEqualTo("completed");
      // Newest first on the page: started, ten steps and completed, each once, in order.
      List<String> events =
          job.findElements(By.cssSelector(".events li .event")).stream()
              .map(WebElement::getText)
              .toList()
              .reversed();
      assertThat(events)
          .hasSize(12)
          .startsWith("job.started")
          .endsWith("job.progress", "job.completed");
      assertThat(events.subList(1, 11)).containsOnly("job.progress");
      List<String> percents =
          job.findElements(By.cssSelector(".events li code")).stream()
              .map(code -> code.getText())
              .toList()
              .reversed();
      assertThat(percents)
          .containsExactly(
              IntStream.of(0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 100)
                  .mapToObj(p -> "{\"progress\":" + p + "}")
                  .toArray(String[]::new));
    }
    Chromium.screenshot(window, "jobs-at-100");
  }

  private static WebElement bar(WebElement job) {
    return job.findElement(By.cssSelector("[role=progressbar]"));
  }

  private static void awaitJobs(WebDriver window, int n) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> window.findElements(By.cssSelector("article.job")).size() == n);
  }
}
