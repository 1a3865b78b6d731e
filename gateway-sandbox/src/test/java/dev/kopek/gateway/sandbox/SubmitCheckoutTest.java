package dev.kopek.gateway.sandbox;

import static dev.kopek.gateway.sandbox.Fixtures.card;
import static dev.kopek.gateway.sandbox.Fixtures.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.HostedCheckout;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.StatusResult;
import dev.kopek.gateway.spi.SubmitResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each test card has its documented effect on the page's answer and on the payment the sandbox
 * records, and each malformed field is named so the payer can fix it.
 */
@DisplayName("Card submission")
@Timeout(30)
class SubmitCheckoutTest {

  private WebhookReceiver receiver;
  private SandboxGateway gateway;

  @BeforeEach
  void start() throws IOException {
    receiver = new WebhookReceiver();
    gateway = Fixtures.gateway();
  }

  @AfterEach
  void stop() {
    gateway.close();
    receiver.close();
  }

  private HostedCheckout checkout() {
    return Fixtures.start(gateway, 2000, "USD", receiver.url());
  }

  private PaymentOutcome polled(HostedCheckout checkout) {
    StatusResult status = gateway.fetchStatus(checkout.paymentId(), checkout.providerReference());
    assertThat(status).isInstanceOf(StatusResult.Known.class);
    return ((StatusResult.Known) status).outcome();
  }

  static Stream<Arguments> testCards() {
    PaymentOutcome declined =
        new PaymentOutcome.Declined("card_declined", "Your card was declined.");
    PaymentOutcome insufficient =
        new PaymentOutcome.Declined("insufficient_funds", "Your card has insufficient funds.");
    PaymentOutcome notSupported =
        new PaymentOutcome.Declined(
            "card_not_supported",
            "This card is not accepted in test mode; use one of the test cards.");
    return Stream.of(
        Arguments.of("4242 4242 4242 4242", PaymentOutcome.SUCCEEDED, PaymentOutcome.SUCCEEDED, 1),
        Arguments.of("4242424242424242", PaymentOutcome.SUCCEEDED, PaymentOutcome.SUCCEEDED, 1),
        Arguments.of("4000 0000 0000 0002", declined, declined, 1),
        Arguments.of("4000 0000 0000 9995", insufficient, insufficient, 1),
        Arguments.of("4000 0025 0000 3155", PaymentOutcome.PENDING, PaymentOutcome.PENDING, 0),
        Arguments.of("4000 0000 0000 3063", PaymentOutcome.UNKNOWN, PaymentOutcome.SUCCEEDED, 0),
        Arguments.of("4111 1111 1111 1111", notSupported, notSupported, 1),
        Arguments.of("5555 5555 5555 4444", notSupported, notSupported, 1));
  }

  @ParameterizedTest(name = "{0} -> page {1}, polled {2}")
  @MethodSource("testCards")
  void testCardHasItsEffect(
      String number, PaymentOutcome page, PaymentOutcome recorded, int webhooks) {
    HostedCheckout checkout = checkout();

    SubmitResult result = gateway.submitCheckout(checkout, card(number));

    assertThat(result).isEqualTo(new SubmitResult.Accepted(page, checkout.providerReference()));
    assertThat(polled(checkout)).isEqualTo(recorded);
    assertThat(Fixtures.webhooks(gateway).sent()).isEqualTo(webhooks);
  }

  static Stream<Arguments> invalidForms() {
    return Stream.of(
        Arguments.of("no number", null, "12/34", "123", "card_number"),
        Arguments.of("blank number", "   ", "12/34", "123", "card_number"),
        Arguments.of("letters", "4242 4242 4242 424x", "12/34", "123", "card_number"),
        Arguments.of("dashes", "4242-4242-4242-4242", "12/34", "123", "card_number"),
        Arguments.of("Luhn failure", "4242 4242 4242 4241", "12/34", "123", "card_number"),
        Arguments.of("11 digits", "42424242426", "12/34", "123", "card_number"),
        Arguments.of("20 digits", "42424242424242424242", "12/34", "123", "card_number"),
        Arguments.of("no expiry", "4242424242424242", null, "123", "card_expiry"),
        Arguments.of("one-digit month", "4242424242424242", "1/34", "123", "card_expiry"),
        Arguments.of("month 13", "4242424242424242", "13/34", "123", "card_expiry"),
        Arguments.of("month 00", "4242424242424242", "00/34", "123", "card_expiry"),
        Arguments.of("ISO date", "4242424242424242", "2034-12", "123", "card_expiry"),
        Arguments.of("four-digit year", "4242424242424242", "12/2034", "123", "card_expiry"),
        Arguments.of("expired last month", "4242424242424242", "02/30", "123", "card_expiry"),
        Arguments.of("expired last year", "4242424242424242", "12/29", "123", "card_expiry"),
        Arguments.of("no CVC", "4242424242424242", "12/34", null, "card_cvc"),
        Arguments.of("two-digit CVC", "4242424242424242", "12/34", "12", "card_cvc"),
        Arguments.of("five-digit CVC", "4242424242424242", "12/34", "12345", "card_cvc"),
        Arguments.of("CVC with a letter", "4242424242424242", "12/34", "12a", "card_cvc"));
  }

  @ParameterizedTest(name = "{0} -> {4}")
  @MethodSource("invalidForms")
  void malformedFieldIsNamedAndNothingIsCharged(
      String name, String number, String expiry, String cvc, String field) {
    HostedCheckout checkout = checkout();

    SubmitResult result = gateway.submitCheckout(checkout, form(number, expiry, cvc));

    assertThat(result)
        .isInstanceOfSatisfying(
            SubmitResult.Invalid.class,
            invalid -> {
              assertThat(invalid.field()).isEqualTo(field);
              assertThat(invalid.message()).isNotBlank();
            });
    assertThat(polled(checkout)).isEqualTo(PaymentOutcome.PENDING);
    assertThat(Fixtures.webhooks(gateway).sent()).isZero();
  }

  @Test
  void cardExpiringThisMonthIsStillValid() {
    // The fixed clock is in March 2030.
    SubmitResult result =
        gateway.submitCheckout(checkout(), form("4242 4242 4242 4242", "03/30", "1234"));

    assertThat(result).isInstanceOf(SubmitResult.Accepted.class);
  }

  @Test
  void expiryWithSpacesAroundTheSlashIsAccepted() {
    SubmitResult result =
        gateway.submitCheckout(checkout(), form("4242 4242 4242 4242", " 12 / 34 ", "123"));

    assertThat(result).isInstanceOf(SubmitResult.Accepted.class);
  }

  @Test
  void finalOutcomeIsRepeatedWithoutASecondCharge() {
    HostedCheckout checkout = checkout();
    SubmitResult first = gateway.submitCheckout(checkout, card("4000 0000 0000 0002"));

    SubmitResult second = gateway.submitCheckout(checkout, card("4242 4242 4242 4242"));

    assertThat(second).isEqualTo(first);
    assertThat(polled(checkout)).isInstanceOf(PaymentOutcome.Declined.class);
    assertThat(Fixtures.webhooks(gateway).sent()).isEqualTo(1);
  }

  @Test
  void succeededPaymentAnswersSucceededAgainWithoutAnotherWebhook() {
    HostedCheckout checkout = checkout();
    gateway.submitCheckout(checkout, card("4242 4242 4242 4242"));

    SubmitResult again = gateway.submitCheckout(checkout, card("4000 0000 0000 0002"));

    assertThat(again)
        .isEqualTo(
            new SubmitResult.Accepted(PaymentOutcome.SUCCEEDED, checkout.providerReference()));
    assertThat(Fixtures.webhooks(gateway).sent()).isEqualTo(1);
  }

  @Test
  void pendingPaymentCanStillBePaidWithAnotherCard() {
    HostedCheckout checkout = checkout();
    gateway.submitCheckout(checkout, card("4000 0025 0000 3155"));

    SubmitResult result = gateway.submitCheckout(checkout, card("4242 4242 4242 4242"));

    assertThat(result)
        .isEqualTo(
            new SubmitResult.Accepted(PaymentOutcome.SUCCEEDED, checkout.providerReference()));
    assertThat(Fixtures.webhooks(gateway).sent()).isEqualTo(1);
  }

  @Test
  void concurrentSubmissionsChargeOnce() throws Exception {
    HostedCheckout checkout = checkout();
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<SubmitResult>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        // Half pay with a succeeding card, half with a declined one: exactly one must win.
        String number = i % 2 == 0 ? "4242424242424242" : "4000000000000002";
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return gateway.submitCheckout(checkout, card(number));
                }));
      }
      go.countDown();
      var distinct = new HashSet<SubmitResult>();
      for (Future<SubmitResult> result : results) {
        distinct.add(result.get(20, TimeUnit.SECONDS));
      }

      assertThat(distinct).hasSize(1);
      assertThat(Fixtures.webhooks(gateway).sent()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void unknownReferenceIsNotFound() {
    HostedCheckout known = checkout();
    HostedCheckout unknown =
        new HostedCheckout(
            known.paymentId(),
            2000,
            "USD",
            "sbx_pi_000000000000000000000000",
            null,
            known.submitUrl(),
            known.returnUrl(),
            known.webhookUrl());

    SubmitResult result = gateway.submitCheckout(unknown, card("4242 4242 4242 4242"));

    assertThat(result)
        .isInstanceOfSatisfying(
            SubmitResult.Failed.class,
            failed -> assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.NOT_FOUND));
    assertThat(polled(known)).isEqualTo(PaymentOutcome.PENDING);
  }

  @Test
  void referenceOfAnotherPaymentIsNotFound() {
    HostedCheckout mine = checkout();
    HostedCheckout theirs = checkout();
    HostedCheckout mixed =
        new HostedCheckout(
            mine.paymentId(),
            2000,
            "USD",
            theirs.providerReference(),
            null,
            mine.submitUrl(),
            mine.returnUrl(),
            mine.webhookUrl());

    SubmitResult result = gateway.submitCheckout(mixed, card("4242 4242 4242 4242"));

    assertThat(result)
        .isInstanceOfSatisfying(
            SubmitResult.Failed.class,
            failed -> assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.NOT_FOUND));
    assertThat(polled(theirs)).isEqualTo(PaymentOutcome.PENDING);
  }

  @Test
  void formIsCheckedBeforeThePaymentIsLookedUp() {
    HostedCheckout unknown =
        new HostedCheckout(
            "pay_x", 2000, "USD", "sbx_pi_nope", null, "/submit", "/return", receiver.url());

    assertThat(gateway.submitCheckout(unknown, form("4242", "12/34", "123")))
        .isInstanceOf(SubmitResult.Invalid.class);
  }

  @Test
  void amountDifferentFromTheStartedPaymentIsRefused() {
    HostedCheckout checkout = checkout();
    HostedCheckout inflated =
        new HostedCheckout(
            checkout.paymentId(),
            1,
            "USD",
            checkout.providerReference(),
            null,
            checkout.submitUrl(),
            checkout.returnUrl(),
            checkout.webhookUrl());

    SubmitResult result = gateway.submitCheckout(inflated, card("4242 4242 4242 4242"));

    assertThat(result)
        .isInstanceOfSatisfying(
            SubmitResult.Failed.class,
            failed ->
                assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.INVALID_REQUEST));
    assertThat(polled(checkout)).isEqualTo(PaymentOutcome.PENDING);
  }

  @Test
  void emptyFormNamesTheCardNumber() {
    assertThat(gateway.submitCheckout(checkout(), Map.of()))
        .isEqualTo(new SubmitResult.Invalid("card_number", "Enter the card number."));
  }
}
