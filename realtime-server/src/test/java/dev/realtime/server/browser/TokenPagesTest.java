package dev.realtime.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.realtime.Realtime;
import dev.realtime.server.RealtimeServer;
import dev.realtime.server.ServerConfig;
import dev.realtime.server.auth.TokenMinter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The pages on a server with a secret: the token of the page's {@code ?token=} or {@code #token=}
 * goes to the stream, to emits and to {@code /stats}, and stays on the links between pages; what it
 * does not grant is refused in plain words.
 */
class TokenPagesTest {
  static final String SECRET = "a-test-secret-of-at-least-thirty-two-bytes!";

  final Realtime realtime = Realtime.create();
  final RealtimeServer server =
      RealtimeServer.builder(realtime)
          .config(ServerConfig.builder().port(0).secret(SECRET).build())
          .start();
  final Chromium chromium = new Chromium();
  final TokenMinter minter = new TokenMinter(SECRET);

  @AfterEach
  void close() {
    chromium.close();
    server.close();
    realtime.close();
  }

  @Test
  void thePagesUseTheTokenOfTheirUrl() {
    realtime.channel("team-1").emit("chat.message", Map.of("user", "x", "text", "y"));
    String member = minter.mint("ada", List.of("room-*"), List.of("room-*"), Duration.ofMinutes(5));
    String reader = minter.mint("bob", List.of("room-*"), List.of(), Duration.ofMinutes(5));

    ChatWindow ada =
        ChatWindow.open(chromium, server.url() + "/chat?room=room-1&token=" + member, "ada");
    ada.say("with a token");
    ada.awaitText("with a token");
    // The token left the address bar (history, bookmarks, shared links); the tab keeps it, so the
    // other pages of the tab find it without it in their links.
    assertThat(ada.window.getCurrentUrl()).doesNotContain(member).contains("room=room-1");
    String dashboard =
        ada.window.findElement(By.cssSelector("nav a[href^='/dashboard']")).getAttribute("href");
    assertThat(dashboard).endsWith("/dashboard").doesNotContain(member);

    // In the fragment, the token never reaches a server at all.
    ChatWindow bob =
        ChatWindow.open(chromium, server.url() + "/chat?room=room-1#token=" + reader, "bob");
    bob.awaitText("with a token");
    bob.say("may I?");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                bob.window.findElements(By.cssSelector("#outbox li.failed .state")).stream()
                    .map(WebElement::getText)
                    .anyMatch(t -> t.contains("may not publish to channel 'room-1'")));
    assertThat(ada.texts()).doesNotContain("may I?");

    // The dashboard lists only what the token may subscribe to: room-1, not team-1.
    WebDriver board = ada.window;
    board.get(dashboard);
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                board.findElements(By.cssSelector("#channels tr")).stream()
                    .map(tr -> tr.getAttribute("data-channel"))
                    .toList()
                    .equals(List.of("room-1")));
    assertThat(board.findElement(By.id("status")).getAttribute("data-status"))
        .isEqualTo("connected");

    WebDriver anonymous = chromium.open();
    anonymous.get(server.url() + "/chat?room=room-1");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                "error".equals(anonymous.findElement(By.id("status")).getAttribute("data-status")));
    assertThat(anonymous.findElement(By.id("banner")).getText()).contains("no token");
  }
}
