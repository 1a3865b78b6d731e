package dev.kopek.billing;

import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bills the wallets whose timer is due, a chunk at a time ({@link BillingSaga#runChunk}), and then,
 * one by one, the wallets a chunk left to run alone. Confined to the verticle's event loop.
 */
final class DueWallets {

  /** Most wallets claimed and billed together (fewer with a smaller billing.batch_max). */
  static final int CHUNK_MAX = 500;

  /** Chunks in flight at once: one can post to the ledger while another is in a transaction. */
  private static final int CHUNKS_IN_FLIGHT = 4;

  /** Wallets run alone at once, when a chunk leaves them to their own runs. */
  private static final int ALONE_IN_FLIGHT = 8;

  private static final Logger LOG = LoggerFactory.getLogger(DueWallets.class);

  private final BillingSaga saga;
  private final BillingConfig config;
  private final int chunkMax;

  DueWallets(BillingSaga saga, BillingConfig config) {
    this.saga = saga;
    this.config = config;
    this.chunkMax = Math.min(CHUNK_MAX, config.batchMax());
  }

  /**
   * What a poll did: wallets claimed, how many of them could not be run, whether running them
   * together failed (then claiming stops until the next poll), and whether it stopped only because
   * it had claimed {@code billing.batch_max} wallets (more are likely due).
   */
  record Tally(int claimed, int failed, boolean broken, boolean more) {}

  /**
   * Bills up to {@code billing.batch_max} wallets due at {@code now} (the shared clock, refreshed
   * by the caller), chunk by chunk, until that many were claimed or a claim comes back short
   * (nothing more is due, or other processes have the rest). One chunk is claimed first; only if it
   * comes back full do {@link #CHUNKS_IN_FLIGHT} chunks run at once, each lane claiming its next
   * chunk as soon as it is done with one. The rest waits for the next poll, so that the processes
   * polling the same database share the work.
   */
  Future<Tally> runDue(Instant now) {
    int[] reserved = {0};
    int[] claimed = {0};
    int[] failed = {0};
    boolean[] broken = {false};
    boolean[] more = {false};
    Promise<Boolean> full = Promise.promise();
    List<Future<Void>> lanes = new ArrayList<>();
    lanes.add(lane(now, reserved, claimed, failed, broken, more, full));
    Future<Void> others =
        full.future()
            .compose(
                firstFull -> {
                  List<Future<Void>> started = new ArrayList<>();
                  for (int lane = 1; firstFull && lane < CHUNKS_IN_FLIGHT; lane++) {
                    started.add(lane(now, reserved, claimed, failed, broken, more, null));
                  }
                  return Future.all(started).mapEmpty();
                });
    lanes.add(others);
    return Future.all(lanes)
        .map(v -> new Tally(claimed[0], failed[0], broken[0], more[0] && !broken[0]));
  }

  private Future<Void> lane(
      Instant now,
      int[] reserved,
      int[] claimed,
      int[] failed,
      boolean[] broken,
      boolean[] more,
      Promise<Boolean> full) {
    if (broken[0] || reserved[0] >= config.batchMax()) {
      if (full != null) {
        full.tryComplete(false);
      }
      // Reached only after a chunk that came back full: the poll's budget, not the due wallets,
      // ran out.
      more[0] |= reserved[0] >= config.batchMax();
      return Future.succeededFuture();
    }
    int limit = Math.min(chunkMax, config.batchMax() - reserved[0]);
    reserved[0] += limit;
    return chunk(now, limit, full)
        .compose(
            tally -> {
              if (full != null) {
                full.tryComplete(false);
              }
              claimed[0] += tally.claimed();
              failed[0] += tally.failed();
              broken[0] |= tally.broken();
              return tally.claimed() < limit
                  ? Future.succeededFuture()
                  : lane(now, reserved, claimed, failed, broken, more, null);
            });
  }

  /** One chunk, then its wallets that must run alone. */
  private Future<Tally> chunk(Instant now, int limit, Promise<Boolean> full) {
    return saga.runChunk(now, limit, full)
        .compose(
            chunk ->
                runAlone(chunk.alone())
                    .map(failed -> new Tally(chunk.claimed(), failed, chunk.broken(), false)));
  }

  /** Runs wallets one at a time each, {@link #ALONE_IN_FLIGHT} at once; returns the failures. */
  private Future<Integer> runAlone(List<WalletKey> wallets) {
    if (wallets.isEmpty()) {
      return Future.succeededFuture(0);
    }
    int[] failed = {0};
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < Math.min(ALONE_IN_FLIGHT, wallets.size()); lane++) {
      Future<Void> chain = Future.succeededFuture();
      for (int i = lane; i < wallets.size(); i += ALONE_IN_FLIGHT) {
        WalletKey wallet = wallets.get(i);
        chain =
            chain.compose(
                v ->
                    saga.timer(wallet)
                        .recover(
                            error -> {
                              LOG.warn("Billing run of {} failed: {}", wallet, error.toString());
                              failed[0]++;
                              return Future.succeededFuture();
                            }));
      }
      lanes.add(chain);
    }
    return Future.all(lanes).map(v -> failed[0]);
  }
}
