package dev.kopek.gateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewaySettings;
import dev.kopek.gateway.spi.HostedCheckout;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.WeakHashMap;

/** A sandbox gateway on a fixed clock, and the payments and forms tests use. */
final class Fixtures {

  static final String SECRET = "whsec_test_0123456789abcdef0123456789abcdef";
  static final Instant NOW = Instant.parse("2030-03-15T12:00:00Z");
  static final long NOW_S = NOW.getEpochSecond();
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  /** Short, so retry tests take milliseconds; production waits a second. */
  static final Duration TEST_RETRY_DELAY = Duration.ofMillis(20);

  private Fixtures() {}

  /** Each gateway made here, and the webhooks it handed over. */
  private static final Map<SandboxGateway, RecordedWebhooks> WEBHOOKS =
      Collections.synchronizedMap(new WeakHashMap<>());

  static SandboxGateway gateway() {
    return gateway(Map.of());
  }

  /** A gateway with the test secret and the given settings over it. */
  static SandboxGateway gateway(Map<String, Object> settings) {
    return gateway(settings, TEST_RETRY_DELAY);
  }

  /** A gateway with the test secret, the given settings over it, and the first retry's wait. */
  static SandboxGateway gateway(Map<String, Object> settings, Duration retryDelay) {
    Map<String, Object> config = new HashMap<>();
    config.put("webhook_secret", SECRET);
    config.putAll(settings);
    SandboxConfig sandbox;
    try {
      sandbox = SandboxConfig.from(new GatewaySettings("sandbox", config, CLOCK));
    } catch (GatewayConfigException e) {
      throw new AssertionError(e);
    }
    RecordedWebhooks webhooks =
        new RecordedWebhooks(
            new WebhookSender(
                sandbox.webhookSecret(), CLOCK, sandbox.webhookRetryMax(), retryDelay));
    SandboxGateway gateway = new SandboxGateway(sandbox, CLOCK, webhooks);
    WEBHOOKS.put(gateway, webhooks);
    return gateway;
  }

  /** The webhooks a gateway made by {@link #gateway} handed over. */
  static RecordedWebhooks webhooks(SandboxGateway gateway) {
    RecordedWebhooks webhooks = WEBHOOKS.get(gateway);
    if (webhooks == null) {
      throw new IllegalArgumentException("not a gateway made by Fixtures.gateway");
    }
    return webhooks;
  }

  static CheckoutRequest request(long amountMinor, String currency) {
    String paymentId = "pay_" + UUID.randomUUID();
    return new CheckoutRequest(
        paymentId,
        "alice",
        amountMinor,
        currency,
        "http://127.0.0.1/return/" + paymentId,
        "key-" + paymentId);
  }

  /** Starts a payment and returns the page's view of it, its webhooks going to the URL. */
  static HostedCheckout start(
      SandboxGateway gateway, long amountMinor, String currency, String webhookUrl) {
    CheckoutRequest request = request(amountMinor, currency);
    CheckoutResult result = gateway.startCheckout(request);
    assertThat(result).isInstanceOf(CheckoutResult.Started.class);
    String reference = ((CheckoutResult.Started) result).providerReference();
    return new HostedCheckout(
        request.paymentId(),
        amountMinor,
        currency,
        reference,
        null,
        "/checkout/tok_" + request.paymentId() + "/submit",
        request.returnUrl(),
        webhookUrl);
  }

  /** The form for a card number, with a valid expiry date and CVC. */
  static Map<String, String> card(String number) {
    return form(number, "12/34", "123");
  }

  static Map<String, String> form(String number, String expiry, String cvc) {
    Map<String, String> form = new HashMap<>();
    if (number != null) {
      form.put("card_number", number);
    }
    if (expiry != null) {
      form.put("card_expiry", expiry);
    }
    if (cvc != null) {
      form.put("card_cvc", cvc);
    }
    return form;
  }
}
