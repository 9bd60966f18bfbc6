package io.tracestitch.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, driven through Debian's chromedriver (both installed by {@code .ci/test-deps}).
 * Named explicitly, so Selenium never tries to download a driver. One per test class: starting it costs seconds.
 */
final class HeadlessChromium implements AutoCloseable {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final ChromeDriver driver;
  private final Path profile;

  private HeadlessChromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  static HeadlessChromium start() {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException("The browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
          + " (Debian's chromium and chromium-driver): run .ci/test-deps as root, then the tests again.");
    }
    Path profile;
    try {
      profile = Files.createTempDirectory("tracestitch-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    // Headless as root on a machine without network: these are the flags that work here (see MACHINE-EXTRAS.md).
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-extensions", "--user-data-dir=" + profile, "--window-size=1500,1400");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    return new HeadlessChromium(new ChromeDriver(service, options), profile);
  }

  WebDriver driver() {
    return driver;
  }

  /** Opens the page and waits until its script says it is drawn ({@code body[data-state]} set), or fails. */
  void open(String url) {
    driver.get(url);
  }

  <T> T await(Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, WAIT).until(condition::apply);
  }

  /** Waits for the workflow page to say it rendered (or failed), and returns which. */
  String awaitWorkflowPage() {
    return await(d -> {
      String state = d.findElement(By.tagName("body")).getDomAttribute("data-state");
      return state == null ? null : state;
    });
  }

  Object script(String javascript, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(javascript, args);
  }

  /** The whole page as PNG under target/ui-screenshots/, the window stretched to the page's height first. */
  Path screenshot(String name) {
    long height = ((Number) script("return Math.ceil(document.documentElement.scrollHeight)")).longValue();
    Dimension before = driver.manage().window().getSize();
    driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(6000, Math.max(900, height + 40))));
    try {
      Path dir = Path.of("target", "ui-screenshots");
      Files.createDirectories(dir);
      Path file = dir.resolve(name + ".png");
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
      return file.toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      driver.manage().window().setSize(before);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // A leftover temporary profile is harmless.
      }
    }
  }
}
