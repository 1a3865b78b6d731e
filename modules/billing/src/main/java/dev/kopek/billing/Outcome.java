package dev.kopek.billing;

import java.util.List;

/** What the ledger did with the entries of one run, posted as one atomic group. */
sealed interface Outcome {

  /** Every entry is in the ledger (written now, or replayed), with its id, in charge order. */
  record Posted(List<Long> entryIds) implements Outcome {}

  /**
   * The ledger refused the group (the balance moved since the run was planned): nothing of it was
   * written, and the wallet is planned again.
   */
  record Refused(String code) implements Outcome {}

  /** Not known: the request failed or went unanswered. The pending run is posted again. */
  record Unknown(Throwable cause) implements Outcome {}
}
