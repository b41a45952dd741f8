package dev.realtime.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/** The demo pages on unusual but valid input: long, emoji and dot room names, long user names. */
class PageEdgeCasesTest {
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

  private static String outboxStates(ChatWindow chat) {
    return chat.window.findElements(By.cssSelector("#outbox li .state")).stream()
        .map(WebElement::getText)
        .toList()
        .toString();
  }

  private static void awaitShown(ChatWindow chat, String text) {
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(12))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> chat.texts().contains(text));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "'"
              + text
              + "' never shown in room "
              + chat.window.findElement(By.id("room-title")).getText()
              + "; outbox states: "
              + outboxStates(chat)
              + "; shown: "
              + chat.texts());
    }
  }

  /**
   * "." and ".." are valid channel names (any 1..256 UTF-8 bytes), and valid rooms for the page.
   */
  @Test
  void aRoomNamedDotDotCanBeChattedIn() {
    ChatWindow chat = ChatWindow.open(chromium, server.url() + "/chat?room=..", "ada");
    assertThat(chat.window.findElement(By.id("room-title")).getText()).isEqualTo("# ..");
    chat.say("hello dots");
    awaitShown(chat, "hello dots");
  }

  /** ?room= of 63 letters and an emoji: cleanRoom cuts at 64 UTF-16 units, inside the emoji. */
  @Test
  void aLongRoomNameWithAnEmojiAtTheCutCanBeChattedIn() {
    String name = "a".repeat(63) + "\uD83D\uDE00";
    WebDriver w = chromium.open();
    ((org.openqa.selenium.chrome.ChromeDriver) w)
        .executeCdpCommand(
            "Page.addScriptToEvaluateOnNewDocument",
            Map.of(
                "source",
                "window.__errors = []; addEventListener('error', e => __errors.push(e.message));"));
    w.get(server.url() + "/chat?room=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
    ChatWindow chat = new ChatWindow(w);
    try {
      chat.awaitStatus("connected");
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "status '"
              + chat.status()
              + "', title "
              + ((JavascriptExecutor) w)
                  .executeScript(
                      "return JSON.stringify(document.getElementById('room-title').textContent)")
              + ", page errors: "
              + ((JavascriptExecutor) w).executeScript("return window.__errors"));
    }
    chat.say("hello emoji");
    awaitShown(chat, "hello emoji");
  }

  /** A channel name the input accepts (100 characters, 300 bytes) gives feedback, not a dead UI. */
  @Test
  void theDashboardTailSaysWhyItCannotTailAChannel() throws Exception {
    WebDriver w = chromium.open();
    w.get(server.url() + "/dashboard");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> "connected".equals(w.findElement(By.id("status")).getAttribute("data-status")));
    w.findElement(By.id("tail-channel")).sendKeys("\u20ac".repeat(100) + Keys.ENTER);
    Thread.sleep(1500);
    String button = w.findElement(By.id("tail-button")).getText();
    String status = w.findElement(By.id("tail-status")).getText();
    List<String> tail =
        w.findElements(By.cssSelector("#tail li")).stream().map(WebElement::getText).toList();
    assertThat(tail)
        .as("tail panel after submitting a 300-byte name: button '%s', status '%s'", button, status)
        .isNotEmpty();
  }

  /** A long unbroken user name (another client may send any) must not widen the feed. */
  @Test
  void aLongUserNameDoesNotOverflowTheFeed() {
    ChatWindow chat = ChatWindow.open(chromium, server.url() + "/chat?room=wide", "ada");
    realtime.channel("wide").emit("chat.message", Map.of("user", "x".repeat(400), "text", "hi"));
    chat.awaitText("hi");
    JavascriptExecutor js = (JavascriptExecutor) chat.window;
    Object feed =
        js.executeScript(
            "const f = document.getElementById('feed'); return [f.scrollWidth, f.clientWidth,"
                + " document.documentElement.scrollWidth, document.documentElement.clientWidth]");
    Chromium.screenshot(chat.window, "review-long-user-name");
    List<?> sizes = (List<?>) feed;
    assertThat(((Number) sizes.get(0)).longValue())
        .as("feed scrollWidth vs clientWidth, page scrollWidth vs clientWidth: %s", sizes)
        .isLessThanOrEqualTo(((Number) sizes.get(1)).longValue());
  }

  /** An avatar shows the name's first character, not half of it. */
  @Test
  void anEmojiNameGetsAWholeAvatarCharacter() {
    ChatWindow chat = ChatWindow.open(chromium, server.url() + "/chat?room=faces", "ada");
    realtime.channel("faces").emit("chat.message", Map.of("user", "\uD83D\uDE00bob", "text", "yo"));
    chat.awaitText("yo");
    Object avatar =
        ((JavascriptExecutor) chat.window)
            .executeScript(
                "const t = document.querySelector('#messages .avatar').textContent;"
                    + " return [...t].map(c => c.codePointAt(0).toString(16)).join(' ')");
    assertThat(avatar).as("code points of the avatar").isEqualTo("1f600");
  }
}
