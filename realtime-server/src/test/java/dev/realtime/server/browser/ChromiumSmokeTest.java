package dev.realtime.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebDriver;

class ChromiumSmokeTest {
  @Test
  void headlessChromiumLoadsAPageFromTheServer() {
    try (Realtime realtime = Realtime.builder().build();
        RealtimeServer server =
            RealtimeServer.builder(realtime)
                .config(ServerConfig.builder().port(0).build())
                .start();
        Chromium chromium = new Chromium()) {
      WebDriver window = chromium.open();
      window.get(server.url() + "/healthz");
      assertThat(window.getPageSource()).contains("ok");
    }
  }
}
