package dev.kopek.billing;

import dev.kopek.model.billing.BillingAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** Publishes what a run did, once it is applied: charges, a suspension, resumes. */
final class Facts {

  private Facts() {}

  static void publish(Vertx vertx, JsonObject run, List<?> charges) {
    String userId = run.getString("user_id");
    String currency = run.getString("currency");
    for (Object item : charges) {
      JsonObject charge = item instanceof JsonObject json ? json : new JsonObject((java.util.Map<String, Object>) item);
      vertx.eventBus().publish(BillingAddresses.CHARGED, new JsonObject()
          .put("user_id", userId)
          .put("currency", currency)
          .put("subscription_id", charge.getString("subscription_id"))
          .put("plan", charge.getString("plan"))
          .put("entry_id", charge.getLong("entry_id"))
          .put("reference", charge.getString("reference"))
          .put("amount_minor", charge.getLong("amount_minor"))
          .put("period_start", Instant.ofEpochMilli(charge.getLong("from_ms")).toString())
          .put("period_end", Instant.ofEpochMilli(charge.getLong("to_ms")).toString())
          .put("partial", charge.getBoolean("partial")));
    }
    Long suspendedAt = run.getLong("suspended_at_ms");
    if (suspendedAt != null) {
      JsonArray ids = new JsonArray();
      run.getJsonArray("after").forEach(s -> ids.add(((JsonObject) s).getString("subscription_id")));
      vertx.eventBus().publish(BillingAddresses.SUSPENDED, new JsonObject()
          .put("user_id", userId)
          .put("currency", currency)
          .put("subscription_ids", ids)
          .put("suspended_at", Instant.ofEpochMilli(suspendedAt).toString())
          .put("uncollected_minor", run.getLong("uncollected_minor")));
    }
    JsonArray resumed = run.getJsonArray("resumed", new JsonArray());
    if (!resumed.isEmpty()) {
      JsonArray ids = new JsonArray();
      resumed.forEach(s -> ids.add(((JsonObject) s).getString("id")));
      vertx.eventBus().publish(BillingAddresses.RESUMED, new JsonObject()
          .put("user_id", userId)
          .put("currency", currency)
          .put("subscription_ids", ids)
          .put("resumed_at", Instant.ofEpochMilli(run.getLong("at_ms")).toString()));
    }
  }
}
