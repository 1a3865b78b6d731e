package dev.kopek.gateway.sandbox;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A gateway's real {@link WebhookSender}, counting the webhooks handed to it and keeping the most
 * recent delivery, so that tests can prove that none was sent or wait for the one that was.
 */
final class RecordedWebhooks implements Webhooks {

  private final WebhookSender sender;
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicReference<CompletableFuture<WebhookSender.Delivery>> last =
      new AtomicReference<>();

  RecordedWebhooks(WebhookSender sender) {
    this.sender = sender;
  }

  @Override
  public CompletableFuture<WebhookSender.Delivery> send(URI url, String eventId, byte[] body) {
    sent.incrementAndGet();
    CompletableFuture<WebhookSender.Delivery> delivery = sender.send(url, eventId, body);
    last.set(delivery);
    return delivery;
  }

  /** How many webhooks the gateway handed over. */
  int sent() {
    return sent.get();
  }

  /** The most recent delivery, or null before the first. */
  CompletableFuture<WebhookSender.Delivery> lastDelivery() {
    return last.get();
  }

  @Override
  public void close() {
    sender.close();
  }
}
