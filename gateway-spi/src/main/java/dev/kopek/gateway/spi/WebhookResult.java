package dev.kopek.gateway.spi;

/** What verifying and parsing a webhook produced. */
public sealed interface WebhookResult {

  /**
   * Signed by the provider and about a payment.
   *
   * @param event the normalized event
   */
  record Verified(GatewayEvent event) implements WebhookResult {}

  /**
   * Signed by the provider but of a type Kopek does not act on; acknowledged and dropped.
   *
   * @param providerEventId the provider's id of the event, or null
   * @param type the event type
   */
  record Ignored(String providerEventId, String type) implements WebhookResult {}

  /**
   * Not provably from the provider (bad or missing signature, stale timestamp, unreadable body).
   *
   * @param reason why, for the log; the sender only learns "invalid"
   */
  record Invalid(String reason) implements WebhookResult {}
}
