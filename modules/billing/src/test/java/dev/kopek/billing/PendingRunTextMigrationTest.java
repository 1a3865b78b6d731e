package dev.kopek.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.storage.Migrations;
import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Migration V4 of billing: pending runs stored as jsonb by earlier releases become the text of the
 * same JSON object, with their run ids copied into a column of their own, so that a run pending
 * across the upgrade is ended by the statement that compares that column.
 */
@DisplayName("Billing's pending runs move from jsonb to text")
class PendingRunTextMigrationTest {

  @Test
  @DisplayName("a pending run keeps its JSON object and gets its run id; a wallet without one none")
  void pendingRunsMigrated() {
    PostgresEndpoint database = TestDatabase.create();
    // The schema as billing's V3 left it: pending runs in a jsonb column, no run id column.
    TestDatabase.execute(
        database,
        """
        ALTER TABLE billing_wallets DROP COLUMN pending_run_id;
        ALTER TABLE billing_wallets ALTER COLUMN pending_run TYPE JSONB USING pending_run::jsonb;
        DELETE FROM flyway_billing_history WHERE version = '4';
        INSERT INTO billing_wallets (user_id, currency, next_charge_at, pending_run, updated_at)
        VALUES ('alice', 'USD', NULL, '%s', '2026-03-01T00:00:00Z'),
               ('bob', 'USD', '2026-03-01T02:00:00Z', NULL, '2026-03-01T00:00:00Z');
        """
            .formatted(PendingRunUpgradeTest.TIMER_RUN));

    assertThat(Migrations.migrate(database)).isEqualTo(1);

    assertThat(
            TestDatabase.queryString(
                database,
                "SELECT data_type FROM information_schema.columns"
                    + " WHERE table_name = 'billing_wallets' AND column_name = 'pending_run'"))
        .isEqualTo("text");
    String stored =
        TestDatabase.queryString(
            database, "SELECT pending_run FROM billing_wallets WHERE user_id = 'alice'");
    assertThat(new JsonObject(stored)).isEqualTo(new JsonObject(PendingRunUpgradeTest.TIMER_RUN));
    assertThat(
            TestDatabase.queryString(
                database, "SELECT pending_run_id FROM billing_wallets WHERE user_id = 'alice'"))
        .isEqualTo("37ba64ca-6207-4f7e-aa2a-a2256b8d3570");
    assertThat(
            TestDatabase.queryLong(
                database,
                "SELECT count(*) FROM billing_wallets WHERE user_id = 'bob'"
                    + " AND pending_run IS NULL AND pending_run_id IS NULL"))
        .isEqualTo(1);
  }
}
