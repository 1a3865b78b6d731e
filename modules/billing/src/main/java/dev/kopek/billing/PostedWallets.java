package dev.kopek.billing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reacts to entries other components post to wallets: a wallet with subscriptions gets its timer
 * run again (less balance may bring the run-out forward) or, after a credit, a resume. Whether a
 * wallet has subscriptions is asked of the database, not cached, since another process may have
 * just subscribed it; the question is asked for many wallets at once. The ledger publishes a
 * committed batch's entries one after another, so the lookup waits for the event loop's next turn,
 * after the entries already delivered, and takes them all; entries that arrive during a lookup go
 * together in the next one (measured: one or two queries per ledger batch).
 *
 * <p>Confined to the billing verticle's event loop.
 */
final class PostedWallets {

  private static final Logger LOG = LoggerFactory.getLogger(PostedWallets.class);

  private final Context context;
  private final BillingStore store;
  private final WalletRunner runner;
  /** "user\ncurrency" to whether any of its entries since the last lookup was a credit. */
  private Map<String, Boolean> pending = new LinkedHashMap<>();
  private boolean lookingUp;
  private boolean scheduled;

  PostedWallets(Context context, BillingStore store, WalletRunner runner) {
    this.context = context;
    this.store = store;
    this.runner = runner;
  }

  /** An entry was posted to the wallet; {@code credit} when it added to the balance. */
  void posted(String userId, String currency, boolean credit) {
    pending.merge(userId + "\n" + currency, credit, Boolean::logicalOr);
    if (!scheduled) {
      scheduled = true;
      context.runOnContext(turn -> {
        scheduled = false;
        lookUpNext();
      });
    }
  }

  private void lookUpNext() {
    if (lookingUp || pending.isEmpty()) {
      return;
    }
    lookingUp = true;
    Map<String, Boolean> wallets = pending;
    pending = new LinkedHashMap<>();
    String[] userIds = new String[wallets.size()];
    String[] currencies = new String[wallets.size()];
    int i = 0;
    for (String key : wallets.keySet()) {
      int cut = key.indexOf('\n');
      userIds[i] = key.substring(0, cut);
      currencies[i++] = key.substring(cut + 1);
    }
    store.walletsWithSubscriptions(userIds, currencies)
        .onSuccess(subscribed -> react(wallets, subscribed))
        .onFailure(error -> LOG.warn("Rescheduling {} wallet(s) after their entries failed: {}",
            wallets.size(), error.toString()))
        .onComplete(done -> {
          lookingUp = false;
          lookUpNext();
        });
  }

  private void react(Map<String, Boolean> wallets, Set<String> subscribed) {
    wallets.forEach((key, credit) -> {
      if (!subscribed.contains(key)) {
        return;
      }
      int cut = key.indexOf('\n');
      String userId = key.substring(0, cut);
      String currency = key.substring(cut + 1);
      Future<Void> run = credit ? runner.resume(userId, currency)
          : runner.timerCoalesced(userId, currency);
      run.onFailure(error -> LOG.warn("Rescheduling {} {} after an entry failed: {}", userId,
          currency, error.toString()));
    });
  }
}
