package dev.kopek.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The ledger's configuration")
class LedgerConfigTest {

  private static PgConnectOptions optionsFor(String url) {
    return LedgerConfig.from(new JsonObject().put("db", new JsonObject().put("url", url)))
        .connectOptions();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "postgresql://postgres:@127.0.0.1:5433/kopek",
        "postgresql://postgres@127.0.0.1:5433/kopek",
        "postgres://postgres:@127.0.0.1:5433/kopek"
      })
  @DisplayName("reads a URL with an empty or missing password as no password")
  void emptyOrMissingPassword(String url) {
    PgConnectOptions options = optionsFor(url);

    assertThat(options.getUser()).isEqualTo("postgres");
    assertThat(options.getPassword()).isEmpty();
    assertThat(options.getHost()).isEqualTo("127.0.0.1");
    assertThat(options.getPort()).isEqualTo(5433);
    assertThat(options.getDatabase()).isEqualTo("kopek");
  }

  @Test
  @DisplayName("keeps a password, percent-decoded")
  void keepsPassword() {
    PgConnectOptions options = optionsFor("postgresql://kopek:s%40cret%3A1@db.internal:5432/kopek");

    assertThat(options.getUser()).isEqualTo("kopek");
    assertThat(options.getPassword()).isEqualTo("s@cret:1");
    assertThat(options.getHost()).isEqualTo("db.internal");
  }

  @Test
  @DisplayName("refuses a URL that is not a PostgreSQL URL")
  void refusesOtherUrls() {
    assertThatThrownBy(() -> optionsFor("mysql://root@localhost/kopek"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("takes the defaults and refuses out-of-range settings naming the key")
  void bounds() {
    JsonObject db = new JsonObject().put("url", "postgresql://kopek@localhost/kopek");

    LedgerConfig defaults = LedgerConfig.from(new JsonObject().put("db", db));

    assertThat(defaults.poolSize()).isEqualTo(8);
    assertThat(defaults.batchMax()).isEqualTo(512);
    assertThat(defaults.queueMax()).isEqualTo(100_000);
    assertThatThrownBy(
            () ->
                LedgerConfig.from(
                    new JsonObject()
                        .put("db", db)
                        .put("ledger", new JsonObject().put("pool_size", 1))))
        .hasMessageContaining("ledger.pool_size");
    assertThatThrownBy(
            () ->
                LedgerConfig.from(
                    new JsonObject()
                        .put("db", db)
                        .put("ledger", new JsonObject().put("batch_max", 0))))
        .hasMessageContaining("ledger.batch_max");
    for (int queueMax : new int[] {9_999, 1_000_001, -1}) {
      assertThatThrownBy(
              () ->
                  LedgerConfig.from(
                      new JsonObject()
                          .put("db", db)
                          .put("ledger", new JsonObject().put("queue_max", queueMax))))
          .hasMessage("ledger.queue_max must be between 10000 and 1000000, was " + queueMax);
    }
    assertThat(
            LedgerConfig.from(
                    new JsonObject()
                        .put("db", db)
                        .put("ledger", new JsonObject().put("queue_max", 10_000)))
                .queueMax())
        .isEqualTo(10_000);
    assertThatThrownBy(() -> LedgerConfig.from(new JsonObject())).hasMessageContaining("db.url");
  }
}
