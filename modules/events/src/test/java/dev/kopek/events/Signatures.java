package dev.kopek.events;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a delivery's signatures two ways: with the Standard Webhooks Java library, as a merchant
 * would, and with an HMAC-SHA256 written here from the specification, over the raw bytes received.
 */
final class Signatures {

  private Signatures() {}

  /** Whether the Standard Webhooks library accepts the delivery under {@code secret}. */
  static boolean libraryAccepts(String secret, Receiver.Delivery delivery) {
    try {
      new Webhook(secret).verify(delivery.text(), delivery.headers());
      return true;
    } catch (WebhookVerificationException refused) {
      return false;
    }
  }

  /** The {@code v1} signatures of the delivery's header, in the order sent. */
  static List<String> v1(Receiver.Delivery delivery) {
    List<String> signatures = new ArrayList<>();
    String header = delivery.header("webhook-signature");
    if (header == null) {
      return signatures;
    }
    for (String part : header.split(" ")) {
      String[] versioned = part.split(",", 2);
      if (versioned.length == 2 && versioned[0].equals("v1")) {
        signatures.add(versioned[1]);
      }
    }
    return signatures;
  }

  /**
   * How many of the delivery's {@code v1} signatures are the HMAC-SHA256, keyed with the
   * Base64-decoded part of {@code secret} after {@code whsec_}, of {@code id.timestamp.body}.
   */
  static int hmacMatches(String secret, Receiver.Delivery delivery) {
    byte[] expected = hmac(secret, delivery);
    int matches = 0;
    for (String signature : v1(delivery)) {
      byte[] given;
      try {
        given = Base64.getDecoder().decode(signature);
      } catch (IllegalArgumentException notBase64) {
        continue;
      }
      if (MessageDigest.isEqual(given, expected)) {
        matches++;
      }
    }
    return matches;
  }

  private static byte[] hmac(String secret, Receiver.Delivery delivery) {
    if (!secret.startsWith("whsec_")) {
      throw new AssertionError("a secret in the Standard Webhooks form whsec_...: " + secret);
    }
    byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      String prefix = delivery.id() + "." + delivery.header("webhook-timestamp") + ".";
      mac.update(prefix.getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(delivery.body());
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
