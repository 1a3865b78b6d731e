package dev.kopek.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.UserQuery;
import dev.kopek.model.ledger.UserSort;
import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code kopek.ledger.users.list} on a table of some size: the order by user id comes from an index
 * (with or without a currency), a currency's wallets are reached through its index and never by
 * scanning the accounts, and malformed requests fail naming their field.
 */
@DisplayName("The list of users with wallets")
@Timeout(120)
class UserListTest {

  private Vertx vertx;
  private PostgresEndpoint database;
  private LedgerFixture ledger;

  @BeforeEach
  void seed() {
    vertx = Vertx.vertx();
    database = TestDatabase.create();
    // 6,000 users with a USD wallet, 200 of them with an EUR one too, and one wallet opened for
    // its alert threshold only (never an entry: not listed); then the statistics a running
    // installation has.
    TestDatabase.execute(
        database,
        """
        INSERT INTO ledger_accounts (account_kind, name, currency, balance_minor, entry_count)
        SELECT 'wallet', 'user' || lpad(g::text, 5, '0'), 'USD', (g * 7919) % 1000, 1
          FROM generate_series(1, 6000) g;
        INSERT INTO ledger_accounts (account_kind, name, currency, balance_minor, entry_count)
        SELECT 'wallet', 'user' || lpad(g::text, 5, '0'), 'EUR', (g * 31) % 50, 3
          FROM generate_series(1, 6000, 30) g;
        INSERT INTO ledger_accounts (account_kind, name, currency, balance_low_minor)
        VALUES ('wallet', 'alerts-only', 'EUR', 5);
        INSERT INTO ledger_accounts (account_kind, name, currency, balance_minor)
        VALUES ('system', 'revenue', 'USD', -1), ('system', 'adjustments', 'EUR', -1);
        ANALYZE ledger_accounts;
        """);
    ledger = LedgerFixture.await(LedgerFixture.deploy(vertx, database));
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static UserQuery query(String currency, UserSort sort) {
    return new UserQuery(currency, null, null, sort, 20, null);
  }

  @Test
  @DisplayName(
      "the page's users come from an index: by id through the accounts' key, within a currency"
          + " through the currency's index, never a scan of every account")
  void pagesComeFromIndexes() throws Exception {
    String byId = explain(query(null, UserSort.USER_ID));
    assertThat(byId)
        .containsPattern("Index (Only )?Scan using one_account_per_currency")
        .doesNotContain("Seq Scan");
    // The users of a page are found in index order: no sort of the accounts before the limit.
    assertThat(byId.substring(byId.indexOf("Limit"))).containsPattern("Unique[\\s\\S]*Index");

    String afterCursor =
        explain(
            query(null, UserSort.USER_ID)
                .after(new UserCursor(UserSort.USER_ID, "", 0, "user03000").encode()));
    assertThat(afterCursor).containsPattern("Index Cond: .*name > ").doesNotContain("Seq Scan");

    for (UserSort sort : UserSort.values()) {
      String plan = explain(query("EUR", sort));
      assertThat(plan).as(sort.wireName()).contains("ledger_wallets_by_currency");
      assertThat(plan).as(sort.wireName()).doesNotContain("Seq Scan");
    }
    String eurById = explain(query("EUR", UserSort.USER_ID));
    assertThat(eurById).containsPattern("Index Scan using ledger_wallets_by_currency");
  }

  @Test
  @DisplayName(
      "every user once across the pages of each order, each with all of their wallets; a wallet"
          + " with no entry is not listed")
  void pagesOverTheBus() {
    for (UserSort sort : UserSort.values()) {
      List<JsonObject> rows = new ArrayList<>();
      JsonObject request = query("EUR", sort).toJson().put("limit", 7);
      while (true) {
        JsonObject page = ledger.call(LedgerAddresses.USERS_LIST, request);
        page.getJsonArray("data").forEach(row -> rows.add((JsonObject) row));
        if (!page.getBoolean("has_more")) {
          assertThat(page.getString("next_cursor")).isNull();
          break;
        }
        request.put("starting_after", page.getString("next_cursor"));
      }
      assertThat(rows).as(sort.wireName()).hasSize(200);
      assertThat(rows.stream().map(r -> r.getString("user_id")).collect(Collectors.toSet()))
          .hasSize(200)
          .doesNotContain("alerts-only");
      List<Long> eur = rows.stream().map(r -> balance(r, "EUR")).toList();
      switch (sort) {
        case BALANCE -> assertThat(eur).isSorted();
        case BALANCE_DESCENDING ->
            assertThat(eur).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        case USER_ID ->
            assertThat(rows.stream().map(r -> r.getString("user_id")).toList()).isSorted();
      }
      JsonObject first =
          rows.stream()
              .filter(r -> r.getString("user_id").equals("user00001"))
              .findFirst()
              .orElseThrow();
      assertThat(first.getJsonArray("wallets"))
          .containsExactly(
              new JsonObject()
                  .put("user_id", "user00001")
                  .put("currency", "EUR")
                  .put("balance_minor", 31L),
              new JsonObject()
                  .put("user_id", "user00001")
                  .put("currency", "USD")
                  .put("balance_minor", 919L));
    }
    JsonObject all = ledger.call(LedgerAddresses.USERS_LIST, new JsonObject().put("limit", 100));
    assertThat(all.getJsonArray("data")).hasSize(100);
    assertThat(all.getJsonArray("data").getJsonObject(0).getString("user_id"))
        .isEqualTo("user00001");
  }

  private static long balance(JsonObject row, String currency) {
    return row.getJsonArray("wallets").stream()
        .map(JsonObject.class::cast)
        .filter(w -> w.getString("currency").equals(currency))
        .findFirst()
        .orElseThrow()
        .getLong("balance_minor");
  }

  @Test
  @DisplayName("malformed requests and cursors fail naming their field")
  void malformedRequests() {
    JsonObject[] bad = {
      new JsonObject().put("sort", "balance"),
      new JsonObject().put("sort", "newest").put("currency", "USD"),
      new JsonObject().put("limit", "20"),
      new JsonObject().put("limit", 0),
      new JsonObject().put("currency", "USD").put("balance_min_minor", "5"),
      new JsonObject().put("balance_max_minor", 5),
      new JsonObject().put("currency", "ZZZ"),
      new JsonObject().put("starting_after", "djE"),
      new JsonObject()
          .put("currency", "USD")
          .put("sort", "-balance")
          .put(
              "starting_after",
              new UserCursor(UserSort.BALANCE_DESCENDING, "EUR", 5, "user00001").encode())
    };
    String[] fields = {
      "sort",
      "sort",
      "limit",
      "limit",
      "balance_min_minor",
      "balance_max_minor",
      "currency",
      "starting_after",
      "starting_after"
    };
    for (int i = 0; i < bad.length; i++) {
      Failure failure = ledger.callRefused(LedgerAddresses.USERS_LIST, bad[i]);
      assertThat(failure.code()).as(bad[i].encode()).isEqualTo(ErrorCode.VALIDATION_FAILED);
      assertThat(failure.extras().getString("field")).as(bad[i].encode()).isEqualTo(fields[i]);
    }
  }

  /** The plan of the reads' connections (custom plans) for the page's statement. */
  private String explain(UserQuery query) throws Exception {
    LedgerQueries.Statement statement = LedgerQueries.usersStatement(query);
    String arguments =
        statement.params().stream()
            .map(p -> p instanceof String text ? "'" + text.replace("'", "''") + "'" : "" + p)
            .collect(Collectors.joining(", ", "(", ")"));
    Pool pool =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(1))
            .connectingTo(
                LedgerVerticle.readerOptions(PgConnectOptions.fromUri(TestDatabase.url(database))))
            .using(vertx)
            .build();
    try {
      return pool.withConnection(
              conn ->
                  conn.query("PREPARE users AS " + statement.sql())
                      .execute()
                      .compose(v -> conn.query("EXPLAIN EXECUTE users" + arguments).execute())
                      .map(
                          rows -> {
                            List<String> lines = new ArrayList<>();
                            rows.forEach(row -> lines.add(row.getString(0)));
                            return String.join("\n", lines);
                          }))
          .await(30, TimeUnit.SECONDS);
    } finally {
      pool.close();
    }
  }
}
