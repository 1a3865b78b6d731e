package dev.kopek.ledger;

import static dev.kopek.ledger.LedgerFixture.credit;
import static dev.kopek.ledger.LedgerFixture.debit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("Tampering with the ledger")
class TamperingTest {

  private LedgerFixture ledger;
  private long charge1Id;
  private long topup2Id;

  /** Alice: +1000, -300, +50 in USD; Bob: +700 in JPY. Verify is ok before anything is touched. */
  @BeforeEach
  void deployWithHistory(Vertx vertx) {
    ledger = LedgerFixture.await(LedgerFixture.deploy(vertx, TestDatabase.create()));
    ledger.post(credit("topup-1", "alice", "USD", 1000));
    charge1Id = ledger.post(debit("charge-1", "alice", "USD", 300)).getLong("id");
    topup2Id = ledger.post(credit("topup-2", "alice", "USD", 50)).getLong("id");
    ledger.post(credit("topup-bob", "bob", "JPY", 700));
    ledger.assertConsistent(4);
  }

  private JsonObject brokenReport() {
    JsonObject report = ledger.verify();
    assertThat(report.getBoolean("ok")).as("verify report %s", report).isFalse();
    assertThat(report.getJsonObject("broken")).as("verify report %s", report).isNotNull();
    // The run is recorded, with what it found, for the operator console.
    JsonObject last =
        ledger
            .call(dev.kopek.model.ledger.LedgerAddresses.VERIFY_LAST, new JsonObject())
            .getJsonObject("last");
    assertThat(last.getBoolean("ok")).isFalse();
    assertThat(last.getJsonObject("broken")).isEqualTo(report.getJsonObject("broken"));
    return report.getJsonObject("broken");
  }

  @Test
  @DisplayName("the database refuses to update an entry")
  void updateRefused() {
    assertThatThrownBy(
            () ->
                ledger.execute(
                    "UPDATE ledger_entries SET amount_minor = -3 WHERE id = " + charge1Id))
        .rootCause()
        .hasMessageContaining("append-only: UPDATE refused");

    assertThat(ledger.queryLong("SELECT amount_minor FROM ledger_entries WHERE id = " + charge1Id))
        .isEqualTo(-300);
    ledger.assertConsistent(4);
  }

  @Test
  @DisplayName("the database refuses to delete or truncate entries")
  void deleteAndTruncateRefused() {
    assertThatThrownBy(() -> ledger.execute("DELETE FROM ledger_entries WHERE id = " + charge1Id))
        .rootCause()
        .hasMessageContaining("append-only: DELETE refused");
    assertThatThrownBy(() -> ledger.execute("DELETE FROM ledger_entries"))
        .rootCause()
        .hasMessageContaining("append-only: DELETE refused");
    assertThatThrownBy(() -> ledger.execute("TRUNCATE ledger_entries CASCADE"))
        .rootCause()
        .hasMessageContaining("append-only: TRUNCATE refused");

    assertThat(ledger.queryLong("SELECT COUNT(*) FROM ledger_entries")).isEqualTo(4);
    ledger.assertConsistent(4);
  }

  @ParameterizedTest(name = "SET {0}")
  @ValueSource(
      strings = {
        "amount_minor = -30",
        "reason = 'Refund'",
        "reference = 'order-999'",
        "kind = 'billing'",
        "counter_account = 'adjustments:USD'",
        "created_at = created_at - interval '1 day'",
        "idempotency_key = 'charge-x'"
      })
  @DisplayName("an entry altered behind the triggers' back is reported by id")
  void alteredEntryIsReported(String change) {
    ledger.execute("ALTER TABLE ledger_entries DISABLE TRIGGER USER");
    ledger.execute("UPDATE ledger_entries SET " + change + " WHERE id = " + charge1Id);

    JsonObject broken = brokenReport();

    assertThat(broken.getLong("entry_id")).isEqualTo(charge1Id);
    assertThat(broken.getString("user_id")).isEqualTo("alice");
    assertThat(broken.getString("currency")).isEqualTo("USD");
    assertThat(broken.getString("problem")).contains("hash");
  }

  @Test
  @DisplayName("an entry removed from the middle of a chain is reported at the entry after the gap")
  void removedEntryIsReported() {
    ledger.execute("ALTER TABLE ledger_entries DISABLE TRIGGER USER");
    ledger.execute("DELETE FROM ledger_entries WHERE id = " + charge1Id);

    JsonObject broken = brokenReport();

    assertThat(broken.getLong("entry_id")).isEqualTo(topup2Id);
    assertThat(broken.getString("problem"))
        .contains("expected entry number 2 of the wallet, found 3");
  }

  @Test
  @DisplayName("a wallet's newest entry removed is reported for that wallet")
  void removedNewestEntryIsReported() {
    ledger.execute("ALTER TABLE ledger_entries DISABLE TRIGGER USER");
    ledger.execute("DELETE FROM ledger_entries WHERE id = " + topup2Id);

    JsonObject broken = brokenReport();

    assertThat(broken.getString("user_id")).isEqualTo("alice");
    assertThat(broken.getString("currency")).isEqualTo("USD");
    assertThat(broken.getString("problem")).contains("does not match its newest entry");
  }

  @Test
  @DisplayName("a wallet balance changed in the accounts table is reported for that wallet")
  void alteredWalletBalanceIsReported() {
    ledger.execute(
        "UPDATE ledger_accounts SET balance_minor = balance_minor + 100"
            + " WHERE account_kind = 'wallet' AND name = 'bob'");

    JsonObject broken = brokenReport();

    assertThat(broken.getString("user_id")).isEqualTo("bob");
    assertThat(broken.getString("currency")).isEqualTo("JPY");
  }

  @Test
  @DisplayName("a system account balance changed in the accounts table is reported by name")
  void alteredSystemAccountIsReported() {
    ledger.execute(
        "UPDATE ledger_accounts SET balance_minor = 0"
            + " WHERE account_kind = 'system' AND name = 'revenue'");

    JsonObject broken = brokenReport();

    assertThat(broken.getString("account")).isEqualTo("revenue:USD");
    assertThat(broken.getString("problem")).contains("300");
  }

  @Test
  @DisplayName("an entry pointed at a counter account that does not exist is reported by id")
  void entryWithoutItsAccountIsReported() {
    ledger.execute("ALTER TABLE ledger_entries DISABLE TRIGGER USER");
    ledger.execute("UPDATE ledger_entries SET counter_account_id = 999999 WHERE id = " + charge1Id);

    JsonObject broken = brokenReport();

    assertThat(broken.getLong("entry_id")).isEqualTo(charge1Id);
    assertThat(broken.getString("problem")).contains("does not exist");
  }

  @Test
  @DisplayName("the database refuses to remove an account, which entries refer to for good")
  void accountsAreNeverRemoved() {
    assertThatThrownBy(() -> ledger.execute("DELETE FROM ledger_accounts WHERE name = 'revenue'"))
        .hasStackTraceContaining("ledger accounts are never removed");
    assertThatThrownBy(() -> ledger.execute("TRUNCATE ledger_accounts CASCADE"))
        .hasStackTraceContaining("ledger accounts are never removed");
    assertThat(ledger.verify().getBoolean("ok")).isTrue();
  }
}
