package dev.kopek.billing;

import static dev.kopek.billing.BillingFixture.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.testkit.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName(
    "Billing's events: subscriptions, charges, runway alerts at the exact instant, depletion")
@Timeout(180)
class BillingEventsTest {

  /** One minor unit per millisecond: a balance of N lasts exactly N ms. */
  private static final long PRICE_PER_HOUR = 3_600_000;

  private BillingFixture billing;
  private Instant start;

  record Stored(String id, String type, JsonObject object) {}

  @BeforeEach
  void start() throws Exception {
    billing = new BillingFixture();
    billing.plan("meter", PRICE_PER_HOUR, "USD", "PT1H");
    billing.plan("half", PRICE_PER_HOUR / 2, "USD", "PT1H");
    start = billing.clock.instant();
  }

  @AfterEach
  void stop() throws Exception {
    billing.close();
  }

  @Test
  @DisplayName(
      "30 h of runway: runway_low (24 h) exactly 6 h later, runway_low (1 h) at 29 h, depleted at 30 h")
  void runwayScenario() throws Exception {
    billing.credit("alice", 30 * PRICE_PER_HOUR, "USD");
    JsonObject subscription = billing.subscribe("alice", "meter", "s1");
    String id = subscription.getString("id");
    assertThat(types()).containsExactly("subscription.created");
    assertThat(object("subscription.created", 0).getString("id")).isEqualTo(id);

    for (int hour = 1; hour <= 5; hour++) {
      billing.advance(Duration.ofMillis(HOUR));
    }
    assertThat(all("wallet.runway_low")).isEmpty();
    // The timer falls due at the crossing itself.
    assertThat(billing.nextChargeAt("alice", "USD")).isEqualTo(start.plusMillis(6 * HOUR));
    billing.advance(Duration.ofMillis(HOUR));
    List<Stored> runway = all("wallet.runway_low");
    assertThat(runway).hasSize(1);
    assertThat(runway.get(0).object().getLong("threshold_ms")).isEqualTo(24 * HOUR);
    assertThat(runway.get(0).object().getString("occurred_at"))
        .isEqualTo(start.plusMillis(6 * HOUR).toString());
    assertThat(runway.get(0).object().getString("runs_out_at"))
        .isEqualTo(start.plusMillis(30 * HOUR).toString());

    billing.advance(Duration.ofMillis(23 * HOUR)); // to 29 h
    runway = all("wallet.runway_low");
    assertThat(runway).hasSize(2);
    assertThat(runway.get(1).object().getLong("threshold_ms")).isEqualTo(HOUR);
    assertThat(runway.get(1).object().getString("occurred_at"))
        .isEqualTo(start.plusMillis(29 * HOUR).toString());
    assertThat(all("wallet.depleted")).isEmpty();

    billing.advance(Duration.ofMillis(HOUR)); // to 30 h: the last period is charged
    assertThat(billing.balance("alice", "USD")).isZero();
    billing.advance(Duration.ofMillis(1)); // the first millisecond the balance does not cover
    List<Stored> depleted = all("wallet.depleted");
    assertThat(depleted).hasSize(1);
    assertThat(depleted.get(0).object().getString("occurred_at"))
        .isEqualTo(start.plusMillis(30 * HOUR).toString());
    assertThat(depleted.get(0).object().getJsonArray("subscription_ids").getList())
        .containsExactly(id);
    assertThat(all("subscription.suspended")).hasSize(1);
    assertThat(all("subscription.charged")).hasSize(30);
    // Each charge's event names its ledger entry.
    assertThat(all("subscription.charged").get(0).object().getLong("entry_id"))
        .isEqualTo(
            TestDatabase.queryLong(
                billing.database,
                "SELECT min(id) FROM ledger_entries WHERE kind = 'billing' AND user_id = 'alice'"));
    assertThat(all("wallet.runway_low")).hasSize(2);
  }

  @Test
  @DisplayName("a top-up re-arms the runway alerts, which then fire again at their new instants")
  void topUpRearms() throws Exception {
    billing.credit("bob", 30 * PRICE_PER_HOUR, "USD");
    billing.subscribe("bob", "meter", "s1");
    for (int hour = 1; hour <= 6; hour++) {
      billing.advance(Duration.ofMillis(HOUR));
    }
    assertThat(all("wallet.runway_low")).hasSize(1);

    billing.advance(Duration.ofMillis(HOUR / 2)); // 6.5 h: 23.5 h left
    billing.credit("bob", 10 * PRICE_PER_HOUR, "USD"); // 33.5 h left: above 24 h again
    billing.advance(Duration.ofMillis(HOUR / 2)); // 7 h
    assertThat(all("wallet.runway_low")).hasSize(1);
    // It now runs out at 40 h: 24 h of runway is crossed at 16 h.
    for (int hour = 8; hour <= 16; hour++) {
      billing.advance(Duration.ofMillis(HOUR));
    }
    List<Stored> runway = all("wallet.runway_low");
    assertThat(runway).hasSize(2);
    assertThat(runway.get(1).object().getString("occurred_at"))
        .isEqualTo(start.plusMillis(16 * HOUR).toString());
    assertThat(runway.get(1).object().getLong("threshold_ms")).isEqualTo(24 * HOUR);
  }

  @Test
  @DisplayName(
      "a change that cuts the runway below a threshold fires at the change; plan change and cancel"
          + " have their events")
  void changesFireAtOnce() throws Exception {
    billing.credit("carol", 30 * PRICE_PER_HOUR, "USD");
    JsonObject subscription = billing.subscribe("carol", "half", "s1"); // 60 h of runway
    String id = subscription.getString("id");
    billing.advance(Duration.ofMillis(HOUR / 4));
    billing.debit("carol", 20 * PRICE_PER_HOUR, "USD"); // ~19.9 h of half rate left
    billing.advance(Duration.ofMillis(HOUR / 4));
    List<Stored> runway = all("wallet.runway_low");
    assertThat(runway).hasSize(1);
    assertThat(runway.get(0).object().getLong("threshold_ms")).isEqualTo(24 * HOUR);
    assertThat(Instant.parse(runway.get(0).object().getString("occurred_at")))
        .isBetween(start.plusMillis(HOUR / 4), start.plusMillis(HOUR / 2));

    billing.request(
        dev.kopek.model.billing.BillingAddresses.SUBSCRIPTION_CHANGE,
        new JsonObject()
            .put("user_id", "carol")
            .put("id", id)
            .put("plan", "meter")
            .put("idempotency_key", "c1"));
    billing.request(
        dev.kopek.model.billing.BillingAddresses.SUBSCRIPTION_CANCEL,
        new JsonObject().put("user_id", "carol").put("id", id).put("idempotency_key", "x1"));
    assertThat(object("subscription.updated", 0).getString("plan")).isEqualTo("meter");
    assertThat(object("subscription.canceled", 0).getString("status")).isEqualTo("cancelled");
    // Cancelled: nothing is active, no runway alert is armed any more.
    billing.advance(Duration.ofMillis(30 * HOUR));
    assertThat(all("wallet.depleted")).isEmpty();
  }

  private List<String> types() throws Exception {
    return query(
            "SELECT id, type, object FROM events WHERE type <> 'entry.posted' ORDER BY xid, seq")
        .stream()
        .map(Stored::type)
        .toList();
  }

  private List<Stored> all(String type) throws Exception {
    return query(
        "SELECT id, type, object FROM events WHERE type = '" + type + "' ORDER BY xid, seq");
  }

  private JsonObject object(String type, int index) throws Exception {
    return all(type).get(index).object();
  }

  private List<Stored> query(String sql) throws Exception {
    List<Stored> rows = new ArrayList<>();
    try (Connection conn =
            DriverManager.getConnection(
                billing.database.jdbcUrl(), billing.database.user(), billing.database.password());
        Statement statement = conn.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      while (result.next()) {
        rows.add(
            new Stored(
                result.getString(1), result.getString(2), new JsonObject(result.getString(3))));
      }
    }
    return rows;
  }
}
