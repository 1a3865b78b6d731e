package dev.kopek.billing;

import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Keeps the runs of one wallet apart within this process: each waits for the previous one. Across
 * processes the wallet's timer row is locked instead. Confined to the verticle's event loop.
 */
final class WalletQueues {

  private final Map<WalletKey, Future<?>> queues = new HashMap<>();
  private final Set<WalletKey> waitingTimers = new HashSet<>();

  /** Queues {@code work} behind every earlier run of the same wallet in this process. */
  <T> Future<T> serialized(WalletKey wallet, Supplier<Future<T>> work) {
    Future<?> previous = queues.getOrDefault(wallet, Future.succeededFuture());
    Future<T> next = previous.transform(ignored -> work.get());
    queues.put(wallet, next);
    next.onComplete(done -> queues.remove(wallet, next));
    return next;
  }

  /**
   * Reserves the wallet's queue for work that completes with {@code until}, if nothing of the
   * wallet runs or waits in this process; false otherwise. Runs asked for meanwhile queue behind.
   */
  boolean hold(WalletKey wallet, Future<?> until) {
    if (queues.containsKey(wallet)) {
      return false;
    }
    queues.put(wallet, until);
    until.onComplete(done -> queues.remove(wallet, until));
    return true;
  }

  /**
   * Queues the wallet's timer run unless one is already waiting in this process: entries posted in
   * bursts (a busy wallet) then cost one run, not one each.
   */
  Future<Void> timerCoalesced(WalletKey wallet, Supplier<Future<Void>> timer) {
    if (!waitingTimers.add(wallet)) {
      return Future.succeededFuture();
    }
    return serialized(
        wallet,
        () -> {
          waitingTimers.remove(wallet);
          return timer.get();
        });
  }
}
