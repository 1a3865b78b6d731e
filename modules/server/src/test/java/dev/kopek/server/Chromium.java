package dev.kopek.server;

import java.nio.file.Path;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium, driven through the system's chromedriver (found by path, so Selenium
 * Manager, which would download one, never runs), for the browser tests. The browser's console is
 * recorded, so that tests can read policy violations from it.
 */
final class Chromium implements AutoCloseable {

  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  private final ChromeDriverService service;
  private final ChromeDriver driver;

  private Chromium(ChromeDriverService service, ChromeDriver driver) {
    this.service = service;
    this.driver = driver;
  }

  /**
   * A browser with its profile in {@code profile}, 1280 × 900.
   *
   * @param hideScrollbars whether scroll bars are left out (screenshots the width of the window)
   */
  static Chromium start(Path profile, boolean hideScrollbars) {
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--disable-quic",
        "--window-size=1280,900",
        "--user-data-dir=" + profile);
    if (hideScrollbars) {
      options.addArguments("--hide-scrollbars");
    }
    LoggingPreferences logging = new LoggingPreferences();
    logging.enable(LogType.BROWSER, Level.ALL);
    options.setCapability(ChromeOptions.LOGGING_PREFS, logging);
    try {
      return new Chromium(service, new ChromeDriver(service, options));
    } catch (RuntimeException failed) {
      service.stop();
      throw failed;
    }
  }

  ChromeDriver driver() {
    return driver;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}
