package dev.kopek.gateway.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewayProvider;
import dev.kopek.gateway.spi.GatewaySettings;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Stripe provider and its settings")
class StripeProviderTest {

  private static GatewaySettings settings(Map<String, Object> overrides) {
    Map<String, Object> config =
        new HashMap<>(Stubs.config(StripeConfig.DEFAULT_API_BASE, Map.of()));
    overrides.forEach(
        (key, value) -> {
          if (value == null) {
            config.remove(key);
          } else {
            config.put(key, value);
          }
        });
    return new GatewaySettings("stripe", config, Clock.systemUTC());
  }

  private static Map<String, Object> without(String key) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put(key, null);
    return overrides;
  }

  @Test
  @DisplayName("ServiceLoader finds the provider as stripe")
  void serviceLoader() {
    assertThat(
            ServiceLoader.load(GatewayProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.id().equals("stripe")))
        .singleElement()
        .isInstanceOf(StripeProvider.class);
  }

  @Test
  @DisplayName(
      "a missing secret_key names payments.gateways.stripe.secret_key and STRIPE_SECRET_KEY")
  void missingSecretKey() {
    assertThatThrownBy(() -> new StripeProvider().create(settings(without("secret_key"))))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageStartingWith(
            "payments.gateways.stripe.secret_key is required: set " + "STRIPE_SECRET_KEY");
  }

  @Test
  @DisplayName("a missing webhook_secret names its key and STRIPE_WEBHOOK_SECRET")
  void missingWebhookSecret() {
    assertThatThrownBy(() -> new StripeProvider().create(settings(without("webhook_secret"))))
        .hasMessageStartingWith(
            "payments.gateways.stripe.webhook_secret is required: set " + "STRIPE_WEBHOOK_SECRET");
  }

  @Test
  @DisplayName("publishable_key is required for payment_element, optional for checkout_session")
  void publishableKey() throws Exception {
    assertThatThrownBy(() -> new StripeProvider().create(settings(without("publishable_key"))))
        .hasMessageContaining("payments.gateways.stripe.publishable_key")
        .hasMessageContaining("STRIPE_PUBLISHABLE_KEY");
    Map<String, Object> sessions = without("publishable_key");
    sessions.put("mode", "checkout_session");
    assertThat(new StripeProvider().create(settings(sessions))).isNotNull();
  }

  @Test
  @DisplayName(
      "a secret key in publishable_key, or a publishable key in secret_key, is refused without echoing it")
  void keysSwapped() {
    assertThatThrownBy(
            () ->
                new StripeProvider().create(settings(Map.of("publishable_key", Stubs.SECRET_KEY))))
        .hasMessageContaining("payments.gateways.stripe.publishable_key")
        .message()
        .doesNotContain(Stubs.SECRET_KEY);
    assertThatThrownBy(
            () ->
                new StripeProvider().create(settings(Map.of("secret_key", Stubs.PUBLISHABLE_KEY))))
        .hasMessageContaining("payments.gateways.stripe.secret_key")
        .message()
        .doesNotContain(Stubs.PUBLISHABLE_KEY);
  }

  @Test
  @DisplayName("mode, tolerance_s, timeout_ms and api_base are checked, naming the key")
  void otherSettings() {
    assertThatThrownBy(() -> new StripeProvider().create(settings(Map.of("mode", "redirect"))))
        .hasMessageStartingWith(
            "payments.gateways.stripe.mode must be payment_element or " + "checkout_session");
    assertThatThrownBy(() -> new StripeProvider().create(settings(Map.of("tolerance_s", 0))))
        .hasMessageStartingWith("payments.gateways.stripe.tolerance_s must be between 1 and 3600");
    assertThatThrownBy(() -> new StripeProvider().create(settings(Map.of("timeout_ms", "fast"))))
        .hasMessageStartingWith("payments.gateways.stripe.timeout_ms must be a whole number");
    assertThatThrownBy(
            () -> new StripeProvider().create(settings(Map.of("api_base", "ftp://api.stripe.com"))))
        .hasMessageStartingWith("payments.gateways.stripe.api_base");
  }

  @Test
  @DisplayName("the settings' and the gateway's toString hide the keys and the webhook secret")
  void toStringHidesSecrets() throws Exception {
    GatewaySettings settings = settings(Map.of("api_base", "http://localhost:12111/"));
    StripeConfig config = StripeConfig.from(settings);
    Gateway gateway = new StripeProvider().create(settings);

    for (String text : new String[] {config.toString(), gateway.toString()}) {
      assertThat(text)
          .doesNotContain(Stubs.SECRET_KEY, Stubs.WEBHOOK_SECRET, Stubs.PUBLISHABLE_KEY)
          .contains("mode=payment_element", "http://localhost:12111");
    }
    assertThat(config.apiBase()).isEqualTo("http://localhost:12111");
    assertThat(config.toleranceSeconds()).isEqualTo(300);
    assertThat(config.timeoutMs()).isEqualTo(2000);
    assertThat(gateway.id()).isEqualTo("stripe");
  }
}
