package dev.kopek.events;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookSigningException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;

/**
 * Standard Webhooks signatures: {@code webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">}, one per secret, separated by spaces while a secret rotates. Secrets are
 * {@code whsec_<base64 of 32 random bytes>}.
 */
final class Signer {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Signer() {}

  static String newSecret() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return "whsec_" + Base64.getEncoder().encodeToString(key);
  }

  /** The {@code webhook-signature} header's value: a signature per secret, newest first. */
  static String signature(List<String> secrets, String id, long timestampS, String body) {
    StringJoiner header = new StringJoiner(" ");
    for (String secret : secrets) {
      try {
        header.add(new Webhook(secret).sign(id, timestampS, body));
      } catch (WebhookSigningException e) {
        throw new IllegalStateException("signing a webhook failed", e);
      }
    }
    return header.toString();
  }
}
