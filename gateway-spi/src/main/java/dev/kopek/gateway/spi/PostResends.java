package dev.kopek.gateway.spi;

/**
 * Stops the JDK's HTTP client from sending a POST a second time by itself. The SDK talks over
 * {@link java.net.HttpURLConnection}, which by default resends a request once, unseen by the
 * caller, when the connection closes before any answer arrives ({@code sun.net.http.retryPost}).
 * The provider may have acted on the first one: a payment call is sent again only by Kopek, which
 * knows it is a retry (and, where the provider takes one, with the same idempotency key).
 *
 * <p>The property is read once per JVM, when the JDK's HTTP client is first used, so Kopek sets it
 * first thing at start-up, and providers whose SDKs use that client set it again as soon as they
 * are loaded (for embedders); it is set only when the operator has not set it already.
 */
public final class PostResends {

  /** The JDK's system property. */
  public static final String PROPERTY = "sun.net.http.retryPost";

  private PostResends() {}

  /** Turns the JDK's own resending of POSTs off, unless the property is set already. */
  public static void turnOff() {
    if (System.getProperty(PROPERTY) == null) {
      System.setProperty(PROPERTY, "false");
    }
  }
}
