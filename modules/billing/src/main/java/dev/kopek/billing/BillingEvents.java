package dev.kopek.billing;

import dev.kopek.billing.RunRequest.Action;
import dev.kopek.model.events.Event;
import dev.kopek.model.events.EventTypes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The events of an applied run, recorded in the transaction that applies it: each charge ({@code
 * subscription.charged}), a suspension ({@code subscription.suspended} per subscription and {@code
 * wallet.depleted}), resumes, the command's change ({@code subscription.created}, {@code
 * subscription.updated}, {@code subscription.canceled}) and runway thresholds crossed ({@code
 * wallet.runway_low}). A run is applied once (while it is still its wallet's pending run), so ids
 * derived from the run or the entries it posted are stable.
 */
final class BillingEvents {

  private BillingEvents() {}

  /**
   * @param entryIds the ledger's ids of the run's charges, in order (none when it charged nothing)
   * @param reply the command's reply, whose subscription view the command's event carries
   */
  static List<Event> of(PendingRun run, List<Long> entryIds, Reply reply) {
    String userId = run.wallet().userId();
    String currency = run.wallet().currency();
    Instant at = run.at();
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < entryIds.size() && i < run.charges().size(); i++) {
      WalletPlan.Charge charge = run.charges().get(i);
      long entryId = entryIds.get(i);
      events.add(
          event(
              EventTypes.SUBSCRIPTION_CHARGED,
              Long.toString(entryId),
              run,
              at,
              new JsonObject()
                  .put("subscription_id", charge.subscriptionId())
                  .put("user_id", userId)
                  .put("currency", currency)
                  .put("plan", charge.planCode())
                  .put("entry_id", entryId)
                  .put("reference", charge.reference())
                  .put("amount_minor", charge.amountMinor())
                  .put("period_start", Instant.ofEpochMilli(charge.fromMs()).toString())
                  .put("period_end", Instant.ofEpochMilli(charge.toMs()).toString())
                  .put("partial", charge.partial())));
    }
    if (reply instanceof Reply.Subscription subscription && run.request().command() != null) {
      String type =
          switch (run.request().action()) {
            case ACTIVATE -> EventTypes.SUBSCRIPTION_CREATED;
            case CHANGE -> EventTypes.SUBSCRIPTION_UPDATED;
            case CANCEL -> EventTypes.SUBSCRIPTION_CANCELED;
            default -> null;
          };
      if (type != null) {
        String fact =
            run.request().action() == Action.CHANGE
                ? run.request().subscriptionId() + "_" + run.runId()
                : run.request().subscriptionId();
        events.add(event(type, fact, run, at, withoutReplayed(subscription.view())));
      }
    }
    if (run.suspendedAtMs() != null) {
      Instant suspendedAt = run.suspendedAt();
      JsonArray ids = new JsonArray();
      for (Segment segment : run.after()) {
        ids.add(segment.subscriptionId());
        events.add(
            event(
                EventTypes.SUBSCRIPTION_SUSPENDED,
                segment.subscriptionId() + "_" + segment.segment(),
                run,
                at,
                new JsonObject()
                    .put("id", segment.subscriptionId())
                    .put("user_id", userId)
                    .put("currency", currency)
                    .put("plan", segment.planCode())
                    .put("status", "suspended")
                    .put("segment", segment.segment())
                    .put("suspended_at", suspendedAt.toString())));
      }
      events.add(
          event(
              EventTypes.WALLET_DEPLETED,
              run.runId(),
              run,
              at,
              new JsonObject()
                  .put("user_id", userId)
                  .put("currency", currency)
                  .put("subscription_ids", ids)
                  .put("occurred_at", suspendedAt.toString())
                  .put("uncollected_minor", run.uncollectedMinor())));
    }
    for (PendingRun.Resumed resumed : run.resumed()) {
      events.add(
          event(
              EventTypes.SUBSCRIPTION_RESUMED,
              resumed.subscriptionId() + "_" + (resumed.segment() + 1),
              run,
              at,
              new JsonObject()
                  .put("id", resumed.subscriptionId())
                  .put("user_id", userId)
                  .put("currency", currency)
                  .put("plan", resumed.plan().code())
                  .put("status", "active")
                  .put("segment", resumed.segment() + 1)
                  .put("resumed_at", at.toString())));
    }
    for (RunwayAlerts.Alert alert : run.runwayAlerts()) {
      events.add(
          event(
              EventTypes.WALLET_RUNWAY_LOW,
              run.runId() + "_" + alert.thresholdMs(),
              run,
              at,
              new JsonObject()
                  .put("user_id", userId)
                  .put("currency", currency)
                  .put("threshold_ms", alert.thresholdMs())
                  .put("runway_ms", alert.runoutAtMs() - alert.occurredAtMs())
                  .put("occurred_at", Instant.ofEpochMilli(alert.occurredAtMs()).toString())
                  .put("runs_out_at", Instant.ofEpochMilli(alert.runoutAtMs()).toString())));
    }
    return events;
  }

  private static Event event(
      String type, String fact, PendingRun run, Instant at, JsonObject object) {
    return new Event(
        Event.id(type, fact),
        type,
        run.wallet().userId(),
        run.wallet().currency(),
        null,
        at,
        object);
  }

  private static JsonObject withoutReplayed(JsonObject view) {
    JsonObject copy = view.copy();
    copy.remove("replayed");
    return copy;
  }
}
