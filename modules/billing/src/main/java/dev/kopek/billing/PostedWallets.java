package dev.kopek.billing;

import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reacts to entries other components post to wallets: a wallet with subscriptions gets its timer
 * run again (less balance may bring the run-out forward) or, after a credit, a resume. Whether a
 * wallet has subscriptions is asked of the database, not cached, since another process may have
 * just subscribed it; the question is asked for many wallets at once: a lookup starts {@value
 * #LOOKUP_DELAY_MS} ms after the first entry it covers and takes every entry posted meanwhile, and
 * entries that arrive during a lookup wait for the next. Measured under API load, asking on the
 * next event-loop turn instead cost two lookups per ledger batch (over a thousand a second, each
 * its own statement and transaction); a reaction a few milliseconds later changes nothing for
 * timers that run hourly.
 *
 * <p>Confined to the billing verticle's event loop.
 */
final class PostedWallets {

  private static final Logger LOG = LoggerFactory.getLogger(PostedWallets.class);

  /** How long a lookup waits for more entries after the first one it will cover. */
  static final long LOOKUP_DELAY_MS = 10;

  /** Which of the wallets have subscriptions. */
  interface Lookup {
    Future<Set<WalletKey>> subscribed(List<WalletKey> wallets);
  }

  private final Context context;
  private final Lookup lookup;
  private final Function<WalletKey, Future<Void>> resume;
  private final Function<WalletKey, Future<Void>> timer;

  /** Each wallet posted to since the last lookup: whether any of its entries was a credit. */
  private Map<WalletKey, Boolean> pending = new LinkedHashMap<>();

  private boolean lookingUp;
  private boolean scheduled;
  private int reacting;

  /**
   * Runs on {@code context}; asks {@code lookup}, then calls {@code resume} for a subscribed wallet
   * that was credited and {@code timer} for one that was only debited.
   */
  PostedWallets(
      Context context,
      Lookup lookup,
      Function<WalletKey, Future<Void>> resume,
      Function<WalletKey, Future<Void>> timer) {
    this.context = context;
    this.lookup = lookup;
    this.resume = resume;
    this.timer = timer;
  }

  /** An entry was posted to the wallet; {@code credit} when it added to the balance. */
  void posted(WalletKey wallet, boolean credit) {
    pending.merge(wallet, credit, Boolean::logicalOr);
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
    context
        .owner()
        .setTimer(
            LOOKUP_DELAY_MS,
            id -> {
              scheduled = false;
              lookUp();
            });
  }

  private void lookUp() {
    if (pending.isEmpty()) {
      return;
    }
    lookingUp = true;
    Map<WalletKey, Boolean> wallets = pending;
    pending = new LinkedHashMap<>();
    lookup
        .subscribed(new ArrayList<>(wallets.keySet()))
        .onSuccess(subscribed -> react(wallets, subscribed))
        .onFailure(
            error ->
                LOG.warn(
                    "Rescheduling {} wallet(s) after their entries failed: {}",
                    wallets.size(),
                    error.toString()))
        .onComplete(
            done -> {
              lookingUp = false;
              if (!pending.isEmpty()) {
                schedule();
              }
            });
  }

  private void react(Map<WalletKey, Boolean> wallets, Set<WalletKey> subscribed) {
    wallets.forEach(
        (wallet, credit) -> {
          if (!subscribed.contains(wallet)) {
            return;
          }
          Future<Void> run = credit ? resume.apply(wallet) : timer.apply(wallet);
          reacting++;
          run.onComplete(done -> reacting--)
              .onFailure(
                  error ->
                      LOG.warn(
                          "Rescheduling {} after an entry failed: {}", wallet, error.toString()));
        });
  }
}
