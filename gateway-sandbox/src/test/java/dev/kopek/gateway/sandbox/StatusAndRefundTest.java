package dev.kopek.gateway.sandbox;

import static dev.kopek.gateway.sandbox.Fixtures.card;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.HostedCheckout;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.RefundLookup;
import dev.kopek.gateway.spi.RefundRequest;
import dev.kopek.gateway.spi.RefundResult;
import dev.kopek.gateway.spi.StatusResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Polling reports what the sandbox recorded; refunds never exceed what was paid, and a retried
 * refund never refunds twice.
 */
@DisplayName("Status and refunds")
@Timeout(30)
class StatusAndRefundTest {

  private final SandboxGateway gateway = Fixtures.gateway(Map.of("deliver_webhooks", false));

  @AfterEach
  void stop() {
    gateway.close();
  }

  private HostedCheckout paid(String number) {
    HostedCheckout checkout = Fixtures.start(gateway, 1000, "USD", "http://127.0.0.1:9/hooks");
    gateway.submitCheckout(checkout, card(number));
    return checkout;
  }

  private RefundResult refund(HostedCheckout checkout, long amount, String key) {
    return gateway.refund(
        new RefundRequest(checkout.paymentId(), checkout.providerReference(), amount, "USD", key));
  }

  private static String declineCode(RefundResult result) {
    assertThat(result).isInstanceOf(RefundResult.Declined.class);
    return ((RefundResult.Declined) result).code();
  }

  private static String refundReference(RefundResult result) {
    assertThat(result).isInstanceOf(RefundResult.Refunded.class);
    return ((RefundResult.Refunded) result).refundReference();
  }

  @Test
  void statusFollowsThePayment() {
    HostedCheckout unpaid = Fixtures.start(gateway, 1000, "USD", null);
    HostedCheckout pending = paid("4000 0025 0000 3155");
    HostedCheckout succeeded = paid("4242 4242 4242 4242");
    HostedCheckout declined = paid("4000 0000 0000 0002");

    assertThat(gateway.fetchStatus(unpaid.paymentId(), unpaid.providerReference()))
        .isEqualTo(
            new StatusResult.Known(
                PaymentOutcome.PENDING, unpaid.providerReference(), 1000, "USD"));
    assertThat(gateway.fetchStatus(pending.paymentId(), pending.providerReference()))
        .isEqualTo(
            new StatusResult.Known(
                PaymentOutcome.PENDING, pending.providerReference(), 1000, "USD"));
    assertThat(gateway.fetchStatus(succeeded.paymentId(), succeeded.providerReference()))
        .isEqualTo(
            new StatusResult.Known(
                PaymentOutcome.SUCCEEDED, succeeded.providerReference(), 1000, "USD"));
    assertThat(gateway.fetchStatus(declined.paymentId(), declined.providerReference()))
        .isEqualTo(
            new StatusResult.Known(
                new PaymentOutcome.Declined("card_declined", "Your card was declined."),
                declined.providerReference(),
                1000,
                "USD"));
  }

  @Test
  void statusIsFoundByPaymentIdWhenNoReferenceWasRecorded() {
    HostedCheckout succeeded = paid("4242 4242 4242 4242");

    assertThat(gateway.fetchStatus(succeeded.paymentId(), null))
        .isEqualTo(
            new StatusResult.Known(
                PaymentOutcome.SUCCEEDED, succeeded.providerReference(), 1000, "USD"));
  }

  @Test
  void unknownPaymentIsNotFound() {
    HostedCheckout other = paid("4242 4242 4242 4242");

    assertThat(
            List.of(
                gateway.fetchStatus("pay_unknown", "sbx_pi_unknown"),
                gateway.fetchStatus("pay_unknown", null),
                gateway.fetchStatus(null, "sbx_pi_unknown"),
                gateway.fetchStatus("pay_unknown", other.providerReference())))
        .allSatisfy(
            result ->
                assertThat(result)
                    .isInstanceOfSatisfying(
                        StatusResult.Failed.class,
                        failed ->
                            assertThat(failed.failure().kind())
                                .isEqualTo(GatewayFailure.Kind.NOT_FOUND)));
  }

  @Test
  void anotherGatewayInstanceKnowsNothingOfThePayment() {
    HostedCheckout succeeded = paid("4242 4242 4242 4242");

    try (SandboxGateway restarted = Fixtures.gateway()) {
      assertThat(restarted.fetchStatus(succeeded.paymentId(), succeeded.providerReference()))
          .isInstanceOf(StatusResult.Failed.class);
    }
  }

  @Test
  void partialRefundsAddUpToTheAmount() {
    HostedCheckout checkout = paid("4242 4242 4242 4242");

    String first = refundReference(refund(checkout, 600, "r1"));
    String second = refundReference(refund(checkout, 400, "r2"));

    assertThat(first).matches("sbx_re_[A-Za-z0-9]{24}");
    assertThat(second).matches("sbx_re_[A-Za-z0-9]{24}").isNotEqualTo(first);
    assertThat(declineCode(refund(checkout, 1, "r3"))).isEqualTo("charge_already_refunded");
  }

  @Test
  void refundBeyondWhatRemainsIsDeclined() {
    HostedCheckout checkout = paid("4242 4242 4242 4242");
    refundReference(refund(checkout, 700, "r1"));

    assertThat(declineCode(refund(checkout, 301, "r2"))).isEqualTo("amount_too_large");
    assertThat(refundReference(refund(checkout, 300, "r3"))).isNotBlank();
  }

  @Test
  void fullRefundAtOnceIsAllowedAndNoMore() {
    HostedCheckout checkout = paid("4242 4242 4242 4242");

    assertThat(declineCode(refund(checkout, 1001, "r0"))).isEqualTo("amount_too_large");
    refundReference(refund(checkout, 1000, "r1"));
    assertThat(declineCode(refund(checkout, 1, "r2"))).isEqualTo("charge_already_refunded");
  }

  @Test
  void retryWithTheSameKeyRefundsOnce() {
    HostedCheckout checkout = paid("4242 4242 4242 4242");

    String first = refundReference(refund(checkout, 600, "same"));
    String retried = refundReference(refund(checkout, 600, "same"));

    assertThat(retried).isEqualTo(first);
    // Only 600 went: the remaining 400 can still be refunded, 401 cannot.
    assertThat(declineCode(refund(checkout, 401, "next"))).isEqualTo("amount_too_large");
    refundReference(refund(checkout, 400, "last"));
  }

  @Test
  void sameKeyForADifferentRefundIsDeclined() {
    HostedCheckout checkout = paid("4242 4242 4242 4242");
    HostedCheckout other = paid("4242 4242 4242 4242");
    refundReference(refund(checkout, 600, "k"));

    assertThat(declineCode(refund(checkout, 500, "k"))).isEqualTo("idempotency_key_reused");
    assertThat(declineCode(refund(other, 600, "k"))).isEqualTo("idempotency_key_reused");
  }

  @Test
  void onlySucceededPaymentsAreRefunded() {
    assertThat(declineCode(refund(Fixtures.start(gateway, 1000, "USD", null), 100, "a")))
        .isEqualTo("payment_not_succeeded");
    assertThat(declineCode(refund(paid("4000 0025 0000 3155"), 100, "b")))
        .isEqualTo("payment_not_succeeded");
    assertThat(declineCode(refund(paid("4000 0000 0000 0002"), 100, "c")))
        .isEqualTo("payment_not_succeeded");
  }

  @Test
  void unreportedSuccessCanBeRefunded() {
    assertThat(refundReference(refund(paid("4000 0000 0000 3063"), 1000, "r"))).isNotBlank();
  }

  @Test
  void badRefundRequestsAreDeclined() {
    HostedCheckout checkout = paid("4242 4242 4242 4242");

    assertThat(declineCode(refund(checkout, 0, "zero"))).isEqualTo("invalid_amount");
    assertThat(declineCode(refund(checkout, -5, "negative"))).isEqualTo("invalid_amount");
    assertThat(
            declineCode(
                gateway.refund(
                    new RefundRequest(
                        checkout.paymentId(), checkout.providerReference(), 100, "EUR", "eur"))))
        .isEqualTo("currency_mismatch");
    assertThat(
            gateway.refund(
                new RefundRequest(
                    checkout.paymentId(), checkout.providerReference(), 100, "USD", null)))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed ->
                assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.INVALID_REQUEST));
  }

  @Test
  void aRefundIsLookedUpByItsKey() {
    HostedCheckout checkout = paid("4242 4242 4242 4242");
    String reference = refundReference(refund(checkout, 300, "r1"));

    assertThat(
            gateway.fetchRefund(
                new RefundRequest(
                    checkout.paymentId(), checkout.providerReference(), 300, "USD", "r1")))
        .isEqualTo(new RefundLookup.Refunded(reference));
    assertThat(gateway.fetchRefund(new RefundRequest(checkout.paymentId(), null, 300, "USD", "r1")))
        .isEqualTo(new RefundLookup.Refunded(reference));
  }

  @Test
  void aKeyNeverUsedIsAbsentAndLookingUpRefundsNothing() {
    HostedCheckout checkout = paid("4242 4242 4242 4242");
    RefundRequest request =
        new RefundRequest(checkout.paymentId(), checkout.providerReference(), 1000, "USD", "r2");

    assertThat(gateway.fetchRefund(request)).isEqualTo(new RefundLookup.Absent());
    assertThat(gateway.fetchRefund(request)).isEqualTo(new RefundLookup.Absent());
    assertThat(refundReference(gateway.refund(request))).isNotBlank();
  }

  @Test
  void aRefundTheSandboxDeclinedLeavesNothingToFind() {
    HostedCheckout checkout = paid("4242 4242 4242 4242");
    assertThat(declineCode(refund(checkout, 5000, "too_much"))).isEqualTo("amount_too_large");

    assertThat(
            gateway.fetchRefund(
                new RefundRequest(
                    checkout.paymentId(), checkout.providerReference(), 5000, "USD", "too_much")))
        .isEqualTo(new RefundLookup.Absent());
  }

  @Test
  void aKeyUsedForAnotherRefundIsDeclinedOnLookUp() {
    HostedCheckout checkout = paid("4242 4242 4242 4242");
    refundReference(refund(checkout, 300, "r3"));

    assertThat(
            gateway.fetchRefund(
                new RefundRequest(
                    checkout.paymentId(), checkout.providerReference(), 400, "USD", "r3")))
        .isInstanceOfSatisfying(
            RefundLookup.Declined.class,
            declined -> assertThat(declined.code()).isEqualTo("idempotency_key_reused"));
  }

  @Test
  void aPaymentTheSandboxDoesNotKnowHasNoRefundToFind() {
    assertThat(gateway.fetchRefund(new RefundRequest("pay_x", "sbx_pi_x", 100, "USD", "k")))
        .isEqualTo(new RefundLookup.Absent());
    assertThat(gateway.fetchRefund(new RefundRequest("pay_x", "sbx_pi_x", 100, "USD", " ")))
        .isInstanceOfSatisfying(
            RefundLookup.Failed.class,
            failed ->
                assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.INVALID_REQUEST));
  }

  @Test
  void refundOfAnUnknownPaymentIsNotFound() {
    assertThat(gateway.refund(new RefundRequest("pay_x", "sbx_pi_x", 100, "USD", "k")))
        .isInstanceOfSatisfying(
            RefundResult.Failed.class,
            failed -> assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.NOT_FOUND));
  }

  @Test
  void concurrentRefundsNeverExceedTheAmount() throws Exception {
    HostedCheckout checkout = paid("4242 4242 4242 4242");
    int threads = 10;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<RefundResult>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        String key = "k" + i;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return refund(checkout, 200, key);
                }));
      }
      go.countDown();
      int refunded = 0;
      for (Future<RefundResult> result : results) {
        if (result.get(20, TimeUnit.SECONDS) instanceof RefundResult.Refunded) {
          refunded++;
        }
      }

      assertThat(refunded).isEqualTo(5);
    } finally {
      pool.shutdownNow();
    }
  }
}
