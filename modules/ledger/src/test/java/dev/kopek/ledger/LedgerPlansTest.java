package dev.kopek.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The writer's connections cache one generic plan per statement. A plan made while the tables are
 * tiny must stay right once they are large: no sequential scan, whatever the statistics.
 */
@DisplayName("Ledger writer plans")
@Timeout(60)
class LedgerPlansTest {

  /** Every statement the writer runs, with arguments of the right types for EXPLAIN EXECUTE. */
  private static final Map<String, String> WRITER_STATEMENTS = new LinkedHashMap<>();

  static {
    WRITER_STATEMENTS.put(LedgerSql.SELECT_ACCOUNTS_FOR_UPDATE, "('{wallet}', '{u1}', '{USD}')");
    WRITER_STATEMENTS.put(LedgerSql.INSERT_ACCOUNTS, "('{wallet}', '{u1}', '{USD}')");
    WRITER_STATEMENTS.put(LedgerSql.SELECT_ENTRIES_BY_IDEMPOTENCY_KEY, "('{k1,k2}')");
    WRITER_STATEMENTS.put(LedgerSql.UPDATE_ACCOUNTS, "('{1}', '{5}', '{1}', '{NULL}')");
    WRITER_STATEMENTS.put(
        LedgerSql.INSERT_ENTRIES,
        "('{1}', '{2}', '{u1}', '{USD}', '{revenue}', "
            + "'{-1}', '{4}', '{charge}', '{r}', '{NULL}', '{k1}', '{\\\\x00}', '{1}', '{\\\\x00}', "
            + "'{\\\\x00}', '{2026-01-01T00:00:00Z}', '2026-01-01T00:00:00Z')");
  }

  private Vertx vertx;
  private PostgresEndpoint database;

  @BeforeEach
  void smallTables() {
    vertx = Vertx.vertx();
    database = TestDatabase.create();
    // A new installation: a few accounts and entries, analyzed, so that a sequential scan is the
    // cheapest way to read any of them.
    TestDatabase.execute(
        database,
        """
        INSERT INTO ledger_accounts (account_kind, name, currency, balance_minor)
        VALUES ('wallet', 'u1', 'USD', 5), ('system', 'adjustments', 'USD', -5);
        INSERT INTO ledger_entries (wallet_id, counter_account_id, user_id, currency,
            counter_account, amount_minor, balance_after_minor, kind, reason,
            idempotency_key, request_hash, seq, prev_hash, hash, created_at)
        VALUES (1, 2, 'u1', 'USD', 'adjustments:USD', 5, 5, 'adjustment', 'seed', 'k0',
            '\\x00', 1, '\\x00', '\\x00', now());
        ANALYZE ledger_accounts;
        ANALYZE ledger_entries;
        """);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "on the writer's connections every statement has a generic plan reaching its rows by index, even on tiny tables")
  void writerPlansUseIndexes() throws Exception {
    Map<String, String> plans = explainAll(LedgerVerticle::writerOptions);
    plans.forEach((sql, plan) -> assertThat(plan).as(sql).doesNotContain("Seq Scan"));
    // Generic: the plan refers to the parameters instead of the values given.
    assertThat(plans.get(LedgerSql.SELECT_ENTRIES_BY_IDEMPOTENCY_KEY))
        .contains("$1")
        .contains("one_entry_per_idempotency_key");
    // Accounts are looked up one by one, by all three key columns: no walk through a whole index
    // (a hash or merge join over it, or a nested loop driven by it, is what tiny tables get).
    assertThat(plans.get(LedgerSql.SELECT_ACCOUNTS_FOR_UPDATE))
        .contains(
            "Nested Loop", "Function Scan on unnest k", "Index Scan using one_account_per_currency")
        .containsPattern("Index Cond: .*account_kind = k.account_kind.*name = .*currency = ")
        .doesNotContain("Merge Join", "Hash Join", "ledger_accounts_pkey");
    assertThat(plans.get(LedgerSql.UPDATE_ACCOUNTS))
        .containsPattern("Index Scan using ledger_accounts_pkey on ledger_accounts\\s")
        .contains("Index Cond: (id = ANY ($1))")
        .doesNotContain("Join", "Nested Loop");
    assertThat(plans.get(LedgerSql.INSERT_ENTRIES)).doesNotContain("Join", "Nested Loop");
  }

  @Test
  @DisplayName(
      "without the guard, generic plans made on tiny tables scan them (what the guard prevents)")
  void genericPlansWithoutTheGuardScan() throws Exception {
    Map<String, String> noSeqScanGuard =
        explainAll(
            options -> LedgerVerticle.writerOptions(options).addProperty("enable_seqscan", "on"));
    assertThat(noSeqScanGuard.values()).anySatisfy(plan -> assertThat(plan).contains("Seq Scan"));
  }

  @Test
  @DisplayName(
      "the reads' connections keep planning every execution, and do not get the writer's settings")
  void readerSettings() throws Exception {
    PgConnectOptions base = PgConnectOptions.fromUri(TestDatabase.url(database));
    PgConnectOptions writer = LedgerVerticle.writerOptions(new PgConnectOptions(base));
    PgConnectOptions reader = LedgerVerticle.readerOptions(new PgConnectOptions(base));
    assertThat(writer.getProperties())
        .containsEntry("plan_cache_mode", "force_generic_plan")
        .containsEntry("enable_seqscan", "off")
        .containsEntry("enable_hashjoin", "off")
        .containsEntry("enable_mergejoin", "off");
    assertThat(reader.getProperties())
        .containsEntry("plan_cache_mode", "force_custom_plan")
        .doesNotContainKeys("enable_seqscan", "enable_hashjoin", "enable_mergejoin");
    assertThat(settings(reader)).containsExactly("force_custom_plan", "on");
    assertThat(settings(writer)).containsExactly("force_generic_plan", "off");
  }

  private List<String> settings(PgConnectOptions options) throws Exception {
    return withConnection(
        options,
        conn ->
            conn.query(
                    "SELECT current_setting('plan_cache_mode'), current_setting('enable_seqscan')")
                .execute()
                .map(
                    rows -> {
                      Row row = rows.iterator().next();
                      return List.of(row.getString(0), row.getString(1));
                    }));
  }

  private Map<String, String> explainAll(UnaryOperator<PgConnectOptions> settings)
      throws Exception {
    PgConnectOptions options = settings.apply(PgConnectOptions.fromUri(TestDatabase.url(database)));
    return withConnection(
        options,
        conn -> {
          Map<String, String> plans = new LinkedHashMap<>();
          Future<Void> chain = Future.succeededFuture();
          int n = 0;
          for (Map.Entry<String, String> statement : WRITER_STATEMENTS.entrySet()) {
            String name = "s" + n++;
            chain =
                chain
                    .compose(
                        v -> conn.query("PREPARE " + name + " AS " + statement.getKey()).execute())
                    .compose(
                        v -> conn.query("EXPLAIN EXECUTE " + name + statement.getValue()).execute())
                    .map(
                        rows -> {
                          List<String> lines = new ArrayList<>();
                          rows.forEach(row -> lines.add(row.getString(0)));
                          plans.put(statement.getKey(), String.join("\n", lines));
                          return null;
                        });
          }
          return chain.map(v -> plans);
        });
  }

  private <T> T withConnection(
      PgConnectOptions options, java.util.function.Function<SqlConnection, Future<T>> work)
      throws Exception {
    Pool pool =
        PgBuilder.pool()
            .with(new PoolOptions().setMaxSize(1))
            .connectingTo(options)
            .using(vertx)
            .build();
    try {
      return pool.withConnection(work::apply).await(30, TimeUnit.SECONDS);
    } finally {
      pool.close();
    }
  }
}
