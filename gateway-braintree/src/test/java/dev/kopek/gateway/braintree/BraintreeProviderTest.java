package dev.kopek.gateway.braintree;

import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.kopek.gateway.braintree.BraintreeFixtures.BASE;
import static dev.kopek.gateway.braintree.BraintreeFixtures.CLOCK;
import static dev.kopek.gateway.braintree.BraintreeFixtures.PRIVATE_KEY;
import static dev.kopek.gateway.braintree.BraintreeFixtures.PUBLIC_KEY;
import static dev.kopek.gateway.braintree.BraintreeFixtures.xml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.braintreegateway.Environment;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayConfigException;
import dev.kopek.gateway.spi.GatewayProvider;
import dev.kopek.gateway.spi.GatewaySettings;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Kopek finds the provider by ServiceLoader; every bad setting is refused by its full key. */
@DisplayName("Braintree provider")
class BraintreeProviderTest {

  private static final WireMockServer SERVER = BraintreeFixtures.server();

  private static GatewaySettings settings(Map<String, Object> config) {
    return new GatewaySettings("braintree", config, CLOCK);
  }

  private static Map<String, Object> with(String key, Object value) {
    Map<String, Object> config = BraintreeFixtures.config(SERVER);
    if (value == null) {
      config.remove(key);
    } else {
      config.put(key, value);
    }
    return config;
  }

  @Test
  void serviceLoaderFindsBraintree() throws Exception {
    List<GatewayProvider> found =
        ServiceLoader.load(GatewayProvider.class).stream()
            .map(ServiceLoader.Provider::get)
            .filter(provider -> provider.id().equals("braintree"))
            .toList();

    assertThat(found).singleElement().isInstanceOf(BraintreeProvider.class);
    try (Gateway gateway = found.get(0).create(settings(BraintreeFixtures.config(SERVER)))) {
      assertThat(gateway.id()).isEqualTo("braintree");
    }
  }

  @ParameterizedTest(name = "{0} names {1}")
  @CsvSource({
    "merchant_id, BRAINTREE_MERCHANT_ID",
    "public_key, BRAINTREE_PUBLIC_KEY",
    "private_key, BRAINTREE_PRIVATE_KEY"
  })
  void missingCredentialsNameTheKeyAndTheVariable(String key, String variable) {
    for (Object value : new Object[] {null, "", "   ", 42}) {
      assertThatThrownBy(() -> new BraintreeProvider().create(settings(with(key, value))))
          .isInstanceOf(GatewayConfigException.class)
          .hasMessageContaining("payments.gateways.braintree." + key)
          .hasMessageContaining(variable);
    }
  }

  @Test
  void defaultsApply() throws Exception {
    Map<String, Object> config =
        new HashMap<>(Map.of("merchant_id", "m", "public_key", "p", "private_key", "k"));

    BraintreeConfig read = BraintreeConfig.from(settings(config));

    assertThat(read)
        .isEqualTo(new BraintreeConfig("m", "p", "k", false, Map.of(), null, null, 10_000));
    assertThat(BraintreeAdapter.environment(read)).isSameAs(Environment.SANDBOX);
    config.put("environment", "Production");
    assertThat(BraintreeAdapter.environment(BraintreeConfig.from(settings(config))))
        .isSameAs(Environment.PRODUCTION);
  }

  @Test
  void apiBaseReplacesTheEnvironment() throws Exception {
    BraintreeConfig read = BraintreeConfig.from(settings(with("api_base", SERVER.baseUrl() + "/")));

    assertThat(read.apiBase()).isEqualTo(SERVER.baseUrl());
    assertThat(BraintreeAdapter.environment(read).baseURL).isEqualTo(SERVER.baseUrl());
    assertThat(BraintreeAdapter.environment(read).certificateFilenames).isEmpty();
  }

  @Test
  void privateKeyIsNeverPrinted() throws Exception {
    assertThat(BraintreeConfig.from(settings(BraintreeFixtures.config(SERVER))).toString())
        .doesNotContain(PRIVATE_KEY)
        .contains("privateKey=***");
  }

  @ParameterizedTest(name = "environment = {0}")
  @ValueSource(strings = {"live", "dev", "test"})
  void unknownEnvironmentIsRefusedByName(String environment) {
    assertThatThrownBy(
            () -> new BraintreeProvider().create(settings(with("environment", environment))))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining("payments.gateways.braintree.environment");
  }

  @ParameterizedTest(name = "api_base = {0}")
  @ValueSource(
      strings = {"localhost:8080", "ftp://example.com", "http://", "http://h/?q=1", "not a url"})
  void badApiBaseIsRefusedByName(String apiBase) {
    assertThatThrownBy(() -> new BraintreeProvider().create(settings(with("api_base", apiBase))))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining("payments.gateways.braintree.api_base");
  }

  @ParameterizedTest(name = "timeout_ms = {0}")
  @ValueSource(longs = {0, 99, 120_001})
  void timeoutOutOfRangeIsRefusedByName(long timeout) {
    assertThatThrownBy(() -> new BraintreeProvider().create(settings(with("timeout_ms", timeout))))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining("payments.gateways.braintree.timeout_ms");
  }

  @Test
  void merchantAccountsAreReadFromAMapOrFromEntries() throws Exception {
    assertThat(
            BraintreeConfig.from(
                    settings(
                        with(
                            "merchant_account_id", Map.of("usd", " acct_usd ", "EUR", "acct_eur"))))
                .merchantAccounts())
        .isEqualTo(Map.of("USD", "acct_usd", "EUR", "acct_eur"));
    // Kopek's configuration hands nested sections over as an iterable of entries.
    Iterable<Map.Entry<String, Object>> entries =
        List.of(new AbstractMap.SimpleEntry<>("JPY", "acct_jpy"));
    assertThat(
            BraintreeConfig.from(settings(with("merchant_account_id", entries))).merchantAccounts())
        .isEqualTo(Map.of("JPY", "acct_jpy"));
    assertThat(
            BraintreeConfig.from(settings(with("merchant_account_id", "acct_one")))
                .merchantAccount())
        .isEqualTo("acct_one");
  }

  @Test
  void badMerchantAccountsAreRefusedByName() {
    for (Object value :
        new Object[] {
          42,
          Map.of("DOLLARS", "a"),
          Map.of("XAU", "a"),
          Map.of("USD", ""),
          Map.of("USD", 7),
          Map.of("usd", "a", "USD", "b")
        }) {
      assertThatThrownBy(
              () -> new BraintreeProvider().create(settings(with("merchant_account_id", value))))
          .as(String.valueOf(value))
          .isInstanceOf(GatewayConfigException.class)
          .hasMessageContaining("payments.gateways.braintree.merchant_account_id");
    }
  }

  @Test
  void theSdksRequestLogIsQuietAndNeverCarriesTheKeys() throws Exception {
    Logger sdkLogger = Logger.getLogger("Braintree");
    sdkLogger.setLevel(Level.INFO);
    List<LogRecord> records = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (sdkLogger.isLoggable(record.getLevel())) {
              records.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    sdkLogger.addHandler(capture);
    try {
      SERVER.resetAll();
      SERVER.stubFor(
          post(urlEqualTo(BASE + "/client_token"))
              .willReturn(xml(201, "<client-token><value>tok</value></client-token>")));
      // Left at INFO, the SDK logs each request: the capture sees it.
      BraintreeFixtures.sdk(SERVER, PUBLIC_KEY, PRIVATE_KEY).clientToken().generate();
      assertThat(records).isNotEmpty();
      assertThat(records)
          .noneMatch(record -> String.valueOf(record.getMessage()).contains(PRIVATE_KEY));
      records.clear();
      Gateway gateway = new BraintreeProvider().create(settings(BraintreeFixtures.config(SERVER)));

      CheckoutResult result =
          gateway.startCheckout(new CheckoutRequest("pay_1", "u", 100, "USD", null, "pay_1"));

      assertThat(result).isInstanceOf(CheckoutResult.Started.class);
      assertThat(sdkLogger.getLevel()).isEqualTo(Level.WARNING);
      assertThat(records).isEmpty();
    } finally {
      sdkLogger.removeHandler(capture);
    }
  }

  @Test
  void aLevelSetHigherIsKept() throws Exception {
    Logger sdkLogger = Logger.getLogger("Braintree");
    sdkLogger.setLevel(Level.SEVERE);
    try {
      new BraintreeProvider().create(settings(BraintreeFixtures.config(SERVER)));

      assertThat(sdkLogger.getLevel()).isEqualTo(Level.SEVERE);
    } finally {
      sdkLogger.setLevel(Level.WARNING);
    }
  }
}
