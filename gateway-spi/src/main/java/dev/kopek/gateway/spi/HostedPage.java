package dev.kopek.gateway.spi;

import java.util.List;

/**
 * The provider's part of Kopek's hosted checkout page. Kopek wraps it in its page template and
 * serves it with a strict Content-Security-Policy that allows exactly the origins listed here.
 *
 * @param bodyHtml the form, as HTML; Kopek escapes nothing in it, so the provider escapes what it
 *     interpolates
 * @param script inline JavaScript run by the page (Kopek adds the CSP nonce), or empty
 * @param scriptOrigins origins the page may load scripts from, e.g. {@code https://js.stripe.com}
 * @param frameOrigins origins the page may frame
 * @param connectOrigins origins the page's scripts may call
 */
public record HostedPage(
    String bodyHtml,
    String script,
    List<String> scriptOrigins,
    List<String> frameOrigins,
    List<String> connectOrigins) {

  /** Copies the lists; absent ones are empty. */
  public HostedPage {
    script = script == null ? "" : script;
    scriptOrigins = scriptOrigins == null ? List.of() : List.copyOf(scriptOrigins);
    frameOrigins = frameOrigins == null ? List.of() : List.copyOf(frameOrigins);
    connectOrigins = connectOrigins == null ? List.of() : List.copyOf(connectOrigins);
  }
}
