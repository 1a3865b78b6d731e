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

  /**
   * Publishes the run's facts; {@code entryIds} are the ledger's ids of its charges, in order (none
   * for a run that charged nothing).
   */
  static void publish(Vertx vertx, PendingRun run, List<Long> entryIds) {
    String userId = run.wallet().userId();
    String currency = run.wallet().currency();
    for (int i = 0; i < entryIds.size(); i++) {
      WalletPlan.Charge charge = run.charges().get(i);
      vertx
          .eventBus()
          .publish(
              BillingAddresses.CHARGED,
              new JsonObject()
                  .put("user_id", userId)
                  .put("currency", currency)
                  .put("subscription_id", charge.subscriptionId())
                  .put("plan", charge.planCode())
                  .put("entry_id", entryIds.get(i))
                  .put("reference", charge.reference())
                  .put("amount_minor", charge.amountMinor())
                  .put("period_start", Instant.ofEpochMilli(charge.fromMs()).toString())
                  .put("period_end", Instant.ofEpochMilli(charge.toMs()).toString())
                  .put("partial", charge.partial()));
    }
    if (run.suspendedAtMs() != null) {
      JsonArray ids = new JsonArray();
      run.after().forEach(segment -> ids.add(segment.subscriptionId()));
      vertx
          .eventBus()
          .publish(
              BillingAddresses.SUSPENDED,
              new JsonObject()
                  .put("user_id", userId)
                  .put("currency", currency)
                  .put("subscription_ids", ids)
                  .put("suspended_at", run.suspendedAt().toString())
                  .put("uncollected_minor", run.uncollectedMinor()));
    }
    if (!run.resumed().isEmpty()) {
      JsonArray ids = new JsonArray();
      run.resumed().forEach(resumed -> ids.add(resumed.subscriptionId()));
      vertx
          .eventBus()
          .publish(
              BillingAddresses.RESUMED,
              new JsonObject()
                  .put("user_id", userId)
                  .put("currency", currency)
                  .put("subscription_ids", ids)
                  .put("resumed_at", run.at().toString()));
    }
  }
}
