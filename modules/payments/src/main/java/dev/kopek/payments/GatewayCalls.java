package dev.kopek.payments;

import dev.kopek.gateway.spi.CheckoutResult;
import dev.kopek.gateway.spi.Gateway;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.RefundLookup;
import dev.kopek.gateway.spi.RefundResult;
import dev.kopek.gateway.spi.StatusResult;
import dev.kopek.gateway.spi.SubmitResult;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs provider calls (blocking SDK code) on a worker pool of their own, never on the event loop,
 * each bounded by {@code payments.gateway_timeout_ms}, and decides, in this one place, what a call
 * that produced no result means: one that overran is a {@link GatewayFailure.Kind#TIMEOUT}, one
 * whose gateway threw is {@link GatewayFailure.Kind#INTERNAL}; both leave the provider's action
 * open ({@link GatewayFailure#outcomeUnknown()}), which is why every call carries an idempotency
 * key and open outcomes are resolved by asking the provider.
 *
 * <p>Every failed call is logged once, at WARN, with the provider's own code and message (as the
 * gateway words them; never a secret or card data) and Kopek's payment id.
 */
final class GatewayCalls implements AutoCloseable {

  /** Threads for provider calls: they mostly wait on the network. */
  private static final int POOL_SIZE = 16;

  private static final Logger LOG = LoggerFactory.getLogger(GatewayCalls.class);

  private final WorkerExecutor executor;
  private final long timeoutMs;

  GatewayCalls(Vertx vertx, long timeoutMs) {
    this.executor =
        vertx.createSharedWorkerExecutor(
            "kopek-gateways", POOL_SIZE, timeoutMs * 4, TimeUnit.MILLISECONDS);
    this.timeoutMs = timeoutMs;
  }

  /**
   * Runs {@code call}; never fails: a call without a result becomes {@code onFailure}'s value.
   *
   * @param gateway the provider
   * @param operation what is asked, for the log ({@code refund}, {@code startCheckout}, ...)
   * @param paymentId Kopek's payment the call is about, for the log
   * @param call the blocking call
   * @param onFailure the result standing for a call that produced none
   */
  <T> Future<T> call(
      Gateway gateway,
      String operation,
      String paymentId,
      Function<Gateway, T> call,
      Function<GatewayFailure, T> onFailure) {
    return executor
        .<T>executeBlocking(() -> call.apply(gateway), false)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .recover(error -> Future.succeededFuture(onFailure.apply(failure(error))))
        .onSuccess(
            result -> {
              GatewayFailure failure = failureOf(result);
              if (failure != null) {
                log(gateway, operation, paymentId, failure);
              }
            });
  }

  static void log(Gateway gateway, String operation, String paymentId, GatewayFailure failure) {
    LOG.warn(
        "{} {} for payment {} failed ({}): {}",
        gateway.id(),
        operation,
        paymentId,
        failure.kind().name().toLowerCase(Locale.ROOT),
        failure.message());
  }

  /**
   * Runs a call whose result carries no failure of its own (a page, a webhook's verification); a
   * call without a result fails the future with its {@link #toFailure typed failure}.
   */
  <T> Future<T> call(
      Gateway gateway, String operation, String paymentId, Function<Gateway, T> call) {
    return call(
        gateway,
        operation,
        paymentId,
        call,
        failure -> {
          log(gateway, operation, paymentId, failure);
          throw toFailure(failure).toException();
        });
  }

  /**
   * A provider failure as the API answers it: an input the provider cannot take names its field
   * (400); no answer in time is a timeout (504); anything else a provider error (502).
   */
  static Failure toFailure(GatewayFailure failure) {
    if (failure.kind() == GatewayFailure.Kind.INPUT_NOT_ACCEPTED) {
      return Failure.invalid(
          failure.field() == null ? "request" : failure.field(), failure.message());
    }
    return failure.kind() == GatewayFailure.Kind.TIMEOUT
        ? Failure.of(
            ErrorCode.TIMEOUT,
            "the payment provider did not answer in time; retry with " + "the same Idempotency-Key")
        : Failure.of(
            ErrorCode.GATEWAY_ERROR,
            "the payment provider refused or could not be "
                + "reached ("
                + failure.kind().name().toLowerCase(Locale.ROOT)
                + "); retry with the "
                + "same Idempotency-Key");
  }

  /** What a call that produced no result means. */
  private GatewayFailure failure(Throwable error) {
    if (error instanceof TimeoutException) {
      return new GatewayFailure(
          GatewayFailure.Kind.TIMEOUT,
          "no answer within " + timeoutMs + " ms (payments.gateway_timeout_ms)");
    }
    return new GatewayFailure(
        GatewayFailure.Kind.INTERNAL,
        "the gateway threw "
            + error.getClass().getSimpleName()
            + (error.getMessage() == null ? "" : ": " + error.getMessage()));
  }

  private static GatewayFailure failureOf(Object result) {
    if (result instanceof CheckoutResult.Failed failed) {
      return failed.failure();
    }
    if (result instanceof StatusResult.Failed failed) {
      return failed.failure();
    }
    if (result instanceof RefundResult.Failed failed) {
      return failed.failure();
    }
    if (result instanceof RefundLookup.Failed failed) {
      return failed.failure();
    }
    if (result instanceof SubmitResult.Failed failed) {
      return failed.failure();
    }
    return null;
  }

  @Override
  public void close() {
    executor.close();
  }
}
