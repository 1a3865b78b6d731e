package dev.kopek.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256, the one digest Kopek uses for ids, request fingerprints and hash chains. */
public final class Hashes {

  private Hashes() {}

  /**
   * A new SHA-256 digest, for hashing in parts.
   *
   * @return the digest
   */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }

  /**
   * The SHA-256 of {@code text}'s UTF-8 bytes.
   *
   * @param text the text
   * @return the 32-byte digest
   */
  public static byte[] sha256(String text) {
    return newSha256().digest(text.getBytes(StandardCharsets.UTF_8));
  }
}
