package dev.kopek.server;

/**
 * Sets up logging before the first logger exists: slf4j-simple to standard error with times, Vert.x
 * routed through SLF4J, and chatty libraries held to warnings. Any setting passed with {@code -D}
 * on the command line wins.
 */
final class Logging {

  private Logging() {}

  static void configure() {
    defaults(
        "vertx.logger-delegate-factory-class-name",
        "io.vertx.core.logging.SLF4JLogDelegateFactory");
    defaults("org.slf4j.simpleLogger.defaultLogLevel", "info");
    defaults("org.slf4j.simpleLogger.showDateTime", "true");
    defaults("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    defaults("org.slf4j.simpleLogger.showThreadName", "false");
    defaults("org.slf4j.simpleLogger.showShortLogName", "true");
    defaults("org.slf4j.simpleLogger.log.io.zonky", "warn");
    defaults("org.slf4j.simpleLogger.log.org.flywaydb", "warn");
    defaults("org.slf4j.simpleLogger.log.io.netty", "warn");
    // vertx-micrometer registers one event-bus gauge twice; the warning is noise.
    defaults("org.slf4j.simpleLogger.log.io.micrometer.core.instrument.MeterRegistry", "error");
  }

  private static void defaults(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
