package dev.kopek.billing;

import dev.kopek.model.Bus;
import dev.kopek.model.Limits;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Billing's requests to the ledger, over its event-bus contract: balances, and runs' entries posted
 * as atomic groups. A run of one wallet uses the one-wallet forms ({@code kopek.ledger.wallet.get},
 * {@code "atomic": true}); a chunk uses the batched ones.
 */
final class BillingLedger {

  /** The most postings one {@code kopek.ledger.post.batch} request may carry. */
  private static final Logger LOG = LoggerFactory.getLogger(BillingLedger.class);

  private final Vertx vertx;
  private final long timeoutMs;

  BillingLedger(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  Future<Long> balance(WalletKey wallet) {
    return Bus.request(vertx, LedgerAddresses.WALLET_GET, walletJson(wallet), timeoutMs)
        .map(reply -> reply.getLong("balance_minor"));
  }

  /** The balances of many wallets in one request, in the order asked. */
  Future<List<Long>> balances(List<WalletKey> wallets) {
    JsonArray asked = new JsonArray();
    wallets.forEach(wallet -> asked.add(walletJson(wallet)));
    return Bus.request(
            vertx, LedgerAddresses.WALLETS_GET, new JsonObject().put("wallets", asked), timeoutMs)
        .map(
            reply -> {
              JsonArray data = reply.getJsonArray("data");
              if (data.size() != wallets.size()) {
                throw new IllegalStateException(
                    "the ledger answered "
                        + data.size()
                        + " balances for "
                        + wallets.size()
                        + " wallets");
              }
              List<Long> balances = new ArrayList<>(data.size());
              for (int i = 0; i < data.size(); i++) {
                balances.add(data.getJsonObject(i).getLong("balance_minor"));
              }
              return balances;
            });
  }

  /**
   * Posts one run's entries as one atomic request. Fails when the request fails: then it is not
   * known whether they were posted.
   */
  Future<Outcome> post(PendingRun run) {
    return Bus.request(
            vertx,
            LedgerAddresses.POST_BATCH,
            new JsonObject().put("postings", postingsJson(run)).put("atomic", true),
            timeoutMs)
        .map(reply -> outcome(run, reply.getJsonArray("results")));
  }

  /**
   * Posts every run's entries as a group of its own, in as few requests as the ledger's limit
   * allows. Never fails: per run, in order, what became of its group.
   */
  Future<List<Outcome>> postGroups(List<PendingRun> runs) {
    List<Outcome> outcomes = new ArrayList<>(Arrays.asList(new Outcome[runs.size()]));
    List<Future<Void>> requests = new ArrayList<>();
    JsonArray groups = new JsonArray();
    List<Integer> members = new ArrayList<>();
    int postings = 0;
    for (int i = 0; i < runs.size(); i++) {
      JsonArray group = postingsJson(runs.get(i));
      if (group.isEmpty() || group.size() > Limits.POSTINGS_PER_REQUEST_MAX) {
        outcomes.set(
            i,
            new Outcome.Unknown(
                new IllegalStateException(
                    "a run of " + group.size() + " entries cannot be posted in one request")));
        continue;
      }
      if (postings + group.size() > Limits.POSTINGS_PER_REQUEST_MAX) {
        requests.add(postGroups(runs, groups, members, outcomes));
        groups = new JsonArray();
        members = new ArrayList<>();
        postings = 0;
      }
      groups.add(group);
      members.add(i);
      postings += group.size();
    }
    if (!members.isEmpty()) {
      requests.add(postGroups(runs, groups, members, outcomes));
    }
    return Future.all(requests).map(v -> outcomes);
  }

  private Future<Void> postGroups(
      List<PendingRun> runs, JsonArray groups, List<Integer> members, List<Outcome> outcomes) {
    return Bus.request(
            vertx, LedgerAddresses.POST_BATCH, new JsonObject().put("groups", groups), timeoutMs)
        .<Void>map(
            reply -> {
              JsonArray results = reply.getJsonArray("groups");
              for (int j = 0; j < members.size(); j++) {
                int i = members.get(j);
                outcomes.set(i, outcome(runs.get(i), results.getJsonArray(j)));
              }
              return null;
            })
        .recover(
            error -> {
              LOG.warn(
                  "Posting the billing runs of {} wallets failed ({}); their pending runs are "
                      + "posted again",
                  members.size(),
                  error.toString());
              members.forEach(i -> outcomes.set(i, new Outcome.Unknown(error)));
              return Future.succeededFuture();
            });
  }

  /**
   * Reads the ledger's results for a run's group: each entry's id when posted, or the code the
   * group was refused with (every result of a refused group carries it).
   */
  private static Outcome outcome(PendingRun run, JsonArray results) {
    List<Long> entryIds = new ArrayList<>(results.size());
    for (int i = 0; i < results.size(); i++) {
      JsonObject result = results.getJsonObject(i);
      JsonObject entry = result.getJsonObject("entry");
      if (entry == null) {
        String code = result.getJsonObject("error", new JsonObject()).getString("code");
        LOG.info(
            "Billing run for {} refused by the ledger ({}); planning again", run.wallet(), code);
        return new Outcome.Refused(code);
      }
      entryIds.add(entry.getLong("id"));
    }
    return new Outcome.Posted(List.copyOf(entryIds));
  }

  private static JsonArray postingsJson(PendingRun run) {
    JsonArray postings = new JsonArray();
    run.postings().stream().map(PostingRequest::toJson).forEach(postings::add);
    return postings;
  }

  private static JsonObject walletJson(WalletKey wallet) {
    return new JsonObject().put("user_id", wallet.userId()).put("currency", wallet.currency());
  }
}
