package dev.kopek.billing;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Applies a planned run to the billing tables, under the wallet's lock: segment progress,
 * suspension, the command's own change (plan change, cancel, activation, resume), and the stored
 * reply of the command. Runs once per run: the caller checks the run is still the pending one.
 */
final class Applier {

  private Applier() {}

  static Future<JsonObject> apply(SqlConnection conn, BillingStore store, BillingConfig config,
      BillingClock clock, JsonObject run) {
    Instant at = Instant.ofEpochMilli(run.getLong("at_ms"));
    Long suspendedMs = run.getLong("suspended_at_ms");
    Instant suspendedAt = suspendedMs == null ? null : Instant.ofEpochMilli(suspendedMs);
    WalletRunner.Action action = WalletRunner.Action.valueOf(run.getString("action"));
    String target = run.getString("subscription_id");
    Future<Void> chain = Future.succeededFuture();
    for (Segment segment : RunJson.after(run)) {
      boolean ending = segment.subscriptionId().equals(target)
          && (action == WalletRunner.Action.CHANGE || action == WalletRunner.Action.CANCEL);
      Instant billedThrough = suspendedAt != null ? suspendedAt
          : ending ? at : Instant.ofEpochMilli(segment.billedThroughMs());
      chain = chain.compose(v -> store.updateProgress(conn, segment, billedThrough, at));
      if (suspendedAt != null) {
        chain = chain.compose(v -> store.endSegment(conn, segment, suspendedAt, "suspended"))
            .compose(v -> store.setStatus(conn, segment.subscriptionId(), "suspended", suspendedAt));
      } else if (ending && action == WalletRunner.Action.CHANGE) {
        chain = chain.compose(v -> store.endSegment(conn, segment, at, "plan_change"))
            .compose(v -> store.startSegment(conn, target, segment.segment() + 1,
                run.getJsonObject("new_plan"), at));
      } else if (ending) {
        chain = chain.compose(v -> store.endSegment(conn, segment, at, "cancelled"))
            .compose(v -> store.setStatus(conn, target, "cancelled", at));
      }
    }
    chain = chain.compose(v -> commandEffect(conn, store, run, action, target, at, suspendedAt));
    for (Object resumed : run.getJsonArray("resumed", new io.vertx.core.json.JsonArray())) {
      JsonObject subscription = (JsonObject) resumed;
      chain = chain.compose(v -> store.startSegment(conn, subscription.getString("id"),
          subscription.getInteger("segment") + 1, subscription.getJsonObject("plan"), at));
    }
    return chain.compose(v -> reply(conn, store, run, target, suspendedAt, at));
  }

  /**
   * Applies many runs under their wallets' locks, as {@link #apply} would one by one. A plain
   * timer run (charges, no suspension, resume or command) only moves its segments' progress,
   * which is done for all of them in one statement; any other run goes through {@link #apply},
   * pipelined on the connection.
   */
  static Future<Void> applyAll(SqlConnection conn, BillingStore store, BillingConfig config,
      BillingClock clock, List<JsonObject> runs) {
    if (runs.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Segment> segments = new ArrayList<>();
    List<Instant> billedThrough = new ArrayList<>();
    List<Instant> at = new ArrayList<>();
    List<Future<?>> others = new ArrayList<>();
    for (JsonObject run : runs) {
      if (isPlainTimerRun(run)) {
        for (Segment segment : RunJson.after(run)) {
          segments.add(segment);
          billedThrough.add(Instant.ofEpochMilli(segment.billedThroughMs()));
          at.add(Instant.ofEpochMilli(run.getLong("at_ms")));
        }
      } else {
        others.add(apply(conn, store, config, clock, run));
      }
    }
    others.add(store.updateProgressAll(conn, segments, billedThrough, at));
    return Future.all(others).mapEmpty();
  }

  /** A run for which {@link #apply} does nothing but move each segment's progress. */
  private static boolean isPlainTimerRun(JsonObject run) {
    return WalletRunner.Action.TIMER.name().equals(run.getString("action"))
        && run.getLong("suspended_at_ms") == null
        && run.getJsonArray("resumed", new io.vertx.core.json.JsonArray()).isEmpty()
        && run.getValue("command") == null
        && run.getString("subscription_id") == null;
  }

  /** Effects on a subscription that was not active when the run was planned. */
  private static Future<Void> commandEffect(SqlConnection conn, BillingStore store, JsonObject run,
      WalletRunner.Action action, String target, Instant at, Instant suspendedAt) {
    boolean wasActive = RunJson.after(run).stream().anyMatch(s -> s.subscriptionId().equals(target));
    if (action == WalletRunner.Action.ACTIVATE && suspendedAt == null) {
      return store.insertSubscription(conn, target, run.getString("user_id"),
          run.getString("currency"), run.getJsonObject("new_plan"), at);
    }
    if (wasActive || target == null) {
      return Future.succeededFuture();
    }
    if (action == WalletRunner.Action.CHANGE) {
      return store.setPlan(conn, target, run.getJsonObject("new_plan"), at);
    }
    if (action == WalletRunner.Action.CANCEL) {
      return store.setStatus(conn, target, "cancelled", at);
    }
    return Future.succeededFuture();
  }

  private static Future<JsonObject> reply(SqlConnection conn, BillingStore store, JsonObject run,
      String target, Instant suspendedAt, Instant at) {
    if (target == null) {
      return Future.succeededFuture(new JsonObject());
    }
    JsonObject command = run.getJsonObject("command");
    return store.subscription(conn, target).compose(found -> {
      JsonObject reply = found.isEmpty()
          ? new JsonObject().put("error", "insufficient_funds")
          : found.get().toJson();
      if (command == null || reply.containsKey("error")) {
        return Future.succeededFuture(reply);
      }
      return store.storeCommand(conn, run.getString("user_id"), command.getString("key"),
          Base64.getDecoder().decode(command.getString("hash")), reply, at).map(v -> reply);
    });
  }

  static Instant nextChargeAt(JsonObject run) {
    Long next = run.getLong("next_charge_at_ms");
    return next == null ? null : Instant.ofEpochMilli(next);
  }
}
