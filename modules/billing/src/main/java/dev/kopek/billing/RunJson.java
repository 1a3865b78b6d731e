package dev.kopek.billing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A planned run as stored in the wallet's {@code pending_run}: everything needed to post its
 * entries again and apply its state changes after a crash, without recomputing anything.
 */
final class RunJson {

  private RunJson() {}

  static JsonObject write(WalletPlan plan, WalletRunner.Request request, String requestId, long atMs,
      long balanceMinor, List<Segment> activeAfter, JsonArray resumed) {
    JsonArray charges = new JsonArray();
    for (WalletPlan.Charge charge : plan.charges()) {
      charges.add(new JsonObject()
          .put("subscription_id", charge.subscriptionId())
          .put("plan", charge.planCode())
          .put("segment", charge.segment())
          .put("k", charge.k())
          .put("amount_minor", charge.amountMinor())
          .put("from_ms", charge.fromMs())
          .put("to_ms", charge.toMs())
          .put("partial", charge.partial())
          .put("reference", charge.reference()));
    }
    JsonArray after = new JsonArray();
    plan.after().forEach(segment -> after.add(segment(segment)));
    long balanceAfter = balanceMinor - plan.totalMinor();
    Long next = plan.suspendedAtMs() != null ? null
        : WalletPlanner.nextCharge(activeAfter, balanceAfter, atMs);
    return new JsonObject()
        .put("run_id", WalletRunner.newRunId())
        .put("request_id", requestId)
        .put("user_id", request.userId())
        .put("currency", request.currency())
        .put("action", request.action().name())
        .put("subscription_id", request.subscriptionId())
        .put("new_plan", request.newPlan())
        .put("command", request.command())
        .put("at_ms", atMs)
        .put("balance_minor", balanceMinor)
        .put("charges", charges)
        .put("after", after)
        .put("suspended_at_ms", plan.suspendedAtMs())
        .put("uncollected_minor", plan.uncollectedMinor())
        .put("resumed", resumed)
        .put("next_charge_at_ms", next);
  }

  static JsonObject segment(Segment segment) {
    return new JsonObject()
        .put("subscription_id", segment.subscriptionId())
        .put("plan", segment.planCode())
        .put("segment", segment.segment())
        .put("anchor_ms", segment.anchorMs())
        .put("price_minor", segment.priceMinor())
        .put("period_ms", segment.periodMs())
        .put("periods_charged", segment.periodsCharged())
        .put("charged_minor", segment.chargedMinor());
  }

  static Segment segment(JsonObject json) {
    return new Segment(json.getString("subscription_id"), json.getString("plan"),
        json.getInteger("segment"), json.getLong("anchor_ms"), json.getLong("price_minor"),
        json.getLong("period_ms"), json.getLong("periods_charged"), json.getLong("charged_minor"));
  }

  static List<Segment> after(JsonObject run) {
    List<Segment> segments = new ArrayList<>();
    run.getJsonArray("after").forEach(json -> segments.add(segment((JsonObject) json)));
    return segments;
  }
}
