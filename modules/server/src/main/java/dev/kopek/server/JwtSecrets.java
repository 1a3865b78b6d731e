package dev.kopek.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The development default for the token secret: generated once per data directory and kept in it,
 * so tokens minted with {@code kopek.jar token} keep working across restarts.
 */
final class JwtSecrets {

  static final String FILE_NAME = "jwt-secret";

  /** 48 random bytes: more than HS256's 32, base64 so that it can be copied into a config. */
  private static final int GENERATED_BYTES = 48;

  private static final Logger LOG = LoggerFactory.getLogger(JwtSecrets.class);

  private JwtSecrets() {}

  /**
   * The server's secret: the configured one, or the data directory's generated one (created on
   * first use). Only the server calls this; the token command reads with {@link #existing}.
   */
  static String resolve(String configured, Path dataDirectory) throws IOException {
    if (configured != null) {
      return configured;
    }
    Path file = dataDirectory.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      Files.createDirectories(dataDirectory);
      byte[] random = new byte[GENERATED_BYTES];
      new SecureRandom().nextBytes(random);
      Files.writeString(
          file,
          Base64.getEncoder().encodeToString(random),
          StandardCharsets.US_ASCII,
          StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // Non-POSIX file systems keep the directory's permissions.
      }
    }
    LOG.warn(
        "auth.jwt_secret (KOPEK_JWT_SECRET) is not set: using the generated secret in {}. "
            + "Fine for development; set a secret of your own in production.",
        file);
    return Files.readString(file, StandardCharsets.US_ASCII).trim();
  }

  /**
   * The secret a server on {@code dataDirectory} generated, if there is one; never creates one. A
   * secret made up here would sign tokens that the server, with its own, refuses.
   */
  static java.util.Optional<String> existing(Path dataDirectory) throws IOException {
    Path file = dataDirectory.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(Files.readString(file, StandardCharsets.US_ASCII).trim());
  }
}
