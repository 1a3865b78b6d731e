package dev.kopek.client;

import io.vertx.core.Vertx;
import java.util.Objects;

/**
 * The three typed clients of one event bus.
 *
 * @param ledger the ledger's ({@code kopek.ledger.*})
 * @param billing billing's ({@code kopek.billing.*})
 * @param payments payments' ({@code kopek.payments.*})
 */
public record KopekClients(LedgerClient ledger, BillingClient billing, PaymentsClient payments) {

  /** Checks every client is present. */
  public KopekClients {
    Objects.requireNonNull(ledger, "ledger");
    Objects.requireNonNull(billing, "billing");
    Objects.requireNonNull(payments, "payments");
  }

  /**
   * Clients of the capabilities on {@code vertx}'s event bus (the cluster's, when it is clustered),
   * each waiting {@code timeoutMs} for a reply.
   */
  public static KopekClients create(Vertx vertx, long timeoutMs) {
    return new KopekClients(
        LedgerClient.create(vertx, timeoutMs),
        BillingClient.create(vertx, timeoutMs),
        PaymentsClient.create(vertx, timeoutMs));
  }
}
