package dev.kopek.gateway.sandbox;

import static dev.kopek.gateway.sandbox.Fixtures.card;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopek.gateway.spi.GatewayEvent;
import dev.kopek.gateway.spi.HostedCheckout;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.SubmitResult;
import dev.kopek.gateway.spi.WebhookRequest;
import dev.kopek.gateway.spi.WebhookResult;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Final outcomes reach Kopek's webhook URL as signed requests that Kopek's own verification
 * accepts, retried until acknowledged; the cards and settings that model a lost webhook send none.
 */
@DisplayName("Webhook delivery")
@Timeout(60)
class WebhookDeliveryTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long WAIT_S = 30;

  /** Passes what the receiver got to the gateway, as Kopek's webhook route does. */
  private static WebhookResult verify(SandboxGateway gateway, WebhookReceiver.Received received) {
    List<String> contentType = received.headers().get("Content-type");
    return gateway.parseWebhook(
        new WebhookRequest(
            received.body(), received.headers(), contentType == null ? null : contentType.get(0)));
  }

  private static WebhookSender.Delivery delivery(SandboxGateway gateway) throws Exception {
    assertThat(Fixtures.webhooks(gateway).lastDelivery()).as("a delivery was started").isNotNull();
    return Fixtures.webhooks(gateway).lastDelivery().get(WAIT_S, TimeUnit.SECONDS);
  }

  @Test
  void succeededPaymentIsAnnouncedBySignedWebhook() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver();
        SandboxGateway gateway = Fixtures.gateway()) {
      HostedCheckout checkout = Fixtures.start(gateway, 2000, "USD", receiver.url());

      gateway.submitCheckout(checkout, card("4242 4242 4242 4242"));

      assertThat(delivery(gateway)).isEqualTo(new WebhookSender.Delivery(1, 200, true));
      assertThat(receiver.received()).hasSize(1);
      WebhookReceiver.Received received = receiver.received().get(0);
      assertThat(received.method()).isEqualTo("POST");
      assertThat(received.headers().get("Content-type")).containsExactly("application/json");
      assertThat(received.headers().get("Kopek-sandbox-signature").get(0))
          .matches("t=" + Fixtures.NOW_S + ",v1=[0-9a-f]{64}");

      WebhookResult result = verify(gateway, received);

      assertThat(result).isInstanceOf(WebhookResult.Verified.class);
      GatewayEvent event = ((WebhookResult.Verified) result).event();
      assertThat(event.providerEventId()).matches("evt_[A-Za-z0-9]{24}");
      assertThat(event)
          .isEqualTo(
              new GatewayEvent(
                  event.providerEventId(),
                  "payment.succeeded",
                  checkout.paymentId(),
                  checkout.providerReference(),
                  2000,
                  "USD",
                  PaymentOutcome.SUCCEEDED));

      JsonNode body = JSON.readTree(received.body());
      assertThat(body.get("created").asLong()).isEqualTo(Fixtures.NOW_S);
      assertThat(body.at("/data/status").asText()).isEqualTo("succeeded");
      assertThat(body.at("/data/decline_code").isNull()).isTrue();
    }
  }

  @Test
  void declinedPaymentIsAnnouncedWithItsDeclineCode() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver();
        SandboxGateway gateway = Fixtures.gateway()) {
      HostedCheckout checkout = Fixtures.start(gateway, 1000, "JPY", receiver.url());

      gateway.submitCheckout(checkout, card("4000 0000 0000 9995"));

      assertThat(delivery(gateway).delivered()).isTrue();
      WebhookReceiver.Received received = receiver.received().get(0);
      assertThat(verify(gateway, received))
          .isEqualTo(
              new WebhookResult.Verified(
                  new GatewayEvent(
                      JSON.readTree(received.body()).get("id").asText(),
                      "payment.failed",
                      checkout.paymentId(),
                      checkout.providerReference(),
                      1000,
                      "JPY",
                      new PaymentOutcome.Declined(
                          "insufficient_funds", "Your card has insufficient funds."))));
      assertThat(JSON.readTree(received.body()).at("/data/status").asText()).isEqualTo("failed");
    }
  }

  @Test
  void failedDeliveriesAreRetriedUntilAcknowledged() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver(500, 500, 200);
        SandboxGateway gateway = Fixtures.gateway()) {
      HostedCheckout checkout = Fixtures.start(gateway, 2000, "USD", receiver.url());

      gateway.submitCheckout(checkout, card("4242 4242 4242 4242"));

      assertThat(delivery(gateway)).isEqualTo(new WebhookSender.Delivery(3, 200, true));
      List<WebhookReceiver.Received> received = receiver.received();
      assertThat(received).hasSize(3);
      // The same event each time, so Kopek dedupes the retries; each attempt verifies.
      assertThat(received)
          .extracting(r -> new String(r.body()))
          .containsOnly(new String(received.get(0).body()));
      assertThat(received)
          .allSatisfy(
              r -> assertThat(verify(gateway, r)).isInstanceOf(WebhookResult.Verified.class));
    }
  }

  @Test
  void deliveryGivesUpAfterTheConfiguredRetries() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.alwaysAnswering(503);
        SandboxGateway gateway = Fixtures.gateway(Map.of("webhook_retry_max", 2))) {
      HostedCheckout checkout = Fixtures.start(gateway, 2000, "USD", receiver.url());

      gateway.submitCheckout(checkout, card("4242 4242 4242 4242"));

      assertThat(delivery(gateway)).isEqualTo(new WebhookSender.Delivery(3, 503, false));
      assertThat(receiver.received()).hasSize(3);
    }
  }

  @Test
  void noRetriesWhenRetryMaxIsZero() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.alwaysAnswering(500);
        SandboxGateway gateway = Fixtures.gateway(Map.of("webhook_retry_max", 0))) {
      HostedCheckout checkout = Fixtures.start(gateway, 2000, "USD", receiver.url());

      gateway.submitCheckout(checkout, card("4242 4242 4242 4242"));

      assertThat(delivery(gateway)).isEqualTo(new WebhookSender.Delivery(1, 500, false));
      assertThat(receiver.received()).hasSize(1);
    }
  }

  @Test
  void connectionErrorsAreRetried() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (SandboxGateway gateway = Fixtures.gateway(Map.of("webhook_retry_max", 1))) {
      HostedCheckout checkout =
          Fixtures.start(
              gateway, 2000, "USD", "http://127.0.0.1:" + closedPort + "/webhooks/sandbox");

      SubmitResult result = gateway.submitCheckout(checkout, card("4242 4242 4242 4242"));

      // The payer's answer does not wait for, or depend on, the webhook.
      assertThat(result)
          .isEqualTo(
              new SubmitResult.Accepted(PaymentOutcome.SUCCEEDED, checkout.providerReference()));
      assertThat(delivery(gateway)).isEqualTo(new WebhookSender.Delivery(2, 0, false));
    }
  }

  @Test
  void unreportedSuccessSendsNoWebhook() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver();
        SandboxGateway gateway = Fixtures.gateway()) {
      HostedCheckout silent = Fixtures.start(gateway, 2000, "USD", receiver.url());
      HostedCheckout marker = Fixtures.start(gateway, 3000, "USD", receiver.url());

      gateway.submitCheckout(silent, card("4000 0000 0000 3063"));
      assertThat(Fixtures.webhooks(gateway).sent()).isZero();
      gateway.submitCheckout(marker, card("4242 4242 4242 4242"));

      // Once the later payment's webhook has arrived, nothing else came or is on its way.
      assertThat(delivery(gateway).delivered()).isTrue();
      assertThat(Fixtures.webhooks(gateway).sent()).isEqualTo(1);
      assertThat(receiver.received())
          .singleElement()
          .satisfies(
              received ->
                  assertThat(
                          ((WebhookResult.Verified) verify(gateway, received)).event().paymentId())
                      .isEqualTo(marker.paymentId()));
    }
  }

  @Test
  void pendingPaymentSendsNoWebhook() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver();
        SandboxGateway gateway = Fixtures.gateway()) {
      HostedCheckout checkout = Fixtures.start(gateway, 2000, "USD", receiver.url());

      gateway.submitCheckout(checkout, card("4000 0025 0000 3155"));

      assertThat(Fixtures.webhooks(gateway).sent()).isZero();
      assertThat(Fixtures.webhooks(gateway).lastDelivery()).isNull();
    }
  }

  @Test
  void deliverWebhooksFalseSendsNone() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver();
        SandboxGateway gateway = Fixtures.gateway(Map.of("deliver_webhooks", false))) {
      HostedCheckout succeeded = Fixtures.start(gateway, 2000, "USD", receiver.url());
      HostedCheckout declined = Fixtures.start(gateway, 2000, "USD", receiver.url());

      SubmitResult result = gateway.submitCheckout(succeeded, card("4242 4242 4242 4242"));
      gateway.submitCheckout(declined, card("4000 0000 0000 0002"));

      assertThat(result)
          .isEqualTo(
              new SubmitResult.Accepted(PaymentOutcome.SUCCEEDED, succeeded.providerReference()));
      assertThat(Fixtures.webhooks(gateway).sent()).isZero();
      assertThat(Fixtures.webhooks(gateway).lastDelivery()).isNull();
      assertThat(receiver.received()).isEmpty();
    }
  }

  @Test
  void closedGatewayDropsDeliveriesWithoutBlocking() throws Exception {
    try (WebhookReceiver receiver = new WebhookReceiver()) {
      SandboxGateway gateway = Fixtures.gateway();
      HostedCheckout checkout = Fixtures.start(gateway, 2000, "USD", receiver.url());
      gateway.close();

      SubmitResult result = gateway.submitCheckout(checkout, card("4242 4242 4242 4242"));

      assertThat(result).isInstanceOf(SubmitResult.Accepted.class);
      assertThat(delivery(gateway)).isEqualTo(new WebhookSender.Delivery(0, 0, false));
      assertThat(receiver.received()).isEmpty();
    }
  }

  @Test
  void closeEndsDeliveriesThatAreWaitingToRetry() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.alwaysAnswering(500)) {
      // A minute before the first retry: close() comes long before it is due.
      SandboxGateway gateway = Fixtures.gateway(Map.of(), Duration.ofMinutes(1));
      HostedCheckout checkout = Fixtures.start(gateway, 2000, "USD", receiver.url());
      gateway.submitCheckout(checkout, card("4242 4242 4242 4242"));
      assertThat(receiver.await(1, Duration.ofSeconds(WAIT_S))).isTrue();

      gateway.close();

      WebhookSender.Delivery delivery = delivery(gateway);
      assertThat(delivery.attempts()).isEqualTo(1);
      assertThat(delivery.delivered()).isFalse();
    }
  }
}
