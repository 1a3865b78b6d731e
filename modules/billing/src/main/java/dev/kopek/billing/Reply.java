package dev.kopek.billing;

import io.vertx.core.json.JsonObject;

/** What a run of one wallet answers its caller. */
sealed interface Reply {

  /** A timer or resume run, or a command's run that another attempt completed. */
  record None() implements Reply {}

  /** A command's subscription as it stands after the run (or the stored first reply). */
  record Subscription(JsonObject view) implements Reply {}

  /**
   * An activation whose run found the wallet's balance run out (by its other subscriptions): the
   * wallet was suspended and the subscription not created.
   */
  record BalanceRanOut() implements Reply {}

  Reply NONE = new None();
}
