package dev.realtime.server.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Debian Chromium driven by Debian's chromedriver, for browser tests. Never downloads a
 * browser or a driver: Selenium Manager is bypassed by naming both binaries. Each window is its own
 * browser process with an empty profile (so two windows are two independent users). Close it to
 * quit every window it opened.
 *
 * <p>Screenshots go to {@code target/screenshots/} (the build artifacts a reviewer looks at).
 */
public final class Chromium implements AutoCloseable {
  public static final Path BROWSER = Path.of("/usr/bin/chromium");
  public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  public static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private final List<WebDriver> windows = new ArrayList<>();
  private final List<Path> profiles = new ArrayList<>();

  /** Fails with what to install when Chromium or its driver is missing. */
  public static void requireInstalled() {
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      throw new IllegalStateException(
          "browser tests need Debian's Chromium and ChromeDriver at "
              + BROWSER
              + " and "
              + DRIVER
              + ": apt-get install -y chromium chromium-driver (./test does this as root)");
    }
  }

  /** Opens a new headless window (1280x900) in a browser process of its own. */
  public WebDriver open() {
    requireInstalled();
    System.setProperty("SE_OFFLINE", "true"); // never let Selenium Manager reach the network
    Path profile;
    try {
      profile = Files.createTempDirectory("realtime-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--window-size=1280,900",
        "--user-data-dir=" + profile);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    synchronized (this) {
      windows.add(driver);
      profiles.add(profile);
    }
    return driver;
  }

  /** Saves a PNG of what the window shows as {@code target/screenshots/<name>.png}. */
  public static Path screenshot(WebDriver window, String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path png = ((TakesScreenshot) window).getScreenshotAs(OutputType.FILE).toPath();
      Path to = SCREENSHOTS.resolve(name + ".png");
      Files.copy(png, to, StandardCopyOption.REPLACE_EXISTING);
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    for (WebDriver w : windows) {
      try {
        w.quit();
      } catch (RuntimeException ignored) {
        // the browser may already be gone
      }
    }
    windows.clear();
    for (Path p : profiles) {
      deleteQuietly(p);
    }
    profiles.clear();
  }

  private static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException ignored) {
                  // best effort
                }
              });
    } catch (IOException ignored) {
      // best effort
    }
  }
}
