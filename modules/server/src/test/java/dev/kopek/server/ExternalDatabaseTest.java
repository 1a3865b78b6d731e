package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestDatabase;
import dev.kopek.testkit.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Kopek on an external PostgreSQL")
class ExternalDatabaseTest {

  @TempDir Path temp;

  private Kopek kopek;

  @AfterEach
  void stop() throws Exception {
    if (kopek != null) {
      kopek.stop();
    }
  }

  @Test
  @Timeout(90)
  @DisplayName(
      "with KOPEK_DB_URL and KOPEK_JWT_SECRET, writes to that database, accepts only that secret, and creates no data directory")
  void usesTheConfiguredDatabaseAndSecret() throws Exception {
    PostgresEndpoint database = TestDatabase.create();
    Path dataDir = temp.resolve("data");
    kopek =
        Kopek.start(
            Main.loadConfig(
                null,
                Map.of(
                    "KOPEK_DB_URL",
                    TestDatabase.url(database),
                    "KOPEK_JWT_SECRET",
                    Tokens.SECRET,
                    "KOPEK_DATA_DIR",
                    dataDir.toString(),
                    "KOPEK_HTTP_PORT",
                    "0")));

    try (ApiClient api = new ApiClient(kopek.httpPort())) {
      HttpResponse<Buffer> credit =
          api.post(
              "/v1/admin/adjustments",
              Tokens.standard(api.vertx()).admin("ops"),
              "credit-bob",
              new JsonObject()
                  .put("user_id", "bob")
                  .put("amount_minor", 300)
                  .put("currency", "JPY")
                  .put("reason", "welcome credit"));
      assertThat(credit.statusCode()).isEqualTo(201);

      String foreign =
          Tokens.signedWith(api.vertx(), "another-secret-of-at-least-32-bytes!!").user("bob");
      HttpResponse<Buffer> refused = api.get("/v1/wallets", foreign);
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.bodyAsJsonObject().getString("code")).isEqualTo("unauthorized");
    }

    assertThat(
            TestDatabase.queryLong(
                database,
                "SELECT balance_minor FROM ledger_accounts "
                    + "WHERE account_kind = 'wallet' AND name = 'bob' AND currency = 'JPY'"))
        .isEqualTo(300);
    assertThat(TestDatabase.queryLong(database, "SELECT count(*) FROM ledger_entries"))
        .isEqualTo(1);
    assertThat(dataDir).doesNotExist();
  }
}
