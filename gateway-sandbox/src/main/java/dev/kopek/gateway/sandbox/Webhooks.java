package dev.kopek.gateway.sandbox;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/** Where a sandbox gateway hands the webhooks it sends: a {@link WebhookSender}. */
interface Webhooks extends AutoCloseable {

  /**
   * Starts delivering a webhook and returns at once.
   *
   * @return completes when the receiver acknowledged it, the retries ran out or the sender was
   *     closed; never fails
   */
  CompletableFuture<WebhookSender.Delivery> send(URI url, String eventId, byte[] body);

  /** Stops delivering; deliveries still in progress or waiting to retry are dropped. */
  @Override
  void close();
}
