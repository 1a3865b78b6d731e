package dev.kopek.gateway.sandbox;

import static dev.kopek.gateway.sandbox.Fixtures.NOW_S;
import static dev.kopek.gateway.sandbox.Fixtures.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.gateway.spi.GatewayEvent;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.WebhookRequest;
import dev.kopek.gateway.spi.WebhookResult;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A webhook is believed only when its signature covers the exact body, with the configured secret,
 * at a timestamp within the tolerance; only then is the body read.
 */
@DisplayName("Webhook verification")
class WebhookVerificationTest {

  private static final SandboxGateway GATEWAY = Fixtures.gateway();

  private static final String SUCCEEDED =
      """
      {"id":"evt_1","type":"payment.succeeded","created":1900000000,"data":{\
      "payment_id":"pay_1","reference":"sbx_pi_1","amount_minor":2000,"currency":"USD",\
      "status":"succeeded","decline_code":null}}""";

  @AfterAll
  static void close() {
    GATEWAY.close();
  }

  private static WebhookResult receive(String body, String signature) {
    return receive(GATEWAY, body.getBytes(StandardCharsets.UTF_8), signature);
  }

  private static WebhookResult receive(SandboxGateway gateway, byte[] body, String signature) {
    Map<String, List<String>> headers =
        signature == null
            ? Map.of("Content-Type", List.of("application/json"))
            : Map.of(
                "Content-Type",
                List.of("application/json"),
                SandboxSignature.HEADER,
                List.of(signature));
    return gateway.parseWebhook(new WebhookRequest(body, headers, "application/json"));
  }

  private static String sign(String body, long timestamp) {
    return SandboxSignature.sign(SECRET, timestamp, body.getBytes(StandardCharsets.UTF_8));
  }

  private static String reason(WebhookResult result) {
    assertThat(result).isInstanceOf(WebhookResult.Invalid.class);
    return ((WebhookResult.Invalid) result).reason();
  }

  @Test
  void correctlySignedSucceededEventVerifies() {
    WebhookResult result = receive(SUCCEEDED, sign(SUCCEEDED, NOW_S));

    assertThat(result)
        .isEqualTo(
            new WebhookResult.Verified(
                new GatewayEvent(
                    "evt_1",
                    "payment.succeeded",
                    "pay_1",
                    "sbx_pi_1",
                    2000,
                    "USD",
                    PaymentOutcome.SUCCEEDED)));
  }

  @Test
  void signedFailedEventCarriesTheDeclineCode() {
    String body =
        """
        {"id":"evt_2","type":"payment.failed","created":1900000000,"data":{\
        "payment_id":"pay_2","reference":"sbx_pi_2","amount_minor":1000,"currency":"JPY",\
        "status":"failed","decline_code":"insufficient_funds"}}""";

    WebhookResult result = receive(body, sign(body, NOW_S));

    assertThat(result).isInstanceOf(WebhookResult.Verified.class);
    GatewayEvent event = ((WebhookResult.Verified) result).event();
    assertThat(event.outcome())
        .isInstanceOfSatisfying(
            PaymentOutcome.Declined.class,
            declined -> {
              assertThat(declined.code()).isEqualTo("insufficient_funds");
              assertThat(declined.message()).isEqualTo("Your card has insufficient funds.");
            });
    assertThat(event.amountMinor()).isEqualTo(1000);
    assertThat(event.currency()).isEqualTo("JPY");
  }

  @Test
  void signedEventOfAnotherTypeIsIgnored() {
    String body = "{\"id\":\"evt_3\",\"type\":\"refund.created\",\"data\":{}}";

    assertThat(receive(body, sign(body, NOW_S)))
        .isEqualTo(new WebhookResult.Ignored("evt_3", "refund.created"));
  }

  @Test
  void headerNameIsMatchedWhateverItsCase() {
    byte[] body = SUCCEEDED.getBytes(StandardCharsets.UTF_8);
    WebhookRequest request =
        new WebhookRequest(
            body,
            Map.of("kopek-sandbox-signature", List.of(sign(SUCCEEDED, NOW_S))),
            "application/json");

    assertThat(GATEWAY.parseWebhook(request)).isInstanceOf(WebhookResult.Verified.class);
  }

  @Test
  void tamperedBodyIsInvalid() {
    String signature = sign(SUCCEEDED, NOW_S);
    String tampered = SUCCEEDED.replace("2000", "9000");

    assertThat(reason(receive(tampered, signature))).contains("does not match");
  }

  @Test
  void bodyIsNotReadBeforeTheSignatureIsChecked() {
    String signature = sign(SUCCEEDED, NOW_S);

    // Unparsable and unsigned: the reason must be the signature, proving the parse never ran.
    assertThat(reason(receive("not json at all", signature))).contains("does not match");
  }

  @Test
  void whitespaceAddedToTheBodyIsTampering() {
    String signature = sign(SUCCEEDED, NOW_S);

    assertThat(reason(receive(SUCCEEDED + "\n", signature))).contains("does not match");
  }

  @Test
  void wrongSecretIsInvalid() {
    String signature =
        SandboxSignature.sign(
            "whsec_some_other_secret_of_enough_length",
            NOW_S,
            SUCCEEDED.getBytes(StandardCharsets.UTF_8));

    assertThat(reason(receive(SUCCEEDED, signature))).contains("does not match");
  }

  @Test
  void timestampOlderThanTheToleranceIsInvalid() {
    assertThat(reason(receive(SUCCEEDED, sign(SUCCEEDED, NOW_S - 301)))).contains("timestamp");
  }

  @Test
  void timestampFurtherInTheFutureThanTheToleranceIsInvalid() {
    assertThat(reason(receive(SUCCEEDED, sign(SUCCEEDED, NOW_S + 301)))).contains("timestamp");
  }

  @Test
  void timestampsAtTheEdgesOfTheToleranceVerify() {
    assertThat(receive(SUCCEEDED, sign(SUCCEEDED, NOW_S - 300)))
        .isInstanceOf(WebhookResult.Verified.class);
    assertThat(receive(SUCCEEDED, sign(SUCCEEDED, NOW_S + 300)))
        .isInstanceOf(WebhookResult.Verified.class);
  }

  @Test
  void configuredToleranceApplies() {
    try (SandboxGateway strict = Fixtures.gateway(Map.of("tolerance_s", 10))) {
      byte[] body = SUCCEEDED.getBytes(StandardCharsets.UTF_8);

      assertThat(receive(strict, body, sign(SUCCEEDED, NOW_S - 10)))
          .isInstanceOf(WebhookResult.Verified.class);
      assertThat(reason(receive(strict, body, sign(SUCCEEDED, NOW_S - 11)))).contains("timestamp");
    }
  }

  @Test
  void missingHeaderIsInvalid() {
    assertThat(reason(receive(SUCCEEDED, null))).contains("missing");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "",
        "   ",
        "garbage",
        "t=,v1=$SIG",
        "t=abc,v1=$SIG",
        "t=-5,v1=$SIG",
        "v1=$SIG",
        "t=$T",
        "t=$T,v1=",
        "t=$T,v1=zz",
        "t=$T,v1=$SIG_TRUNCATED",
        "t=$T,t=$T,v1=$SIG",
        "t=$T;v1=$SIG",
        "t=$T,v1=$SIG,",
        "=$T,v1=$SIG",
        "t=$T,v0=$SIG"
      })
  void malformedHeaderIsInvalid(String template) {
    String good = sign(SUCCEEDED, NOW_S);
    String hex = good.substring(good.indexOf("v1=") + 3);
    String header =
        template
            .replace("$SIG_TRUNCATED", hex.substring(0, 63))
            .replace("$SIG", hex)
            .replace("$T", Long.toString(NOW_S));

    assertThat(receive(SUCCEEDED, header)).isInstanceOf(WebhookResult.Invalid.class);
  }

  @Test
  void anyMatchingV1AmongSeveralVerifies() {
    String good = sign(SUCCEEDED, NOW_S);
    String old =
        SandboxSignature.sign(
            "whsec_the_secret_before_rotation_000000",
            NOW_S,
            SUCCEEDED.getBytes(StandardCharsets.UTF_8));
    String header =
        "t="
            + NOW_S
            + ","
            + old.substring(old.indexOf("v1="))
            + ","
            + good.substring(good.indexOf("v1="))
            + ",v0=ignored";

    assertThat(receive(SUCCEEDED, header)).isInstanceOf(WebhookResult.Verified.class);
  }

  @Test
  void upperCaseHexVerifies() {
    String good = sign(SUCCEEDED, NOW_S);
    String header = "t=" + NOW_S + ", v1=" + good.substring(good.indexOf("v1=") + 3).toUpperCase();

    assertThat(receive(SUCCEEDED, header)).isInstanceOf(WebhookResult.Verified.class);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @ValueSource(
      strings = {
        "not json",
        "[1,2]",
        "",
        "{\"id\":\"evt_1\"}",
        "{\"id\":\"evt_1\",\"type\":\"payment.succeeded\"}",
        "{\"type\":\"payment.succeeded\",\"data\":{\"payment_id\":\"p\",\"amount_minor\":1,"
            + "\"currency\":\"USD\"}}",
        "{\"id\":\"e\",\"type\":\"payment.succeeded\",\"data\":{\"amount_minor\":1,"
            + "\"currency\":\"USD\"}}",
        "{\"id\":\"e\",\"type\":\"payment.succeeded\",\"data\":{\"payment_id\":\"p\","
            + "\"amount_minor\":\"1\",\"currency\":\"USD\"}}",
        "{\"id\":\"e\",\"type\":\"payment.succeeded\",\"data\":{\"payment_id\":\"p\","
            + "\"amount_minor\":1.5,\"currency\":\"USD\"}}",
        "{\"id\":\"e\",\"type\":\"payment.succeeded\",\"data\":{\"payment_id\":\"p\","
            + "\"amount_minor\":1,\"currency\":\"usd\"}}",
        "{\"id\":\"e\",\"type\":\"payment.failed\",\"data\":{\"payment_id\":\"p\","
            + "\"amount_minor\":1,\"currency\":\"USD\",\"decline_code\":null}}",
        "{\"id\":\"e\",\"type\":\"payment.succeeded\",\"data\":{\"payment_id\":\"p\","
            + "\"amount_minor\":1,\"amount_minor\":100,\"currency\":\"USD\"}}",
        "{\"id\":\"e\",\"type\":\"payment.succeeded\",\"data\":{\"payment_id\":\"p\","
            + "\"amount_minor\":1,\"currency\":\"USD\"}} {}"
      })
  void signedButUnreadableBodyIsInvalid(String body) {
    assertThat(receive(body, sign(body, NOW_S))).isInstanceOf(WebhookResult.Invalid.class);
  }

  @Test
  void signatureIsStripesSchemeHmacOfTimestampDotBody() throws Exception {
    byte[] body = SUCCEEDED.getBytes(StandardCharsets.UTF_8);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String expected =
        HexFormat.of()
            .formatHex(mac.doFinal((NOW_S + "." + SUCCEEDED).getBytes(StandardCharsets.UTF_8)));

    assertThat(SandboxSignature.sign(SECRET, NOW_S, body))
        .isEqualTo("t=" + NOW_S + ",v1=" + expected);
  }

  @Test
  void signatureRoundTripsThroughTheUtility() {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    String header = SandboxSignature.sign(SECRET, NOW_S, body);

    assertThat(header).matches("t=" + NOW_S + ",v1=[0-9a-f]{64}");
    assertThat(SandboxSignature.verify(header, body, SECRET, NOW_S, 300)).isEmpty();
    assertThat(SandboxSignature.verify(header, body, SECRET, NOW_S + 301, 300)).isPresent();
    assertThat(
            SandboxSignature.verify(
                header, "{ }".getBytes(StandardCharsets.UTF_8), SECRET, NOW_S, 300))
        .isPresent();
  }
}
