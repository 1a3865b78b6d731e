package dev.kopek.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS for the public HTTP listener ({@code http.tls}): the server's certificate chain and private
 * key as PEM files. Vert.x serves HTTP/2 and HTTP/1.1 over it, chosen by ALPN. The files are read
 * whole at each (re)load, so a certificate renewed in place (a new file moved over the old one) is
 * picked up by {@link HttpVerticle#reloadTls()} without a restart.
 *
 * @param certificate the PEM certificate chain, the server's own certificate first
 * @param key the PEM private key (PKCS#8, or PKCS#1 RSA)
 * @param watchMs how often the files' modification times are compared, 0 never
 */
public record HttpTls(Path certificate, Path key, long watchMs) {

  /** Checks that both files are named together and can be read. */
  public HttpTls {
    Objects.requireNonNull(certificate);
    Objects.requireNonNull(key);
    if (watchMs < 0 || watchMs > 86_400_000) {
      throw new IllegalArgumentException(
          "http.tls.watch_ms must be between 0 (never) and 86400000, was " + watchMs);
    }
  }

  /**
   * The TLS settings, or null when {@code http.tls.cert_pem} and {@code http.tls.key_pem} are both
   * empty (plain HTTP).
   *
   * @throws IllegalArgumentException when one is set without the other, or a file cannot be read
   */
  public static HttpTls from(JsonObject config) {
    JsonObject tls =
        config.getJsonObject("http", new JsonObject()).getJsonObject("tls", new JsonObject());
    String cert = tls.getString("cert_pem", "");
    String key = tls.getString("key_pem", "");
    if (cert.isBlank() && key.isBlank()) {
      return null;
    }
    if (cert.isBlank() || key.isBlank()) {
      throw new IllegalArgumentException(
          "http.tls.cert_pem (KOPEK_TLS_CERT) and http.tls.key_pem (KOPEK_TLS_KEY) must be set "
              + "together: the PEM files of the server's certificate chain and of its private key");
    }
    HttpTls settings =
        new HttpTls(Path.of(cert.trim()), Path.of(key.trim()), tls.getLong("watch_ms", 10_000L));
    settings.read(); // fails naming the file that cannot be read
    return settings;
  }

  /** The files' contents as Vert.x takes them, read now. */
  public PemKeyCertOptions read() {
    return new PemKeyCertOptions()
        .setCertValue(read(certificate, "http.tls.cert_pem (KOPEK_TLS_CERT)"))
        .setKeyValue(read(key, "http.tls.key_pem (KOPEK_TLS_KEY)"));
  }

  /** The SSL options of a (re)load: the files as they are now, HTTP/2 and HTTP/1.1 by ALPN. */
  public ServerSSLOptions sslOptions() {
    return new ServerSSLOptions().setKeyCertOptions(read()).setUseAlpn(true);
  }

  /**
   * A stamp of both files (modification times and sizes) that changes when either is replaced or
   * rewritten.
   */
  public String stamp() {
    try {
      return Files.getLastModifiedTime(certificate).toMillis()
          + "/"
          + Files.size(certificate)
          + "/"
          + Files.getLastModifiedTime(key).toMillis()
          + "/"
          + Files.size(key);
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    }
  }

  private static Buffer read(Path file, String setting) {
    try {
      return Buffer.buffer(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          setting + ": " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }
}
