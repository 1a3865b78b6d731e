package dev.kopek.ledger;

import dev.kopek.model.Currencies;
import dev.kopek.model.events.Event;
import dev.kopek.model.events.EventTypes;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * When a wallet's balance crosses below its threshold ({@code wallet.balance_low}): the wallet's
 * own threshold if an administrator set one, else its currency's from {@code
 * alerts.balance_low_minor}. An entry crosses when the balance before it was at or above the
 * threshold and after it is below: once per crossing, re-armed by the balance going back up.
 */
final class BalanceAlerts {

  private final Map<String, Long> defaults;

  BalanceAlerts(Map<String, Long> defaults) {
    this.defaults = Map.copyOf(defaults);
  }

  static BalanceAlerts none() {
    return new BalanceAlerts(Map.of());
  }

  /** Reads {@code alerts.balance_low_minor}: a map of currency to threshold in minor units. */
  static BalanceAlerts from(JsonObject config) {
    JsonObject alerts = config.getJsonObject("alerts", new JsonObject());
    Object value = alerts.getValue("balance_low_minor");
    Map<String, Long> defaults = new HashMap<>();
    if (value == null) {
      return new BalanceAlerts(defaults);
    }
    if (!(value instanceof JsonObject map)) {
      throw new IllegalArgumentException(
          "alerts.balance_low_minor must be a map of currency to minor units, e.g. {USD: 500}");
    }
    for (String currency : map.fieldNames()) {
      Object threshold = map.getValue(currency);
      String key = "alerts.balance_low_minor." + currency;
      try {
        Currencies.checked(key, currency);
      } catch (RuntimeException invalid) {
        throw new IllegalArgumentException(
            key + ": " + currency + " is not a currency Kopek takes");
      }
      if (!(threshold instanceof Integer || threshold instanceof Long)
          || ((Number) threshold).longValue() < 0) {
        throw new IllegalArgumentException(
            key + " must be a whole number of minor units, 0 or more");
      }
      defaults.put(currency, ((Number) threshold).longValue());
    }
    return new BalanceAlerts(defaults);
  }

  /** The currency's threshold from configuration, or null. */
  Long defaultFor(String currency) {
    return defaults.get(currency);
  }

  /**
   * The {@code wallet.balance_low} events of the batch's entries that crossed their wallet's
   * threshold. The event's id names the wallet's row and the entry's place in its chain.
   *
   * @param own the wallets' own thresholds, by row id
   */
  List<Event> events(List<BatchPlan.NewEntry> entries, Map<Long, Long> own) {
    if (defaults.isEmpty() && own.isEmpty()) {
      return List.of();
    }
    List<Event> events = new ArrayList<>();
    for (BatchPlan.NewEntry entry : entries) {
      Long threshold = own.get(entry.walletId());
      if (threshold == null) {
        threshold = defaults.get(entry.request().currency());
      }
      if (threshold == null) {
        continue;
      }
      long after = entry.balanceAfterMinor();
      long before = after - entry.request().amountMinor();
      if (before >= threshold && after < threshold) {
        String userId = entry.request().userId();
        String currency = entry.request().currency();
        events.add(
            new Event(
                Event.id(EventTypes.WALLET_BALANCE_LOW, "w" + entry.walletId() + "_" + entry.seq()),
                EventTypes.WALLET_BALANCE_LOW,
                userId,
                currency,
                entry.seq(),
                entry.createdAt(),
                new JsonObject()
                    .put("user_id", userId)
                    .put("currency", currency)
                    .put("balance_minor", after)
                    .put("threshold_minor", threshold)
                    .put("entry_sequence", entry.seq())
                    .put("occurred_at", entry.createdAt().toString())));
      }
    }
    return events;
  }
}
