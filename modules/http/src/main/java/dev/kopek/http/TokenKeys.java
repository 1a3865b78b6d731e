package dev.kopek.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys API tokens may be signed with, from the {@code auth} section: the HS256 secret ({@code
 * auth.jwt_secret}), an RS256 or ES256 public key of the merchant's identity provider ({@code
 * auth.public_key_pem}), and its published key set ({@code auth.jwks_url}). Any combination; at
 * least one. A token is verified only with a key of the algorithm its header names, and an HMAC is
 * only ever computed with {@code auth.jwt_secret}: a token HMAC-signed with the public key's bytes
 * (the "algorithm confusion" forgery) finds no key to pass.
 *
 * @param secret the HS256 secret, or null
 * @param publicKey the public key as vertx-auth-jwt takes it (algorithm and PEM), or null
 * @param jwksUrl where the identity provider publishes its keys (RFC 7517), or null
 * @param jwksCacheMs how long fetched keys are used before they are fetched again
 * @param jwksMinIntervalMs the least time between two fetches prompted by tokens naming a key Kopek
 *     does not know
 */
public record TokenKeys(
    String secret,
    PubSecKeyOptions publicKey,
    URI jwksUrl,
    long jwksCacheMs,
    long jwksMinIntervalMs) {

  /** The asymmetric algorithms accepted from an identity provider. */
  public static final String RS256 = "RS256";

  /** ECDSA on P-256 with SHA-256. */
  public static final String ES256 = "ES256";

  /** RSA keys shorter than this are refused (NIST SP 800-131A). */
  static final int RSA_BITS_MIN = 2048;

  /** The order of NIST P-256's base point, which tells that curve from other 256-bit ones. */
  private static final java.math.BigInteger P256_ORDER =
      new java.math.BigInteger(
          "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

  private static final Pattern PEM =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----",
          Pattern.DOTALL);

  /** Whether an identity provider's key or key set is configured (tokens need no shared secret). */
  public static boolean asymmetricConfigured(JsonObject config) {
    JsonObject auth = config.getJsonObject("auth", new JsonObject());
    return !blank(auth.getString("public_key_pem")) || !blank(auth.getString("jwks_url"));
  }

  /**
   * Reads and checks the keys.
   *
   * @throws IllegalArgumentException naming the key and the fix
   */
  public static TokenKeys from(JsonObject config) {
    JsonObject auth = config.getJsonObject("auth", new JsonObject());
    String secret = blank(auth.getString("jwt_secret")) ? null : auth.getString("jwt_secret");
    PubSecKeyOptions publicKey =
        blank(auth.getString("public_key_pem"))
            ? null
            : publicKey(auth.getString("public_key_pem").trim());
    URI jwks = blank(auth.getString("jwks_url")) ? null : jwksUrl(auth.getString("jwks_url"));
    if (secret == null && publicKey == null && jwks == null) {
      throw new IllegalArgumentException(
          "auth.jwt_secret (KOPEK_JWT_SECRET), auth.public_key_pem (KOPEK_JWT_PUBLIC_KEY) or "
              + "auth.jwks_url (KOPEK_JWT_JWKS_URL) must be set: tokens need a key to be checked "
              + "with");
    }
    long cacheS = auth.getLong("jwks_cache_s", 300L);
    if (cacheS < 10 || cacheS > 86_400) {
      throw new IllegalArgumentException(
          "auth.jwks_cache_s must be between 10 and 86400, was " + cacheS);
    }
    long minIntervalMs = auth.getLong("jwks_min_refresh_ms", 10_000L);
    if (minIntervalMs < 0 || minIntervalMs > 3_600_000) {
      throw new IllegalArgumentException(
          "auth.jwks_min_refresh_ms must be between 0 and 3600000, was " + minIntervalMs);
    }
    return new TokenKeys(secret, publicKey, jwks, cacheS * 1000, minIntervalMs);
  }

  private static URI jwksUrl(String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (java.net.URISyntaxException e) {
      uri = null;
    }
    if (uri == null
        || uri.getHost() == null
        || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
      throw new IllegalArgumentException(
          "auth.jwks_url (KOPEK_JWT_JWKS_URL) must be an http(s) URL such as "
              + "https://id.example.com/.well-known/jwks.json, was \""
              + text
              + "\"");
    }
    return uri;
  }

  /**
   * The public key from PEM text ({@code PUBLIC KEY} or {@code CERTIFICATE}), or from the file the
   * setting names; RS256 for an RSA key of at least 2048 bits, ES256 for an EC key on P-256.
   */
  static PubSecKeyOptions publicKey(String setting) {
    String pem;
    if (setting.startsWith("-----BEGIN")) {
      pem = setting;
    } else {
      try {
        pem = Files.readString(Path.of(setting), StandardCharsets.US_ASCII);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(
            "auth.public_key_pem (KOPEK_JWT_PUBLIC_KEY) must be a PEM public key or "
                + "certificate, or the path of a file holding one; "
                + setting
                + " cannot be read ("
                + e.getMessage()
                + ")");
      }
    }
    PublicKey key = parse(pem);
    String algorithm;
    if (key instanceof RSAPublicKey rsa) {
      if (rsa.getModulus().bitLength() < RSA_BITS_MIN) {
        throw new IllegalArgumentException(
            "auth.public_key_pem (KOPEK_JWT_PUBLIC_KEY) is an RSA key of "
                + rsa.getModulus().bitLength()
                + " bits; at least "
                + RSA_BITS_MIN
                + " are needed");
      }
      algorithm = RS256;
    } else if (key instanceof ECPublicKey ec && P256_ORDER.equals(ec.getParams().getOrder())) {
      algorithm = ES256;
    } else {
      throw new IllegalArgumentException(
          "auth.public_key_pem (KOPEK_JWT_PUBLIC_KEY) must be an RSA key (RS256) or an EC key "
              + "on P-256 (ES256), was "
              + key.getAlgorithm());
    }
    String normalized =
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    return new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(normalized);
  }

  private static PublicKey parse(String pem) {
    Matcher matcher = PEM.matcher(pem);
    if (!matcher.find()) {
      throw new IllegalArgumentException(
          "auth.public_key_pem (KOPEK_JWT_PUBLIC_KEY) holds no PEM block "
              + "(-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----)");
    }
    String kind = matcher.group(1);
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(matcher.group(2));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "auth.public_key_pem (KOPEK_JWT_PUBLIC_KEY): the PEM block is not valid base64");
    }
    try {
      if ("CERTIFICATE".equals(kind)) {
        return CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(der))
            .getPublicKey();
      }
      if ("PUBLIC KEY".equals(kind)) {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        try {
          return KeyFactory.getInstance("RSA").generatePublic(spec);
        } catch (GeneralSecurityException notRsa) {
          return KeyFactory.getInstance("EC").generatePublic(spec);
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "auth.public_key_pem (KOPEK_JWT_PUBLIC_KEY): the "
              + kind
              + " cannot be read ("
              + e.getMessage()
              + ")");
    }
    throw new IllegalArgumentException(
        "auth.public_key_pem (KOPEK_JWT_PUBLIC_KEY) must hold a PUBLIC KEY or a CERTIFICATE, "
            + "not a "
            + kind
            + (kind.contains("PRIVATE") ? " (never give Kopek the private key)" : ""));
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
