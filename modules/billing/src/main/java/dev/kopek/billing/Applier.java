package dev.kopek.billing;

import dev.kopek.billing.PendingRun.Resumed;
import dev.kopek.billing.RunRequest.Action;
import io.vertx.core.Future;
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

  static Future<Reply> apply(SqlConnection conn, BillingStore store, PendingRun run) {
    Instant at = run.at();
    Instant suspendedAt = run.suspendedAt();
    RunRequest request = run.request();
    String target = request.subscriptionId();
    Future<Void> chain = Future.succeededFuture();
    for (Segment segment : run.after()) {
      boolean ending = segment.subscriptionId().equals(target) && request.endsSegment();
      Instant billedThrough =
          suspendedAt != null
              ? suspendedAt
              : ending ? at : Instant.ofEpochMilli(segment.billedThroughMs());
      chain = chain.compose(v -> store.updateProgress(conn, segment, billedThrough, at));
      if (suspendedAt != null) {
        chain =
            chain
                .compose(v -> store.endSegment(conn, segment, suspendedAt, "suspended"))
                .compose(v -> store.suspend(conn, segment.subscriptionId(), suspendedAt));
      } else if (ending && request.action() == Action.CHANGE) {
        chain =
            chain
                .compose(v -> store.endSegment(conn, segment, at, "plan_change"))
                .compose(
                    v ->
                        store.startSegment(
                            conn, target, segment.segment() + 1, request.newPlan(), at));
      } else if (ending) {
        chain =
            chain
                .compose(v -> store.endSegment(conn, segment, at, "cancelled"))
                .compose(v -> store.cancel(conn, target, at));
      }
    }
    chain = chain.compose(v -> commandEffect(conn, store, run));
    for (Resumed resumed : run.resumed()) {
      chain =
          chain.compose(
              v ->
                  store.startSegment(
                      conn, resumed.subscriptionId(), resumed.segment() + 1, resumed.plan(), at));
    }
    return chain.compose(v -> reply(conn, store, run));
  }

  /**
   * Applies many runs under their wallets' locks, as {@link #apply} would one by one; their replies
   * in the same order. A plain timer run only moves its segments' progress, which is done for all
   * of them in one statement; any other run goes through {@link #apply}, pipelined on the
   * connection.
   */
  static Future<List<Reply>> applyAll(
      SqlConnection conn, BillingStore store, List<PendingRun> runs) {
    if (runs.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<Segment> segments = new ArrayList<>();
    List<Instant> billedThrough = new ArrayList<>();
    List<Instant> at = new ArrayList<>();
    List<Future<Reply>> replies = new ArrayList<>(runs.size());
    for (PendingRun run : runs) {
      if (run.isPlainTimerRun()) {
        for (Segment segment : run.after()) {
          segments.add(segment);
          billedThrough.add(Instant.ofEpochMilli(segment.billedThroughMs()));
          at.add(run.at());
        }
        replies.add(Future.succeededFuture(Reply.NONE));
      } else {
        replies.add(apply(conn, store, run));
      }
    }
    Future<Void> progress = store.updateProgressAll(conn, segments, billedThrough, at);
    return Future.all(Future.all(replies), progress)
        .map(v -> replies.stream().map(Future::result).toList());
  }

  /** Effects on a subscription that was not active when the run was planned. */
  private static Future<Void> commandEffect(
      SqlConnection conn, BillingStore store, PendingRun run) {
    RunRequest request = run.request();
    String target = request.subscriptionId();
    boolean wasActive = run.after().stream().anyMatch(s -> s.subscriptionId().equals(target));
    if (request.action() == Action.ACTIVATE && run.suspendedAtMs() == null) {
      return store.insertSubscription(conn, target, run.wallet(), request.newPlan(), run.at());
    }
    if (wasActive || target == null) {
      return Future.succeededFuture();
    }
    if (request.action() == Action.CHANGE) {
      return store.setPlan(conn, target, request.newPlan(), run.at());
    }
    if (request.action() == Action.CANCEL) {
      return store.cancel(conn, target, run.at());
    }
    return Future.succeededFuture();
  }

  /**
   * The command's reply, stored under its idempotency key: the subscription as it now stands. An
   * activation the run did not create (the balance ran out) stores nothing, so that the same key
   * can succeed after a top-up.
   */
  private static Future<Reply> reply(SqlConnection conn, BillingStore store, PendingRun run) {
    String target = run.request().subscriptionId();
    if (target == null) {
      return Future.succeededFuture(Reply.NONE);
    }
    RunRequest.Command command = run.request().command();
    return store
        .subscription(conn, target)
        .compose(
            found -> {
              if (found.isEmpty()) {
                return Future.succeededFuture(new Reply.BalanceRanOut());
              }
              Reply.Subscription reply = new Reply.Subscription(found.get().toJson());
              if (command == null) {
                return Future.succeededFuture(reply);
              }
              return store
                  .storeCommand(
                      conn,
                      run.wallet().userId(),
                      command.key(),
                      Base64.getDecoder().decode(command.hashBase64()),
                      reply.view(),
                      run.at())
                  .map(v -> reply);
            });
  }
}
