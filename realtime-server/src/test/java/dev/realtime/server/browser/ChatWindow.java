package dev.realtime.server.browser;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/** One browser window on the chat page, as a user sees it: what it shows, what one types. */
final class ChatWindow {
  /** A message as the page shows it. */
  record Shown(String id, String user, String text) {}

  final WebDriver window;

  ChatWindow(WebDriver window) {
    this.window = window;
  }

  /**
   * Opens {@code n} browser windows at once (each is a browser process that takes a second or two
   * to start), for tests to load pages into.
   */
  static List<WebDriver> windows(Chromium chromium, int n) {
    List<Future<WebDriver>> starting = new ArrayList<>();
    // Platform threads: Selenium's DevTools handshake timed out when started on virtual threads.
    try (var starter = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().factory())) {
      for (int i = 0; i < n; i++) starting.add(starter.submit(chromium::open));
    }
    return starting.stream().map(Future::resultNow).toList();
  }

  static ChatWindow open(Chromium chromium, String url, String name) {
    return open(chromium.open(), url, name);
  }

  /** Loads the chat at {@code url} into {@code w}, waits until it is live, and sets the name. */
  static ChatWindow open(WebDriver w, String url, String name) {
    w.get(url);
    ChatWindow chat = new ChatWindow(w);
    chat.awaitStatus("connected");
    WebElement field = w.findElement(By.id("name"));
    field.clear();
    field.sendKeys(name);
    return chat;
  }

  /** Types a message and presses Enter. */
  void say(String text) {
    window.findElement(By.id("text")).sendKeys(text + Keys.ENTER);
  }

  /** The messages of the room, in the order shown. */
  @SuppressWarnings("unchecked")
  List<Shown> shown() {
    List<Map<String, String>> rows =
        (List<Map<String, String>>)
            ((JavascriptExecutor) window)
                .executeScript(
                    "return [...document.querySelectorAll('#messages li.msg')].map(e => ({id:"
                        + " e.dataset.id, user: e.querySelector('.user').textContent, text:"
                        + " e.querySelector('.text').textContent}))");
    return rows.stream().map(r -> new Shown(r.get("id"), r.get("user"), r.get("text"))).toList();
  }

  List<String> texts() {
    return shown().stream().map(Shown::text).toList();
  }

  /** The texts waiting in the outbox (typed, not yet sent). */
  List<String> pending() {
    return window.findElements(By.cssSelector("#outbox li .text")).stream()
        .map(WebElement::getText)
        .toList();
  }

  String status() {
    return window.findElement(By.id("status")).getAttribute("data-status");
  }

  void awaitStatus(String status) {
    awaitStatus(status::equals, Duration.ofSeconds(15));
  }

  void awaitStatus(Predicate<String> status, Duration timeout) {
    Awaitility.await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(50))
        .alias("chat status, now " + status())
        .until(() -> status.test(status()));
  }

  /** Waits until the room shows {@code text}. */
  void awaitText(String text) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .alias("'" + text + "' shown")
        .until(() -> texts().contains(text));
  }

  /** Waits until the room shows {@code n} messages. */
  void awaitCount(int n) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(50))
        .alias(n + " messages shown")
        .until(() -> shown().size() >= n);
  }
}
