package dev.kopek.gateway.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.ApiException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.CardException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;
import com.stripe.model.StripeError;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.GatewayFailure.Kind;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.util.StringJoiner;

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
    String message = e.getMessage();
    if (message != null && message.length() > MESSAGE_MAX) {
      message = message.substring(0, MESSAGE_MAX) + "...";
    }
    return new GatewayFailure(
        Kind.INTERNAL,
        "Stripe: "
            + action
            + " failed: "
            + e.getClass().getSimpleName()
            + (message == null ? "" : ": " + message));
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
    if (e instanceof InvalidRequestException
        || e instanceof IdempotencyException
        || e instanceof CardException) {
      Integer status = e.getStatusCode();
      return RESOURCE_MISSING.equals(e.getCode()) || (status != null && status == 404)
          ? Kind.NOT_FOUND
          : Kind.INVALID_REQUEST;
    }
    if (e instanceof ApiException) {
      Integer status = e.getStatusCode();
      return status == null || status >= 500 ? Kind.UNAVAILABLE : Kind.INTERNAL;
    }
    return Kind.INTERNAL;
  }

  /**
   * What Stripe said, for the operator and support: Stripe's own message, then the HTTP status, the
   * error type, code, decline code and parameter, and the request id, e.g. {@code No such
   * payment_intent: 'pi_1' (HTTP 400, type invalid_request_error, code resource_missing, request-id
   * req_abc)}. Stripe masks keys in its messages ("Invalid API Key provided: sk_test_****abcd") and
   * never repeats card numbers, so nothing secret is passed on; a body that is not Stripe's JSON (a
   * proxy's HTML page) is cut to {@value #MESSAGE_MAX} characters.
   */
  static String describe(StripeException e) {
    StripeError error = e.getStripeError();
    String message =
        error != null && error.getMessage() != null ? error.getMessage() : e.getMessage();
    if (e instanceof ApiConnectionException && e.getCause() != null) {
      // The SDK's own sentence names api.stripe.com whatever api_base is, and asks to check the
      // internet connection; what failed is the cause.
      message = "no answer from Stripe: " + e.getCause().getMessage();
    }
    if (message == null) {
      message = e.getClass().getSimpleName();
    }
    if (message.length() > MESSAGE_MAX) {
      message = message.substring(0, MESSAGE_MAX) + "...";
    }
    StringJoiner details = new StringJoiner(", ", " (", ")").setEmptyValue("");
    if (e.getStatusCode() != null && e.getStatusCode() > 0) {
      details.add("HTTP " + e.getStatusCode());
    }
    if (error != null) {
      add(details, "type", error.getType());
      add(details, "code", error.getCode());
      add(details, "decline_code", error.getDeclineCode());
      add(details, "param", error.getParam());
    } else if (e.getCode() != null && !message.contains(e.getCode())) {
      add(details, "code", e.getCode());
    }
    if (e.getRequestId() != null && !message.contains(e.getRequestId())) {
      add(details, "request-id", e.getRequestId());
    }
    if (e instanceof ApiConnectionException && e.getCause() != null) {
      details.add(e.getCause().getClass().getSimpleName());
    }
    return message + details;
  }

  /** The longest message passed on; bodies that are not Stripe's error JSON can be pages. */
  static final int MESSAGE_MAX = 300;

  private static void add(StringJoiner details, String name, String value) {
    if (value != null && !value.isBlank()) {
      details.add(name + " " + value);
    }
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
