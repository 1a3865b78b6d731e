package dev.kopek.bench;

import dev.kopek.storage.PostgresEndpoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Kopek as its users run it: {@code java -jar kopek.jar}, in a process of its own. */
final class KopekProcess {

  private final Process process;

  private KopekProcess(Process process) {
    this.process = process;
  }

  /** The JVM's process id (its CPU time is read from /proc). */
  long pid() {
    return process.pid();
  }

  static KopekProcess start(
      Path jar, PostgresEndpoint database, int port, Path work, String secret, PrintStream log)
      throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it with ./mvnw -q package -DskipTests");
    }
    Path config = work.resolve("bench.yaml");
    Files.writeString(
        config,
        """
        billing:
          poll_interval_ms: 50
          batch_max: 2000
        webhooks:
          # The --webhook receiver listens on loopback.
          allow_private_targets: true
        metrics:
          enabled: false
        rate_limits:
          # debit_hot is one user sending thousands of requests a second: limits it never
          # reaches, so that what the limiter costs is measured but nothing is refused.
          user_per_second: 1000000
          user_burst: 1000000
        """);
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.log.dev.kopek.server.Kopek=info"));
    // Extra JVM options for Kopek only (a profiler, a heap size): BENCH_KOPEK_JAVA_OPTS.
    String extra = System.getenv().getOrDefault("BENCH_KOPEK_JAVA_OPTS", "").trim();
    if (!extra.isEmpty()) {
      command.addAll(List.of(extra.split("\\s+")));
    }
    command.addAll(List.of("-jar", jar.toString()));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("KOPEK_DB_URL", database.url());
    builder.environment().put("KOPEK_HTTP_PORT", String.valueOf(port));
    builder.environment().put("KOPEK_DATA_DIR", work.resolve("kopek-data").toString());
    builder.environment().put("KOPEK_JWT_SECRET", secret);
    builder.environment().put("KOPEK_BILLING_TEST_CLOCK", "true");
    builder.environment().put("KOPEK_CONFIG", config.toString());
    builder.redirectErrorStream(true);
    Process process = builder.start();
    CountDownLatch serving = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  log.println("  kopek| " + line);
                  if (line.contains("Kopek is serving")) {
                    serving.countDown();
                  }
                }
              } catch (Exception ignored) {
                // the process ended
              }
            },
            "kopek-output");
    reader.setDaemon(true);
    reader.start();
    if (!serving.await(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("Kopek did not start within 120 s");
    }
    return new KopekProcess(process);
  }

  void stop() throws Exception {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
