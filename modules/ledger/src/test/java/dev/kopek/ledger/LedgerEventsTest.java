package dev.kopek.ledger;

import static dev.kopek.ledger.LedgerFixture.credit;
import static dev.kopek.ledger.LedgerFixture.debit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The ledger's events: entry.posted and wallet.balance_low, written with the entries")
class LedgerEventsTest {

  private Vertx vertx;
  private PostgresEndpoint database;
  private LedgerFixture ledger;

  /** Event rows as stored: type, id, user, wallet sequence, object. */
  record Row(String id, String type, String userId, long walletSeq, JsonObject object) {}

  @BeforeEach
  void deploy() throws Exception {
    vertx = Vertx.vertx();
    database = TestDatabase.create();
    JsonObject config =
        LedgerFixture.config(database)
            .put(
                "alerts",
                new JsonObject().put("balance_low_minor", new JsonObject().put("USD", 500)));
    String id =
        vertx
            .deployVerticle(
                new LedgerVerticle(Clock.systemUTC()), new DeploymentOptions().setConfig(config))
            .await(30, TimeUnit.SECONDS);
    ledger = LedgerFixture.attach(vertx, database, id);
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "every new entry has its entry.posted event, its object the entry's JSON; replays and refusals have none")
  void entryPosted() throws Exception {
    JsonObject topup = ledger.post(credit("t1", "alice", "USD", 1_000));
    JsonObject charge = ledger.post(debit("c1", "alice", "USD", 300));
    ledger.post(debit("c1", "alice", "USD", 300)); // a replay
    assertThat(ledger.refused(debit("c2", "alice", "USD", 5_000)).code())
        .isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);

    List<Row> events = events("entry.posted");
    assertThat(events).hasSize(2);
    assertThat(events.get(0).id()).isEqualTo("evt_entry_posted_" + topup.getLong("id"));
    assertThat(events.get(0).walletSeq()).isEqualTo(1);
    assertThat(events.get(1).walletSeq()).isEqualTo(2);
    // Byte for byte the entry the API shows, created_at included (Instant.toString's form).
    Entry stored = Entry.fromJson(charge);
    assertThat(events.get(1).object()).isEqualTo(stored.toJson());
  }

  @Test
  @DisplayName(
      "wallet.balance_low fires once per crossing below the threshold, and again after going back up")
  void balanceLowOncePerCrossing() throws Exception {
    ledger.post(credit("t1", "bob", "USD", 1_000));
    ledger.post(debit("c1", "bob", "USD", 400)); // 600: above
    JsonObject crossing = ledger.post(debit("c2", "bob", "USD", 200)); // 400: crosses below 500
    ledger.post(debit("c3", "bob", "USD", 100)); // 300: still below, no new event
    ledger.post(credit("t2", "bob", "USD", 1_000)); // 1,300: re-armed
    JsonObject again = ledger.post(debit("c4", "bob", "USD", 900)); // 400: crosses again
    ledger.post(credit("t3", "bob", "EUR", 1_000));
    ledger.post(debit("c5", "bob", "EUR", 990)); // EUR has no threshold

    List<Row> low = events("wallet.balance_low");
    long wallet = walletRow("bob", "USD");
    assertThat(low)
        .extracting(Row::id)
        .containsExactly(
            "evt_wallet_balance_low_w" + wallet + "_3", "evt_wallet_balance_low_w" + wallet + "_6");
    assertThat(low.get(1).walletSeq()).isEqualTo(6);
    assertThat(low.get(0).object().getLong("balance_minor")).isEqualTo(400);
    assertThat(low.get(0).object().getLong("threshold_minor")).isEqualTo(500);
    assertThat(low.get(0).object().getLong("entry_sequence")).isEqualTo(3);
    assertThat(low.get(0).walletSeq()).isEqualTo(3);
    assertThat(low.get(0).object().getString("occurred_at"))
        .isEqualTo(crossing.getString("created_at"));
  }

  @Test
  @DisplayName("a wallet's own threshold beats its currency's, and can be cleared")
  void ownThreshold() throws Exception {
    JsonObject set =
        ledger.call(
            LedgerAddresses.WALLET_ALERTS_SET,
            new JsonObject()
                .put("user_id", "carol")
                .put("currency", "USD")
                .put("balance_low_minor", 2_000));
    assertThat(set.getLong("balance_low_minor")).isEqualTo(2_000);
    assertThat(set.getLong("default_balance_low_minor")).isEqualTo(500);
    // A wallet opened only for its settings is not listed among the user's wallets.
    assertThat(
            ledger
                .call(LedgerAddresses.WALLETS_LIST, new JsonObject().put("user_id", "carol"))
                .getJsonArray("data"))
        .isEqualTo(new JsonArray());

    ledger.post(credit("t1", "carol", "USD", 3_000));
    JsonObject below = ledger.post(debit("c1", "carol", "USD", 1_500)); // 1,500 < 2,000
    assertThat(events("wallet.balance_low"))
        .extracting(Row::id)
        .containsExactly("evt_wallet_balance_low_w" + walletRow("carol", "USD") + "_2");

    ledger.call(
        LedgerAddresses.WALLET_ALERTS_SET,
        new JsonObject()
            .put("user_id", "carol")
            .put("currency", "USD")
            .putNull("balance_low_minor"));
    ledger.post(credit("t2", "carol", "USD", 2_000)); // 3,500
    JsonObject belowDefault = ledger.post(debit("c2", "carol", "USD", 3_100)); // 400 < 500
    assertThat(events("wallet.balance_low"))
        .extracting(Row::id)
        .containsExactly(
            "evt_wallet_balance_low_w" + walletRow("carol", "USD") + "_2",
            "evt_wallet_balance_low_w" + walletRow("carol", "USD") + "_4");
    JsonObject read =
        ledger.call(
            LedgerAddresses.WALLET_ALERTS_GET,
            new JsonObject().put("user_id", "carol").put("currency", "USD"));
    assertThat(read.getValue("balance_low_minor")).isNull();
    assertThat(
            ledger
                .callRefused(
                    LedgerAddresses.WALLET_ALERTS_SET,
                    new JsonObject()
                        .put("user_id", "carol")
                        .put("currency", "USD")
                        .put("balance_low_minor", -1))
                .extras()
                .getString("field"))
        .isEqualTo("balance_low_minor");
  }

  @Test
  @DisplayName("an atomic group refused as a whole leaves no event of any of its postings")
  void refusedGroupHasNoEvents() throws Exception {
    ledger.post(credit("t1", "dave", "USD", 100));
    JsonObject reply =
        ledger.call(
            LedgerAddresses.POST_BATCH,
            new JsonObject()
                .put("atomic", true)
                .put(
                    "postings",
                    new JsonArray()
                        .add(debit("g1", "dave", "USD", 50).toJson())
                        .add(debit("g2", "dave", "USD", 80).toJson())));
    assertThat(reply.getJsonArray("results").getJsonObject(0).containsKey("error")).isTrue();
    assertThat(events("entry.posted")).hasSize(1);
  }

  private long walletRow(String user, String currency) {
    return ledger.queryLong(
        "SELECT id FROM ledger_accounts WHERE account_kind = 'wallet' AND name = '"
            + user
            + "' AND currency = '"
            + currency
            + "'");
  }

  private List<Row> events(String type) throws Exception {
    List<Row> rows = new ArrayList<>();
    try (Connection conn =
            DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
        Statement statement = conn.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT id, type, user_id, wallet_seq, object FROM events WHERE type = '"
                    + type
                    + "' ORDER BY xid, seq")) {
      while (result.next()) {
        rows.add(
            new Row(
                result.getString(1),
                result.getString(2),
                result.getString(3),
                result.getLong(4),
                new JsonObject(result.getString(5))));
      }
    }
    return rows;
  }
}
