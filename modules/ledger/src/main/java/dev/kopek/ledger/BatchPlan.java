package dev.kopek.ledger;

import static dev.kopek.ledger.Invariants.check;

import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.PostingRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link BatchPlanner} decided for one batch: an answer per command, the entries to insert and
 * the accounts to update. The writer writes {@link #entries} and {@link #accounts} and, once the
 * database has given the entries their ids, answers with {@link #outcomes}.
 *
 * @param decisions one per command, in the batch's order
 * @param entries the new entries, in the order the batch posts them (the order of their ids)
 * @param accounts every account a new entry moves, once, in its state after the whole batch
 */
record BatchPlan(List<Decision> decisions, List<NewEntry> entries, List<Account> accounts) {

  BatchPlan {
    decisions = List.copyOf(decisions);
    entries = List.copyOf(entries);
    accounts = List.copyOf(accounts);
  }

  /** What becomes of one command. */
  sealed interface Decision {}

  /**
   * Answered without writing: a replay of an entry stored by an earlier transaction, or a refusal
   * (nothing of the command is written, nor remembered).
   */
  record Answered(Outcome outcome) implements Decision {}

  /**
   * Answered with an entry this batch inserts: its own ({@code replayed} false), or, for a repeat
   * of a key posted earlier in the same batch, that command's ({@code replayed} true).
   */
  record Posts(NewEntry entry, boolean replayed) implements Decision {}

  /**
   * An entry as planned, before the database assigns its id.
   *
   * @param request the command it posts
   * @param walletId the wallet's row
   * @param counterAccountId the counter account's row
   * @param counterAccount the counter account's name in entries, e.g. {@code revenue:USD}
   * @param balanceAfterMinor the wallet's balance after the entry
   * @param seq the entry's place in the wallet's chain, from 1
   * @param prevHash the previous entry's hash ({@link HashChain#GENESIS} for the first)
   * @param hash this entry's hash
   * @param requestHash the command's fingerprint, for replays and conflicts
   * @param createdAt the batch's time, in microseconds
   */
  record NewEntry(
      PostingRequest request,
      long walletId,
      long counterAccountId,
      String counterAccount,
      long balanceAfterMinor,
      long seq,
      byte[] prevHash,
      byte[] hash,
      byte[] requestHash,
      Instant createdAt) {

    String idempotencyKey() {
      return request.idempotencyKey();
    }

    /** The entry as stored, with the id the database gave it. */
    Entry withId(long id) {
      return new Entry(
          id,
          request.userId(),
          request.currency(),
          request.amountMinor(),
          balanceAfterMinor,
          request.kind(),
          request.reason(),
          request.reference(),
          counterAccount,
          createdAt);
    }
  }

  /**
   * Every command's outcome, in the batch's order, once the new entries have ids.
   *
   * @param idsByKey the inserted entries' ids by idempotency key: exactly the new entries' keys
   * @throws IllegalStateException when the ids are not one per new entry
   */
  List<Outcome> outcomes(Map<String, Long> idsByKey) {
    check(
        idsByKey.size() == entries.size(),
        "the database returned %d ids for %d new entries",
        idsByKey.size(),
        entries.size());
    List<Outcome> outcomes = new ArrayList<>(decisions.size());
    for (Decision decision : decisions) {
      if (decision instanceof Answered answered) {
        outcomes.add(answered.outcome());
      } else {
        Posts posts = (Posts) decision;
        Long id = idsByKey.get(posts.entry().idempotencyKey());
        check(id != null, "no id returned for the new entry %s", posts.entry().idempotencyKey());
        outcomes.add(new Outcome.Posted(posts.entry().withId(id), posts.replayed()));
      }
    }
    return outcomes;
  }
}
