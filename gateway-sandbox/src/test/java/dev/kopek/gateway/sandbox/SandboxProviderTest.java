package dev.kopek.gateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewayProvider;
import dev.kopek.gateway.spi.GatewaySettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Kopek finds the sandbox by ServiceLoader, and every bad setting is refused by its full key. */
@DisplayName("Sandbox provider")
class SandboxProviderTest {

  private static GatewaySettings settings(Map<String, Object> config) {
    return new GatewaySettings("sandbox", config, Fixtures.CLOCK);
  }

  private static Map<String, Object> with(String key, Object value) {
    Map<String, Object> config = new HashMap<>();
    config.put("webhook_secret", Fixtures.SECRET);
    config.put(key, value);
    return config;
  }

  @Test
  void serviceLoaderFindsTheSandbox() throws Exception {
    List<GatewayProvider> found =
        ServiceLoader.load(GatewayProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(provider -> provider.id().equals("sandbox"))
            .toList();

    assertThat(found).singleElement().isInstanceOf(SandboxProvider.class);
    try (Gateway gateway =
        found.get(0).create(settings(Map.of("webhook_secret", Fixtures.SECRET)))) {
      assertThat(gateway.id()).isEqualTo("sandbox");
    }
  }

  @Test
  void defaultsApply() throws Exception {
    SandboxConfig config = SandboxConfig.from(settings(Map.of("webhook_secret", Fixtures.SECRET)));

    assertThat(config).isEqualTo(new SandboxConfig(Fixtures.SECRET, 300, true, 5));
    assertThat(config.toString()).doesNotContain(Fixtures.SECRET);
  }

  @Test
  void settingsAreRead() throws Exception {
    Map<String, Object> config = with("tolerance_s", 60L);
    config.put("deliver_webhooks", false);
    config.put("webhook_retry_max", 20);

    assertThat(SandboxConfig.from(settings(config)))
        .isEqualTo(new SandboxConfig(Fixtures.SECRET, 60, false, 20));
    assertThat(SandboxConfig.from(settings(with("deliver_webhooks", "FALSE"))).deliverWebhooks())
        .isFalse();
  }

  @Test
  void missingSecretIsGeneratedOncePerProcess() throws Exception {
    SandboxConfig first = SandboxConfig.from(settings(Map.of()));
    SandboxConfig second = SandboxConfig.from(settings(Map.of("webhook_secret", "  ")));

    assertThat(first.webhookSecret()).hasSizeGreaterThanOrEqualTo(32);
    assertThat(second.webhookSecret()).isEqualTo(first.webhookSecret());
  }

  @ParameterizedTest(name = "webhook_secret of {0} characters")
  @ValueSource(ints = {1, 16, 31})
  void shortSecretIsRefusedByName(int length) {
    assertThatThrownBy(
            () ->
                new SandboxProvider()
                    .create(settings(Map.of("webhook_secret", "s".repeat(length)))))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining("payments.gateways.sandbox.webhook_secret")
        .hasMessageNotContaining("s".repeat(Math.max(length, 8)));
  }

  @Test
  void secretOfExactly32CharactersIsAccepted() throws Exception {
    try (Gateway gateway =
        new SandboxProvider().create(settings(Map.of("webhook_secret", "s".repeat(32))))) {
      assertThat(gateway.id()).isEqualTo("sandbox");
    }
  }

  @Test
  void secretThatIsNotTextIsRefusedByName() {
    assertThatThrownBy(() -> new SandboxProvider().create(settings(Map.of("webhook_secret", 42))))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining("payments.gateways.sandbox.webhook_secret");
  }

  @ParameterizedTest(name = "tolerance_s = {0}")
  @ValueSource(longs = {0, -1, 3601, 86400})
  void toleranceOutOfRangeIsRefusedByName(long tolerance) {
    assertThatThrownBy(() -> new SandboxProvider().create(settings(with("tolerance_s", tolerance))))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining("payments.gateways.sandbox.tolerance_s");
  }

  @Test
  void toleranceBoundsAreAccepted() throws Exception {
    assertThat(SandboxConfig.from(settings(with("tolerance_s", 1))).toleranceSeconds())
        .isEqualTo(1);
    assertThat(SandboxConfig.from(settings(with("tolerance_s", 3600))).toleranceSeconds())
        .isEqualTo(3600);
  }

  @Test
  void toleranceAsTextIsRefusedByName() {
    assertThatThrownBy(() -> SandboxConfig.from(settings(with("tolerance_s", "300"))))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining("payments.gateways.sandbox.tolerance_s");
  }

  @ParameterizedTest(name = "webhook_retry_max = {0}")
  @ValueSource(ints = {-1, 21})
  void retryMaxOutOfRangeIsRefusedByName(int retryMax) {
    assertThatThrownBy(() -> SandboxConfig.from(settings(with("webhook_retry_max", retryMax))))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining("payments.gateways.sandbox.webhook_retry_max");
  }

  @Test
  void deliverWebhooksThatIsNotABooleanIsRefusedByName() {
    assertThatThrownBy(() -> SandboxConfig.from(settings(with("deliver_webhooks", "maybe"))))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining("payments.gateways.sandbox.deliver_webhooks");
    assertThatThrownBy(() -> SandboxConfig.from(settings(with("deliver_webhooks", 1))))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining("payments.gateways.sandbox.deliver_webhooks");
  }
}
