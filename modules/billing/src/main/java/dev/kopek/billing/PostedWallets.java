package dev.kopek.billing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reacts to entries other components post to wallets: a wallet with subscriptions gets its timer
 * run again (less balance may bring the run-out forward) or, after a credit, a resume. Whether a
 * wallet has subscriptions is asked of the database, not cached, since another process may have
 * just subscribed it; the question is asked for many wallets at once: a lookup starts
 * {@value #LOOKUP_DELAY_MS} ms after the first entry it covers and takes every entry posted
 * meanwhile, and entries that arrive during a lookup wait for the next. Measured under API load,
 * asking on the next event-loop turn instead cost two lookups per ledger batch (over a thousand a
 * second, each its own statement and transaction); a reaction a few milliseconds later changes
 * nothing for timers that run hourly.
 *
 * <p>Confined to the billing verticle's event loop.
 */
final class PostedWallets {

  private static final Logger LOG = LoggerFactory.getLogger(PostedWallets.class);

  /** How long a lookup waits for more entries after the first one it will cover. */
  static final long LOOKUP_DELAY_MS = 10;

  /** Which of the wallets (user ids and currencies, pairwise) have subscriptions, as "user\ncurrency". */
  interface Lookup {
    Future<Set<String>> subscribed(String[] userIds, String[] currencies);
  }

  private final Context context;
  private final Lookup lookup;
  private final BiFunction<String, String, Future<Void>> resume;
  private final BiFunction<String, String, Future<Void>> timer;
  /** "user\ncurrency" to whether any of its entries since the last lookup was a credit. */
  private Map<String, Boolean> pending = new LinkedHashMap<>();
  private boolean lookingUp;
  private boolean scheduled;
  private int reacting;

  /**
   * Runs on {@code context}; asks {@code lookup}, then calls {@code resume} for a subscribed
   * wallet that was credited and {@code timer} for one that was only debited.
   */
  PostedWallets(Context context, Lookup lookup, BiFunction<String, String, Future<Void>> resume,
      BiFunction<String, String, Future<Void>> timer) {
    this.context = context;
    this.lookup = lookup;
    this.resume = resume;
    this.timer = timer;
  }

  /** An entry was posted to the wallet; {@code credit} when it added to the balance. */
  void posted(String userId, String currency, boolean credit) {
    pending.merge(userId + "\n" + currency, credit, Boolean::logicalOr);
    schedule();
  }

  /** Whether every entry posted so far has been looked up and reacted to. */
  boolean idle() {
    return !scheduled && !lookingUp && pending.isEmpty() && reacting == 0;
  }

  private void schedule() {
    if (scheduled || lookingUp) {
      return;
    }
    scheduled = true;
    context.owner().setTimer(LOOKUP_DELAY_MS, id -> {
      scheduled = false;
      lookUp();
    });
  }

  private void lookUp() {
    if (pending.isEmpty()) {
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
    lookup.subscribed(userIds, currencies)
        .onSuccess(subscribed -> react(wallets, subscribed))
        .onFailure(error -> LOG.warn("Rescheduling {} wallet(s) after their entries failed: {}",
            wallets.size(), error.toString()))
        .onComplete(done -> {
          lookingUp = false;
          if (!pending.isEmpty()) {
            schedule();
          }
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
      Future<Void> run = credit ? resume.apply(userId, currency) : timer.apply(userId, currency);
      reacting++;
      run.onComplete(done -> reacting--).onFailure(error -> LOG.warn("Rescheduling {} {} after an entry failed: {}", userId,
          currency, error.toString()));
    });
  }
}
