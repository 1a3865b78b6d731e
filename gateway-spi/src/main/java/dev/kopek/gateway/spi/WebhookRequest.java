package dev.kopek.gateway.spi;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A webhook exactly as it arrived: the raw body bytes (signatures cover them byte for byte) and
 * every header.
 *
 * @param rawBody the body, unparsed
 * @param headers every header; names are matched case-insensitively by {@link #header}
 * @param contentType the Content-Type header, or null
 */
public record WebhookRequest(
    byte[] rawBody, Map<String, List<String>> headers, String contentType) {

  /** Copies the body and the headers into a case-insensitive map. */
  public WebhookRequest {
    rawBody = rawBody == null ? new byte[0] : rawBody.clone();
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (headers != null) {
      headers.forEach(
          (name, values) -> copy.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
    }
    headers = copy;
  }

  /**
   * The first value of a header.
   *
   * @param name the header name, any case
   * @return the value, or null when absent
   */
  public String header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The body; a copy, so callers cannot alter what was verified. */
  @Override
  public byte[] rawBody() {
    return rawBody.clone();
  }
}
