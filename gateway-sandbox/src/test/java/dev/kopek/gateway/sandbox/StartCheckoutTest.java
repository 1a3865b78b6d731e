package dev.kopek.gateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.gateway.spi.CheckoutRequest;
import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.PaymentOutcome;
import dev.kopek.gateway.spi.StatusResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Starting a checkout creates one payment per idempotency key, however often it is retried. */
@DisplayName("Starting a checkout")
@Timeout(30)
class StartCheckoutTest {

  private final SandboxGateway gateway = Fixtures.gateway();

  @AfterEach
  void stop() {
    gateway.close();
  }

  private static String reference(CheckoutResult result) {
    assertThat(result).isInstanceOf(CheckoutResult.Started.class);
    return ((CheckoutResult.Started) result).providerReference();
  }

  @Test
  void startedPaymentHasASandboxReferenceAndNoRedirect() {
    CheckoutRequest request = Fixtures.request(2000, "USD");

    CheckoutResult result = gateway.startCheckout(request);

    assertThat(result)
        .isInstanceOfSatisfying(
            CheckoutResult.Started.class,
            started -> {
              assertThat(started.providerReference()).matches("sbx_pi_[A-Za-z0-9]{24}");
              assertThat(started.redirectUrl()).isNull();
              assertThat(started.clientSecret()).isNull();
            });
    assertThat(gateway.fetchStatus(request.paymentId(), reference(result)))
        .isEqualTo(new StatusResult.Known(PaymentOutcome.PENDING, reference(result), 2000, "USD"));
  }

  @Test
  void sameIdempotencyKeyReturnsTheSamePayment() {
    CheckoutRequest request = Fixtures.request(2000, "USD");

    String first = reference(gateway.startCheckout(request));
    String again = reference(gateway.startCheckout(request));

    assertThat(again).isEqualTo(first);
  }

  @Test
  void differentKeysStartDifferentPayments() {
    String first = reference(gateway.startCheckout(Fixtures.request(2000, "USD")));
    String second = reference(gateway.startCheckout(Fixtures.request(2000, "USD")));

    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void concurrentRetriesOfOneKeyStartOnePayment() throws Exception {
    CheckoutRequest request = Fixtures.request(500, "EUR");
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<CheckoutResult>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  return gateway.startCheckout(request);
                }));
      }
      go.countDown();
      Set<String> references = new HashSet<>();
      for (Future<CheckoutResult> result : results) {
        references.add(reference(result.get(20, TimeUnit.SECONDS)));
      }

      assertThat(references).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void keyReusedForADifferentAmountIsRefused() {
    CheckoutRequest request = Fixtures.request(2000, "USD");
    String reference = reference(gateway.startCheckout(request));
    CheckoutRequest changed =
        new CheckoutRequest(
            request.paymentId(),
            request.userId(),
            2500,
            "USD",
            request.returnUrl(),
            request.idempotencyKey());

    CheckoutResult result = gateway.startCheckout(changed);

    assertThat(result)
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed ->
                assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.INVALID_REQUEST));
    assertThat(gateway.fetchStatus(request.paymentId(), reference))
        .isEqualTo(new StatusResult.Known(PaymentOutcome.PENDING, reference, 2000, "USD"));
  }

  @Test
  void unknownCurrencyIsRefused() {
    assertThat(gateway.startCheckout(Fixtures.request(100, "XYZ")))
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed -> {
              assertThat(failed.failure().kind()).isEqualTo(GatewayFailure.Kind.INPUT_NOT_ACCEPTED);
              assertThat(failed.failure().field()).isEqualTo("currency");
              assertThat(failed.failure().message()).contains("XYZ");
            });
    assertThat(gateway.startCheckout(Fixtures.request(100, "XAU")))
        .isInstanceOfSatisfying(
            CheckoutResult.Failed.class,
            failed -> assertThat(failed.failure().field()).isEqualTo("currency"));
  }

  @Test
  void currencyIsKeptInUpperCase() {
    CheckoutRequest request = Fixtures.request(1500, "kwd");

    String reference = reference(gateway.startCheckout(request));

    assertThat(gateway.fetchStatus(null, reference))
        .isEqualTo(new StatusResult.Known(PaymentOutcome.PENDING, reference, 1500, "KWD"));
  }
}
