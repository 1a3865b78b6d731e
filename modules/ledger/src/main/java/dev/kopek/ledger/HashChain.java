package dev.kopek.ledger;

import dev.kopek.model.Hashes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * SHA-256 over length-prefixed fields, so that no two different field lists hash alike. An entry's
 * hash covers the previous entry's hash of the same wallet, chaining the wallet's whole history:
 * altering, removing or reordering any entry changes every hash after it.
 */
final class HashChain {

  /** The "previous hash" of a wallet's first entry. */
  static final byte[] GENESIS = new byte[32];

  private HashChain() {}

  /** The hash of an entry, given the previous entry's hash. */
  static byte[] entryHash(
      byte[] previousHash,
      long seq,
      String userId,
      String currency,
      String counterAccount,
      long amountMinor,
      long balanceAfterMinor,
      String kind,
      String reason,
      String reference,
      String idempotencyKey,
      Instant createdAt) {
    MessageDigest digest = Hashes.newSha256();
    digest.update(previousHash);
    update(digest, seq);
    update(digest, userId);
    update(digest, currency);
    update(digest, counterAccount);
    update(digest, amountMinor);
    update(digest, balanceAfterMinor);
    update(digest, kind);
    update(digest, reason);
    update(digest, reference);
    update(digest, idempotencyKey);
    update(digest, ChronoUnit.MICROS.between(Instant.EPOCH, createdAt));
    return digest.digest();
  }

  /**
   * The fingerprint of a command's content, stored with its entry: a repeat of the idempotency key
   * with another fingerprint is a conflict, not a retry.
   */
  static byte[] requestHash(
      String userId,
      String currency,
      long amountMinor,
      String kind,
      String reason,
      String reference,
      String counterAccount) {
    MessageDigest digest = Hashes.newSha256();
    update(digest, userId);
    update(digest, currency);
    update(digest, amountMinor);
    update(digest, kind);
    update(digest, reason);
    update(digest, reference);
    update(digest, counterAccount);
    return digest.digest();
  }

  private static void update(MessageDigest digest, long value) {
    digest.update(ByteBuffer.allocate(Long.BYTES).putLong(value).array());
  }

  private static void update(MessageDigest digest, String value) {
    if (value == null) {
      update(digest, -1L);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    update(digest, bytes.length);
    digest.update(bytes);
  }
}
