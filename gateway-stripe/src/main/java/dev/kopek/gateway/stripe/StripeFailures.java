package dev.kopek.gateway.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.ApiException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.CardException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.GatewayFailure.Kind;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;

/** Turns what the Stripe SDK throws into Kopek's typed failures. */
final class StripeFailures {

  /** Stripe's error code for an id it does not know. */
  static final String RESOURCE_MISSING = "resource_missing";

  private StripeFailures() {}

  /**
   * The failure for an exception from a Stripe call.
   *
   * @param action what was being done, e.g. "creating a PaymentIntent", for the message
   */
  static GatewayFailure of(String action, StripeException e) {
    return new GatewayFailure(kind(e), "Stripe: " + action + " failed: " + describe(e));
  }

  /** The failure for anything else the SDK threw (a response it could not read, a bug). */
  static GatewayFailure unexpected(String action, RuntimeException e) {
    return new GatewayFailure(Kind.INTERNAL, "Stripe: " + action + " failed: "
        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
  }

  static Kind kind(StripeException e) {
    if (e instanceof ApiConnectionException) {
      // The request may have reached Stripe before the read timed out: the outcome is unknown.
      return timedOut(e) ? Kind.TIMEOUT : Kind.UNAVAILABLE;
    }
    if (e instanceof AuthenticationException) {
      // Includes PermissionException: a restricted key without the needed permission.
      return Kind.AUTHENTICATION;
    }
    if (e instanceof RateLimitException) {
      return Kind.UNAVAILABLE;
    }
    if (e instanceof InvalidRequestException || e instanceof IdempotencyException
        || e instanceof CardException) {
      Integer status = e.getStatusCode();
      return RESOURCE_MISSING.equals(e.getCode()) || (status != null && status == 404)
          ? Kind.NOT_FOUND : Kind.INVALID_REQUEST;
    }
    if (e instanceof ApiException) {
      Integer status = e.getStatusCode();
      return status == null || status >= 500 ? Kind.UNAVAILABLE : Kind.INTERNAL;
    }
    return Kind.INTERNAL;
  }

  /**
   * Stripe's message with its request id and code, which support needs. Stripe masks keys in its
   * messages ("Invalid API Key provided: sk_test_****abcd"), so nothing secret is repeated.
   */
  static String describe(StripeException e) {
    String message = e.getMessage();
    if (e instanceof ApiConnectionException && e.getCause() != null) {
      message = message + " (" + e.getCause().getClass().getSimpleName() + ")";
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }

  private static boolean timedOut(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      // SocketTimeoutException and HttpTimeoutException; a ConnectException is not one.
      if (cause instanceof InterruptedIOException || cause instanceof HttpTimeoutException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }
}
