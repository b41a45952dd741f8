package dev.realtime.server.browser;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;

/** Screenshots of several windows side by side in one PNG, next to Chromium's single ones. */
final class Screens {
  private Screens() {}

  static Path sideBySide(String name, WebDriver... windows) {
    try {
      List<BufferedImage> shots = new ArrayList<>();
      for (WebDriver w : windows) {
        byte[] png = ((TakesScreenshot) w).getScreenshotAs(OutputType.BYTES);
        shots.add(ImageIO.read(new ByteArrayInputStream(png)));
      }
      int gap = 12;
      int width = shots.stream().mapToInt(BufferedImage::getWidth).sum() + gap * (shots.size() - 1);
      int height = shots.stream().mapToInt(BufferedImage::getHeight).max().orElse(1);
      BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
      Graphics2D g = out.createGraphics();
      g.setColor(new Color(0x1d2330));
      g.fillRect(0, 0, width, height);
      int x = 0;
      for (BufferedImage s : shots) {
        g.drawImage(s, x, 0, null);
        x += s.getWidth() + gap;
      }
      g.dispose();
      Files.createDirectories(Chromium.SCREENSHOTS);
      Path to = Chromium.SCREENSHOTS.resolve(name + ".png");
      ImageIO.write(out, "png", to.toFile());
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
