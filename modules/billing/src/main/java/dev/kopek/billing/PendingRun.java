package dev.kopek.billing;

import dev.kopek.billing.RunRequest.Action;
import dev.kopek.billing.RunRequest.Command;
import dev.kopek.billing.RunRequest.PlanTerms;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A planned run of one wallet, stored as the wallet's {@code pending_run} before its entries are
 * posted: everything needed to post them again and apply the run's state changes after a crash,
 * without recomputing anything.
 *
 * @param runId unique per planned run: the run is applied only while it is still the wallet's
 *     pending run under this id
 * @param request what the run was asked to do
 * @param atMs when it ran
 * @param balanceMinor the balance it was planned from
 * @param charges the entries to post, all or none, chronological
 * @param after each segment active before the run, settled by it
 * @param suspendedAtMs when the balance ran out, or null
 * @param uncollectedMinor usage after the balance ran out and before the run (a late timer)
 * @param resumed suspended subscriptions the run resumes
 * @param nextChargeAtMs when the wallet's timer is due next, or null when nothing is active
 * @param runwayAlerts the runway thresholds the run crosses ({@code wallet.runway_low})
 * @param runwayState the wallet's runway alert state after the run, or null for a run stored before
 *     runway alerts existed (the state is then left as it is)
 */
record PendingRun(
    String runId,
    RunRequest request,
    long atMs,
    long balanceMinor,
    List<WalletPlan.Charge> charges,
    List<Segment> after,
    Long suspendedAtMs,
    long uncollectedMinor,
    List<Resumed> resumed,
    Long nextChargeAtMs,
    List<RunwayAlerts.Alert> runwayAlerts,
    RunwayAlerts.State runwayState) {

  /**
   * The stored shape's version. Shape 1 (before typed runs, no {@code format} field) stored the new
   * plan as the whole plan view; shape 2 stores its terms only. Both are read, so that a run left
   * pending across an upgrade completes.
   */
  static final int FORMAT = 2;

  /**
   * A suspended subscription the run resumes: a new segment, anchored at the run's time.
   *
   * @param subscriptionId the subscription
   * @param segment the number of the segment that was suspended
   * @param plan the plan the new segment runs on
   */
  record Resumed(String subscriptionId, int segment, PlanTerms plan) {}

  static String newRunId() {
    return UUID.randomUUID().toString();
  }

  WalletKey wallet() {
    return request.wallet();
  }

  Instant at() {
    return Instant.ofEpochMilli(atMs);
  }

  Instant suspendedAt() {
    return suspendedAtMs == null ? null : Instant.ofEpochMilli(suspendedAtMs);
  }

  Instant nextChargeAt() {
    return nextChargeAtMs == null ? null : Instant.ofEpochMilli(nextChargeAtMs);
  }

  /** A timer run that only moves its segments' progress: no suspension, resume or command. */
  boolean isPlainTimerRun() {
    return request.action() == Action.TIMER
        && runwayAlerts.isEmpty()
        && suspendedAtMs == null
        && resumed.isEmpty()
        && request.command() == null
        && request.subscriptionId() == null;
  }

  /**
   * The run's entries as ledger postings, each keyed by its period's unique reference. Reposting a
   * pending run sends exactly these again, so the ledger replays what it has.
   */
  List<PostingRequest> postings() {
    List<PostingRequest> postings = new ArrayList<>(charges.size());
    for (WalletPlan.Charge charge : charges) {
      postings.add(
          new PostingRequest(
              charge.reference(),
              wallet().userId(),
              wallet().currency(),
              -charge.amountMinor(),
              EntryKind.BILLING,
              "Plan "
                  + charge.planCode()
                  + ", "
                  + Instant.ofEpochMilli(charge.fromMs())
                  + " to "
                  + Instant.ofEpochMilli(charge.toMs())
                  + (charge.partial() ? " (prorated)" : ""),
              charge.reference(),
              "revenue"));
    }
    return postings;
  }

  JsonObject toJson() {
    JsonArray chargesJson = new JsonArray();
    charges.forEach(charge -> chargesJson.add(chargeJson(charge)));
    JsonArray afterJson = new JsonArray();
    after.forEach(segment -> afterJson.add(segmentJson(segment)));
    JsonArray resumedJson = new JsonArray();
    resumed.forEach(
        r ->
            resumedJson.add(
                new JsonObject()
                    .put("id", r.subscriptionId())
                    .put("segment", r.segment())
                    .put("plan", r.plan().toJson())));
    return new JsonObject()
        .put("format", FORMAT)
        .put("run_id", runId)
        .put("request_id", request.id())
        .put("user_id", wallet().userId())
        .put("currency", wallet().currency())
        .put("action", request.action().name())
        .put("subscription_id", request.subscriptionId())
        .put("new_plan", request.newPlan() == null ? null : request.newPlan().toJson())
        .put("command", request.command() == null ? null : request.command().toJson())
        .put("at_ms", atMs)
        .put("balance_minor", balanceMinor)
        .put("charges", chargesJson)
        .put("after", afterJson)
        .put("suspended_at_ms", suspendedAtMs)
        .put("uncollected_minor", uncollectedMinor)
        .put("resumed", resumedJson)
        .put("next_charge_at_ms", nextChargeAtMs)
        .put("runway_alerts", alertsJson(runwayAlerts))
        .put(
            "runway_state",
            runwayState == null
                ? null
                : new JsonObject()
                    .put("alerted_ms", runwayState.alertedMs())
                    .put("runout_at_ms", runwayState.runoutAtMs()));
  }

  private static JsonArray alertsJson(List<RunwayAlerts.Alert> alerts) {
    JsonArray json = new JsonArray();
    alerts.forEach(
        a ->
            json.add(
                new JsonObject()
                    .put("threshold_ms", a.thresholdMs())
                    .put("occurred_at_ms", a.occurredAtMs())
                    .put("runout_at_ms", a.runoutAtMs())));
    return json;
  }

  /**
   * Reads a stored run of either shape.
   *
   * @throws IllegalArgumentException when it cannot be read: the run is then left pending, and its
   *     wallet fails alone
   */
  static PendingRun fromJson(JsonObject json) {
    int format = json.getInteger("format", 1);
    if (format != 1 && format != FORMAT) {
      throw new IllegalArgumentException(
          "pending run " + json.getString("run_id") + " is stored in an unknown shape " + format);
    }
    try {
      RunRequest request =
          new RunRequest(
              new WalletKey(json.getString("user_id"), json.getString("currency")),
              Action.valueOf(json.getString("action")),
              json.getString("subscription_id"),
              json.getJsonObject("new_plan") == null
                  ? null
                  : PlanTerms.of(json.getJsonObject("new_plan")),
              Command.fromJson(json.getJsonObject("command")));
      List<WalletPlan.Charge> charges = new ArrayList<>();
      json.getJsonArray("charges").forEach(c -> charges.add(charge((JsonObject) c)));
      List<Segment> after = new ArrayList<>();
      json.getJsonArray("after").forEach(s -> after.add(segment((JsonObject) s)));
      List<Resumed> resumed = new ArrayList<>();
      json.getJsonArray("resumed", new JsonArray())
          .forEach(r -> resumed.add(resumed((JsonObject) r)));
      return new PendingRun(
          json.getString("run_id"),
          request,
          json.getLong("at_ms"),
          json.getLong("balance_minor"),
          List.copyOf(charges),
          List.copyOf(after),
          json.getLong("suspended_at_ms"),
          json.getLong("uncollected_minor"),
          List.copyOf(resumed),
          json.getLong("next_charge_at_ms"),
          alerts(json.getJsonArray("runway_alerts", new JsonArray())),
          json.getJsonObject("runway_state") == null
              ? null
              : new RunwayAlerts.State(
                  json.getJsonObject("runway_state").getLong("alerted_ms"),
                  json.getJsonObject("runway_state").getLong("runout_at_ms")));
    } catch (RuntimeException unreadable) {
      throw new IllegalArgumentException(
          "pending run " + json.getString("run_id") + " cannot be read: " + unreadable, unreadable);
    }
  }

  private static List<RunwayAlerts.Alert> alerts(JsonArray json) {
    List<RunwayAlerts.Alert> alerts = new ArrayList<>();
    for (Object a : json) {
      JsonObject alert = (JsonObject) a;
      alerts.add(
          new RunwayAlerts.Alert(
              alert.getLong("threshold_ms"),
              alert.getLong("occurred_at_ms"),
              alert.getLong("runout_at_ms")));
    }
    return List.copyOf(alerts);
  }

  private static JsonObject chargeJson(WalletPlan.Charge charge) {
    return new JsonObject()
        .put("subscription_id", charge.subscriptionId())
        .put("plan", charge.planCode())
        .put("segment", charge.segment())
        .put("k", charge.k())
        .put("amount_minor", charge.amountMinor())
        .put("from_ms", charge.fromMs())
        .put("to_ms", charge.toMs())
        .put("partial", charge.partial())
        .put("reference", charge.reference());
  }

  private static WalletPlan.Charge charge(JsonObject json) {
    WalletPlan.Charge charge =
        new WalletPlan.Charge(
            json.getString("subscription_id"),
            json.getString("plan"),
            json.getInteger("segment"),
            json.getLong("k"),
            json.getLong("amount_minor"),
            json.getLong("from_ms"),
            json.getLong("to_ms"),
            json.getBoolean("partial"));
    String stored = json.getString("reference");
    if (stored != null && !stored.equals(charge.reference())) {
      throw new IllegalArgumentException(
          "charge " + stored + " does not match its period " + charge.reference());
    }
    return charge;
  }

  private static JsonObject segmentJson(Segment segment) {
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

  private static Segment segment(JsonObject json) {
    return new Segment(
        json.getString("subscription_id"),
        json.getString("plan"),
        json.getInteger("segment"),
        json.getLong("anchor_ms"),
        json.getLong("price_minor"),
        json.getLong("period_ms"),
        json.getLong("periods_charged"),
        json.getLong("charged_minor"));
  }

  private static Resumed resumed(JsonObject json) {
    return new Resumed(
        json.getString("id"), json.getInteger("segment"), PlanTerms.of(json.getJsonObject("plan")));
  }
}
