package dev.kopek.billing;

import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.json.JsonObject;

/**
 * What a run of one wallet is asked to do besides charging what is due.
 *
 * @param wallet the wallet
 * @param action the kind of run
 * @param subscriptionId the subscription a command is about; null for a timer or a resume
 * @param newPlan the plan an activation or a plan change starts; null otherwise
 * @param command the command's idempotency key and fingerprint; null for a timer or resume
 */
record RunRequest(
    WalletKey wallet, Action action, String subscriptionId, PlanTerms newPlan, Command command) {

  /** The kinds of run; their names are stored in pending runs. */
  enum Action {
    TIMER,
    ACTIVATE,
    CHANGE,
    CANCEL,
    RESUME
  }

  /**
   * The plan a segment runs on, as a run stores it: what billing computes with.
   *
   * @param code the plan's code
   * @param priceMinor price per period, minor units
   * @param periodMs the period's length
   */
  record PlanTerms(String code, long priceMinor, long periodMs) {

    /** The terms of a plan as the store reads it (the plan's other fields are not kept). */
    static PlanTerms of(JsonObject plan) {
      return new PlanTerms(
          plan.getString("code"), plan.getLong("price_minor"), plan.getLong("period_ms"));
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("code", code)
          .put("price_minor", priceMinor)
          .put("period_ms", periodMs);
    }
  }

  /**
   * A subscription command's idempotency: a repeat with the same key gets the first reply.
   *
   * @param key the key, prefixed with the command's verb ({@code change:<key>})
   * @param hashBase64 SHA-256 of what the command asks, base64: the same key asking something else
   *     is a conflict
   */
  record Command(String key, String hashBase64) {

    static Command fromJson(JsonObject json) {
      return json == null ? null : new Command(json.getString("key"), json.getString("hash"));
    }

    JsonObject toJson() {
      return new JsonObject().put("key", key).put("hash", hashBase64);
    }
  }

  static RunRequest timer(WalletKey wallet) {
    return new RunRequest(wallet, Action.TIMER, null, null, null);
  }

  static RunRequest resume(WalletKey wallet) {
    return new RunRequest(wallet, Action.RESUME, null, null, null);
  }

  /**
   * Identifies the request across attempts (and across the upgrade: the same text as before), so
   * that a run finds whether the pending run it completed was its own or another attempt's.
   */
  String id() {
    return action + ":" + subscriptionId + ":" + (command == null ? "" : command.key());
  }

  /** Whether the run ends the segment of its subscription: a plan change or a cancel. */
  boolean endsSegment() {
    return action == Action.CHANGE || action == Action.CANCEL;
  }
}
