package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.testkit.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Kopek as a process")
class ProcessShutdownTest {

  /** Start-up includes a JVM, initdb on first use and the migrations, on a busy 2-core machine. */
  private static final Duration START = Duration.ofSeconds(90);

  /** SIGTERM to exit: the grace for in-flight requests is 10 s, the rest is far shorter. */
  private static final Duration STOP = Duration.ofSeconds(20);

  @TempDir
  Path temp;

  private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();

  @AfterEach
  void stopEverything() throws Exception {
    while (!cleanup.isEmpty()) {
      cleanup.pop().close();
    }
  }

  @Test
  @Timeout(150)
  @DisplayName("stops cleanly on SIGTERM within 20 s, logging it (java.util.logging records "
      + "included), and stops its embedded PostgreSQL")
  void sigtermStopsCleanly() throws Exception {
    Path dataDir = temp.resolve("data");
    KopekProcess kopek = start(dataDir);
    int port = kopek.awaitServing(START);
    try (ApiClient api = new ApiClient(port)) {
      assertHealthUp(api);
    }
    long postmaster = kopek.postmasterPid().orElseThrow();
    ProcessHandle postgres = ProcessHandle.of(postmaster).orElseThrow();

    kopek.terminate();

    assertThat(kopek.process().waitFor(STOP.toSeconds(), TimeUnit.SECONDS))
        .as("exited within %s", STOP).isTrue();
    assertThat(kopek.process().exitValue()).isEqualTo(128 + 15);
    String log = kopek.awaitLogEnd(Duration.ofSeconds(5));
    assertThat(log).contains("Shutting down: finishing in-flight requests");
    assertThat(log.lines().filter(line -> line.endsWith("Kopek stopped"))).hasSize(1);
    assertThat(log).doesNotContain("Shutdown failed", "ERROR");
    // java.util.logging records (here the sandbox's) go to the same log, in its format.
    assertThat(log).contains("WARN SandboxConfig - payments.gateways.sandbox.webhook_secret")
        .doesNotContain("WARNING: payments.gateways.sandbox.webhook_secret");
    assertThat(dataDir.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
    postgres.onExit().get(5, TimeUnit.SECONDS);
    assertThat(postgres.isAlive()).isFalse();
  }

  @Test
  @Timeout(240)
  @DisplayName("after SIGKILL, the next start stops the PostgreSQL left running, says so, and serves the same data")
  void sigkillThenRestart() throws Exception {
    Path dataDir = temp.resolve("data");
    KopekProcess first = start(dataDir);
    int port = first.awaitServing(START);
    String secret = Files.readString(dataDir.resolve("jwt-secret"), StandardCharsets.US_ASCII);
    JsonObject credited;
    String alice;
    String admin;
    try (ApiClient api = new ApiClient(port)) {
      Tokens tokens = Tokens.signedWith(api.vertx(), secret);
      alice = tokens.user("alice");
      admin = tokens.admin("ops");
      HttpResponse<Buffer> credit = api.post("/v1/admin/adjustments", admin, "credit-1",
          new JsonObject().put("user_id", "alice").put("amount_minor", 4200)
              .put("currency", "EUR").put("reason", "opening credit"));
      assertThat(credit.statusCode()).isEqualTo(201);
      credited = credit.bodyAsJsonObject();
      assertThat(credited.getLong("balance_after_minor")).isEqualTo(4200);
    }

    // A second Kopek on the same directory is refused while the first one lives.
    Cli.Result second = Cli.run(Map.of("KOPEK_DATA_DIR", dataDir.toString(),
        "KOPEK_HTTP_PORT", "0"), "run");
    assertThat(second.code()).isEqualTo(2);
    assertThat(second.err()).isEqualTo("kopek: cannot start: the data directory "
        + dataDir.resolve("postgres") + " is in use by a running Kopek: stop it first, or set "
        + "KOPEK_DATA_DIR to another directory\n");
    try (ApiClient api = new ApiClient(port)) {
      assertHealthUp(api);
    }

    long postmaster = first.postmasterPid().orElseThrow();
    ProcessHandle postgres = ProcessHandle.of(postmaster).orElseThrow();
    first.kill();
    assertThat(first.process().waitFor(STOP.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(first.process().exitValue()).isEqualTo(128 + 9);
    assertThat(first.log()).doesNotContain("Kopek stopped");
    assertThat(postgres.isAlive()).as("the killed Kopek's postmaster is left running").isTrue();

    KopekProcess restarted = start(dataDir);
    int newPort = restarted.awaitServing(START);
    assertThat(restarted.log()).contains("WARN EmbeddedPostgresServer - Stopping PostgreSQL process "
        + postmaster + " left running on " + dataDir.resolve("postgres")
        + " by a Kopek that did not shut down cleanly");
    assertThat(postgres.isAlive()).isFalse();
    assertThat(restarted.postmasterPid()).isPresent().get().isNotEqualTo(postmaster);
    try (ApiClient api = new ApiClient(newPort)) {
      assertHealthUp(api);
      HttpResponse<Buffer> wallets = api.get("/v1/wallets", alice);
      assertThat(wallets.statusCode()).isEqualTo(200);
      assertThat(wallets.bodyAsJsonObject()).isEqualTo(new JsonObject().put("data",
          new JsonArray().add(new JsonObject().put("currency", "EUR").put("balance_minor", 4200))));
      HttpResponse<Buffer> log = api.get("/v1/transactions", alice);
      assertThat(log.bodyAsJsonObject().getJsonArray("data"))
          .isEqualTo(new JsonArray().add(credited));
      HttpResponse<Buffer> verify = api.get("/v1/admin/ledger/verify", admin);
      assertThat(verify.bodyAsJsonObject()).isEqualTo(new JsonObject().put("ok", true)
          .put("wallets_checked", 1).put("entries_checked", 1));
    }

    restarted.terminate();
    assertThat(restarted.process().waitFor(STOP.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(restarted.awaitLogEnd(Duration.ofSeconds(5))).contains("Kopek stopped");
  }

  private KopekProcess start(Path dataDir) throws Exception {
    KopekProcess kopek = KopekProcess.start(dataDir, temp.resolve("cwd"));
    cleanup.push(kopek);
    return kopek;
  }

  private static void assertHealthUp(ApiClient api) throws Exception {
    HttpResponse<Buffer> health = api.get("/health", null);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.bodyAsJsonObject()).isEqualTo(new JsonObject().put("status", "UP"));
  }
}
