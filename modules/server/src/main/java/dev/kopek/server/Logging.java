package dev.kopek.server;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Sets up logging before the first logger exists: slf4j-simple to standard error with times, Vert.x
 * routed through SLF4J, java.util.logging (the providers' SDKs, the provider modules) into the same
 * log, and chatty libraries held to warnings. Any setting passed with {@code -D} on the command
 * line wins. {@code main}, {@link KopekConfig} and {@link Kopek} call it first, so that Kopek
 * embedded in another program logs as {@code kopek.jar} does.
 */
final class Logging {

  private Logging() {}

  static synchronized void configure() {
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
    // Hazelcast (the clustered event bus) logs every membership detail at INFO.
    defaults("org.slf4j.simpleLogger.log.com.hazelcast", "warn");
    // Kopek uses no CP data structure; Hazelcast warns that they would be unsafe.
    defaults("org.slf4j.simpleLogger.log.com.hazelcast.cp", "error");
    defaults("hazelcast.logging.type", "slf4j");
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  private static void defaults(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }
}
