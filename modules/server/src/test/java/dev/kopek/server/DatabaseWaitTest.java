package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.testkit.RestartableDatabase;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Start-up waits for its database")
class DatabaseWaitTest {

  private static final String PASSWORD = "pa55-w0rd-n0t-f0r-l0gs";

  @TempDir Path temp;

  private KopekProcess kopek;
  private RestartableDatabase database;

  @AfterEach
  void stop() throws Exception {
    try {
      if (kopek != null) {
        kopek.close();
      }
    } finally {
      if (database != null) {
        database.close();
      }
    }
  }

  private KopekProcess start(int port, Map<String, String> more) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(more);
    env.put(
        "KOPEK_DB_URL", "postgresql://postgres:" + PASSWORD + "@127.0.0.1:" + port + "/postgres");
    kopek = KopekProcess.start(temp.resolve("data"), temp.resolve("cwd"), env);
    return kopek;
  }

  @Test
  @Timeout(60)
  @DisplayName(
      "with nothing listening at db.url, retries for db.connect_timeout_ms, one line per "
          + "attempt, then exits with 2 and one line naming db.url and KOPEK_DB_URL; no stack trace, "
          + "never the password")
  void givesUpNamingTheSetting() throws Exception {
    int port = RestartableDatabase.freePort();
    Path config = temp.resolve("short-wait.yaml");
    Files.writeString(config, "db:\n  connect_timeout_ms: 3000\n", StandardCharsets.UTF_8);
    long started = System.nanoTime();
    start(port, Map.of("KOPEK_CONFIG", config.toString()));

    assertThat(kopek.process().waitFor(45, TimeUnit.SECONDS)).isTrue();
    assertThat(kopek.process().exitValue()).isEqualTo(2);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofSeconds(3));
    String log = kopek.awaitLogEnd(Duration.ofSeconds(5));
    String url = "postgresql://postgres:***@127.0.0.1:" + port + "/postgres";
    assertThat(
            log.lines()
                .filter(
                    line ->
                        line.contains("Waiting for the database at db.url " + url + " (attempt ")))
        .as(log)
        .hasSizeGreaterThanOrEqualTo(3);
    assertThat(log.lines().filter(line -> line.startsWith("kopek: cannot start: ")).toList())
        .as(log)
        .singleElement()
        .asString()
        .startsWith(
            "kopek: cannot start: no database at db.url (KOPEK_DB_URL) "
                + url
                + " after waiting 3000 ms (db.connect_timeout_ms): ")
        .endsWith("; start PostgreSQL there, or correct db.url");
    assertThat(log.lines().filter(line -> line.startsWith("\tat ") || line.contains("Exception")))
        .as(log)
        .isEmpty();
    assertThat(log).doesNotContain(PASSWORD).doesNotContain(" ERROR ");
  }

  @Test
  @Timeout(150)
  @DisplayName("a database that comes up while it waits is used")
  void usesADatabaseThatComesUp() throws Exception {
    int port = RestartableDatabase.freePort();
    start(port, Map.of());
    kopek.awaitLine("Waiting for the database at db.url", Duration.ofSeconds(60));

    database = RestartableDatabase.startOn(port);

    int httpPort = kopek.awaitServing(Duration.ofSeconds(90));
    try (ApiClient api = new ApiClient(httpPort)) {
      HttpResponse<Buffer> health = api.get("/health", null);
      assertThat(health.statusCode()).isEqualTo(200);
    }
    assertThat(kopek.log())
        .contains(
            "The database at db.url postgresql://postgres:***@127.0.0.1:"
                + port
                + "/postgres accepts connections now (attempt ")
        .doesNotContain(PASSWORD);
  }
}
