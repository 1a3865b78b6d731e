package dev.kopek.gateway.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies the sandbox's webhooks, with Stripe's scheme: the header {@value #HEADER}
 * carries {@code t=<unix seconds>,v1=<hex HMAC-SHA256>}, the MAC taken with the webhook secret over
 * {@code t + "." + raw body}. Binding the timestamp into the MAC lets the receiver refuse replays
 * of old deliveries; several {@code v1} entries may appear so that a secret can be rotated without
 * refusing deliveries signed with the old one.
 *
 * <p>Tests use {@link #sign} to craft webhooks the sandbox gateway accepts.
 */
public final class SandboxSignature {

  /** The name of the header that carries the signature. */
  public static final String HEADER = "Kopek-Sandbox-Signature";

  private static final String ALGORITHM = "HmacSHA256";
  private static final HexFormat HEX = HexFormat.of();

  private SandboxSignature() {}

  /**
   * Signs a webhook body.
   *
   * @param secret the webhook secret
   * @param timestamp when the webhook is sent, in unix seconds
   * @param rawBody the body exactly as it will be sent
   * @return the value for the {@value #HEADER} header
   */
  public static String sign(String secret, long timestamp, byte[] rawBody) {
    return "t=" + timestamp + ",v1=" + HEX.formatHex(mac(secret, timestamp, rawBody));
  }

  /**
   * Verifies a webhook's signature header against its raw body.
   *
   * @param header the {@value #HEADER} header's value, or null when absent
   * @param rawBody the body exactly as received
   * @param secret the webhook secret
   * @param now the current time, in unix seconds
   * @param toleranceSeconds how far the signed timestamp may lie from {@code now}, either way
   * @return why the webhook is refused, or empty when the signature is valid
   */
  public static Optional<String> verify(
      String header, byte[] rawBody, String secret, long now, long toleranceSeconds) {
    Objects.requireNonNull(rawBody, "rawBody");
    if (header == null || header.isBlank()) {
      return Optional.of("missing " + HEADER + " header");
    }
    Long timestamp = null;
    List<byte[]> candidates = new ArrayList<>();
    for (String part : header.split(",", -1)) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        return Optional.of("malformed " + HEADER + " header");
      }
      String key = part.substring(0, eq).trim();
      String value = part.substring(eq + 1).trim();
      if (key.equals("t")) {
        if (timestamp != null || !value.matches("[0-9]{1,12}")) {
          return Optional.of("malformed timestamp in " + HEADER + " header");
        }
        timestamp = Long.parseLong(value);
      } else if (key.equals("v1")) {
        // A v1 that is not hex cannot match; it is skipped rather than refusing the header, so a
        // receiver behaves the same whatever garbage accompanies a valid signature.
        if (value.length() == 64 && value.matches("[0-9a-fA-F]+")) {
          candidates.add(HEX.parseHex(value));
        }
      }
      // Other schemes (Stripe's v0, a future v2) are ignored, as Stripe's receivers do.
    }
    if (timestamp == null) {
      return Optional.of("no timestamp in " + HEADER + " header");
    }
    if (candidates.isEmpty()) {
      return Optional.of("no v1 signature in " + HEADER + " header");
    }
    byte[] expected = mac(secret, timestamp, rawBody);
    boolean matched = false;
    for (byte[] candidate : candidates) {
      // Not short-circuited, so the time taken does not tell which candidate matched.
      matched |= MessageDigest.isEqual(expected, candidate);
    }
    if (!matched) {
      return Optional.of("signature does not match");
    }
    if (Math.abs(now - timestamp) > toleranceSeconds) {
      return Optional.of(
          "timestamp "
              + timestamp
              + " is more than "
              + toleranceSeconds
              + " s from now ("
              + now
              + ")");
    }
    return Optional.empty();
  }

  private static byte[] mac(String secret, long timestamp, byte[] rawBody) {
    Objects.requireNonNull(secret, "secret");
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("the webhook secret is empty");
    }
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
      mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(rawBody);
    } catch (GeneralSecurityException e) {
      // HmacSHA256 is required of every Java platform.
      throw new IllegalStateException(ALGORITHM + " is unavailable", e);
    }
  }
}
