package dev.kopek.ledger;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.Entry;
import io.vertx.core.json.JsonObject;

/** What became of one posting command: posted (now or by an earlier try) or rejected. */
sealed interface Outcome {

  /** The entry exists; {@code replayed} when an earlier command with the same key posted it. */
  record Posted(Entry entry, boolean replayed) implements Outcome {}

  /** Nothing was written, for the reason given. */
  record Rejected(Failure failure) implements Outcome {

    /** The balance guard: the wallet's balance does not cover the debit. */
    static Rejected insufficientFunds(long balanceMinor, String currency, long amountMinor) {
      return new Rejected(
          new Failure(
              ErrorCode.INSUFFICIENT_FUNDS,
              "the balance of "
                  + balanceMinor
                  + " "
                  + currency
                  + " minor units does not cover "
                  + -amountMinor,
              new JsonObject().put("balance_minor", balanceMinor).put("currency", currency)));
    }

    /** The idempotency key was used before with another command. */
    static Rejected idempotencyConflict() {
      return new Rejected(
          Failure.of(
              ErrorCode.IDEMPOTENCY_CONFLICT,
              "the idempotency key "
                  + "was already used with a different request; use a new key for a new request"));
    }

    /** The wallet's or the counter account's balance would leave the range of a long. */
    static Rejected overflow() {
      return new Rejected(
          Failure.invalid("amount_minor", "amount_minor would overflow the balance"));
    }
  }

  /** The per-posting result in a {@code kopek.ledger.post.batch} reply. */
  default JsonObject toJson() {
    if (this instanceof Posted posted) {
      return new JsonObject()
          .put("entry", posted.entry().toJson())
          .put("replayed", posted.replayed());
    }
    return new JsonObject().put("error", ((Rejected) this).failure().toJson());
  }
}
