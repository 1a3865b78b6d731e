package dev.kopek.payments;

import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

/**
 * The unmatched provider payments, for administrators: money a provider reports on an object no
 * Kopek payment accounts for (see {@link Webhooks}). Each needs a person: refund it at the
 * provider, or credit the user by an adjustment.
 */
final class Unmatched {

  private final PaymentStore store;

  Unmatched(PaymentStore store) {
    this.store = store;
  }

  Future<JsonObject> list(JsonObject body) {
    int limit = body.getInteger("limit", Limits.PAGE_LIMIT_DEFAULT);
    if (limit < 1 || limit > Limits.PAGE_LIMIT_MAX) {
      throw Failure.invalid("limit", "limit must be between 1 and " + Limits.PAGE_LIMIT_MAX)
          .toException();
    }
    return store
        .unmatchedPage(body.getString("starting_after"), limit + 1)
        .map(
            rows -> {
              JsonArray data = new JsonArray();
              rows.stream().limit(limit).forEach(row -> data.add(view(row)));
              return new JsonObject().put("data", data).put("has_more", rows.size() > limit);
            });
  }

  private static JsonObject view(Row row) {
    return new JsonObject()
        .put("id", row.getString("id"))
        .put("gateway", row.getString("gateway"))
        .put("gateway_reference", row.getString("provider_reference"))
        .put("claimed_topup_id", row.getString("claimed_payment_id"))
        .put("amount_minor", row.getLong("amount_minor"))
        .put("currency", row.getString("currency"))
        .put("reason", row.getString("reason"))
        .put("source", row.getString("source"))
        .put("event_id", row.getString("first_event_id"))
        .put("received_at", row.getOffsetDateTime("received_at").toInstant().toString());
  }
}
