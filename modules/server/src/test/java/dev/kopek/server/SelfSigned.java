package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.UUID;

/**
 * A self-signed certificate for 127.0.0.1 and its private key, made with the JDK's keytool and
 * written as PEM files, as an operator would hand them to Kopek.
 *
 * @param certificate the PEM certificate file
 * @param key the PEM private key file (PKCS#8)
 * @param x509 the certificate itself
 */
record SelfSigned(Path certificate, Path key, X509Certificate x509) {

  private static final char[] PASSWORD = "changeit".toCharArray();

  /** Makes a new key pair and certificate with {@code commonName}, written into {@code dir}. */
  static SelfSigned make(Path dir, String commonName) throws Exception {
    Files.createDirectories(dir);
    Path keystore = dir.resolve(UUID.randomUUID() + ".p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "RSA",
                "-keysize",
                "2048",
                "-dname",
                "CN=" + commonName,
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                new String(PASSWORD))
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor()).as(output).isZero();
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(keystore.toFile())) {
      store.load(in, PASSWORD);
    }
    Files.delete(keystore);
    X509Certificate certificate = (X509Certificate) store.getCertificate("server");
    Path cert = dir.resolve(commonName + ".crt.pem");
    Path key = dir.resolve(commonName + ".key.pem");
    Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()));
    Files.writeString(
        key, pem("PRIVATE KEY", ((PrivateKey) store.getKey("server", PASSWORD)).getEncoded()));
    return new SelfSigned(cert, key, certificate);
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
