package dev.kopek.gateway.braintree;

import com.braintreegateway.Transaction;
import com.braintreegateway.exceptions.AuthenticationException;
import com.braintreegateway.exceptions.AuthorizationException;
import com.braintreegateway.exceptions.GatewayTimeoutException;
import com.braintreegateway.exceptions.NotFoundException;
import com.braintreegateway.exceptions.RequestTimeoutException;
import com.braintreegateway.exceptions.ServerException;
import com.braintreegateway.exceptions.ServiceUnavailableException;
import com.braintreegateway.exceptions.TimeoutException;
import com.braintreegateway.exceptions.TooManyRequestsException;
import com.braintreegateway.exceptions.UnexpectedException;
import com.braintreegateway.exceptions.UpgradeRequiredException;
import dev.kopek.gateway.spi.GatewayFailure;
import dev.kopek.gateway.spi.PaymentOutcome;
import java.io.IOException;
import java.util.Locale;
import java.util.regex.Pattern;

/** Braintree's transaction statuses and SDK exceptions in Kopek's terms. */
final class Outcomes {

  /** Processor texts a payer should not read verbatim ("Possible Stolen Card", ...). */
  private static final Pattern SENSITIVE =
      Pattern.compile(
          "(?i).*(lost|stolen|fraud|pick ?up|security|violation|revoked|closed card).*");

  private static final String DECLINED_BY_ISSUER =
      "The card issuer declined the payment; try another card or contact the issuer.";

  private Outcomes() {}

  /**
   * Where a sale stands. Submitted for settlement, settling and settled count as captured: with
   * {@code submitForSettlement} Braintree settles them without further action. Authorized (not
   * submitted) money is not captured yet, so it is pending like authorizing and settlement pending.
   */
  static PaymentOutcome of(Transaction transaction) {
    Transaction.Status status = transaction.getStatus();
    if (status == null) {
      return PaymentOutcome.UNKNOWN;
    }
    return switch (status) {
      case SUBMITTED_FOR_SETTLEMENT, SETTLING, SETTLED, SETTLEMENT_CONFIRMED ->
          PaymentOutcome.SUCCEEDED;
      case AUTHORIZING, AUTHORIZED, SETTLEMENT_PENDING -> PaymentOutcome.PENDING;
      case PROCESSOR_DECLINED -> processorDeclined(transaction);
      case GATEWAY_REJECTED -> gatewayRejected(transaction);
      case FAILED ->
          new PaymentOutcome.Declined(
              "failed",
              "The payment could not be processed; try again or use another payment method.");
      case SETTLEMENT_DECLINED ->
          new PaymentOutcome.Declined(
              "settlement_declined", "The bank declined to settle the payment.");
      case VOIDED -> new PaymentOutcome.Declined("voided", "The payment was cancelled.");
      case AUTHORIZATION_EXPIRED ->
          new PaymentOutcome.Declined(
              "authorization_expired",
              "The authorization expired before the payment was captured.");
      default -> PaymentOutcome.UNKNOWN;
    };
  }

  /** Whether Braintree's duplicate checking refused the sale as a repeat of a recent one. */
  static boolean duplicateRejection(Transaction transaction) {
    return transaction.getStatus() == Transaction.Status.GATEWAY_REJECTED
        && transaction.getGatewayRejectionReason() == Transaction.GatewayRejectionReason.DUPLICATE;
  }

  /** Whether the money is captured or on its way: the statuses a refund or void may follow. */
  static boolean captured(Transaction transaction) {
    return of(transaction) instanceof PaymentOutcome.Succeeded;
  }

  /**
   * How strongly a transaction speaks for its order when several carry the same order id: captured
   * money first, then pending, unknown and declined, a duplicate rejection last.
   */
  static int rank(Transaction transaction) {
    if (duplicateRejection(transaction)) {
      return 0;
    }
    PaymentOutcome outcome = of(transaction);
    if (outcome instanceof PaymentOutcome.Succeeded) {
      return 4;
    }
    if (outcome instanceof PaymentOutcome.Pending) {
      return 3;
    }
    return outcome instanceof PaymentOutcome.Unknown ? 2 : 1;
  }

  private static PaymentOutcome processorDeclined(Transaction transaction) {
    String code = transaction.getProcessorResponseCode();
    String text = transaction.getProcessorResponseText();
    String message =
        text == null || text.isBlank() || SENSITIVE.matcher(text).matches()
            ? DECLINED_BY_ISSUER
            : "The card issuer declined the payment (" + text.trim() + ").";
    return new PaymentOutcome.Declined(
        code == null || code.isBlank() ? "processor_declined" : code.trim(), message);
  }

  private static PaymentOutcome gatewayRejected(Transaction transaction) {
    Transaction.GatewayRejectionReason reason = transaction.getGatewayRejectionReason();
    String code =
        reason == null || reason == Transaction.GatewayRejectionReason.UNRECOGNIZED
            ? "gateway_rejected"
            : reason.name().toLowerCase(Locale.ROOT);
    String message =
        switch (code) {
          case "cvv" -> "The security code (CVV) did not match; check it and try again.";
          case "avs", "avs_and_cvv" -> "The card's billing address or security code did not match.";
          case "duplicate" ->
              "An identical payment was made moments ago; wait a minute before " + "paying again.";
          case "three_d_secure" -> "The card could not be authenticated.";
          default -> "The payment was refused by the payment provider's risk checks.";
        };
    return new PaymentOutcome.Declined(code, message);
  }

  /**
   * An SDK exception as a typed failure. Timeouts leave the outcome open (Kopek polls); 5xx,
   * throttling and network errors are worth retrying; 401/403 mean the keys are wrong.
   *
   * @param error what the SDK threw
   * @param operation what was being done, for the message
   */
  static GatewayFailure failure(RuntimeException error, String operation) {
    GatewayFailure.Kind kind;
    String what;
    if (error instanceof TimeoutException
        || error instanceof RequestTimeoutException
        || error instanceof GatewayTimeoutException) {
      kind = GatewayFailure.Kind.TIMEOUT;
      what = "Braintree did not answer in time";
    } else if (error instanceof ServiceUnavailableException
        || error instanceof ServerException
        || error instanceof TooManyRequestsException) {
      kind = GatewayFailure.Kind.UNAVAILABLE;
      what = "Braintree is unavailable";
    } else if (error instanceof AuthenticationException
        || error instanceof AuthorizationException) {
      kind = GatewayFailure.Kind.AUTHENTICATION;
      what =
          "Braintree refused the API keys; check payments.gateways.braintree.merchant_id, "
              + "public_key and private_key";
    } else if (error instanceof NotFoundException) {
      kind = GatewayFailure.Kind.NOT_FOUND;
      what = "Braintree knows no such object";
    } else if (error instanceof UpgradeRequiredException) {
      kind = GatewayFailure.Kind.INTERNAL;
      what = "Braintree no longer supports this SDK version";
    } else if (error instanceof UnexpectedException
        && (error.getCause() instanceof IOException
            || String.valueOf(error.getMessage()).matches("Unexpected HTTP_RESPONSE 5\\d\\d"))) {
      kind = GatewayFailure.Kind.UNAVAILABLE;
      what = "Braintree could not be reached";
    } else if (error instanceof UnexpectedException
        && "Unexpected HTTP_RESPONSE -1".equals(error.getMessage())) {
      // HttpURLConnection's answer to a status line it cannot read.
      kind = GatewayFailure.Kind.INTERNAL;
      what = "Braintree's answer was not HTTP";
    } else if (error instanceof IllegalArgumentException) {
      // The SDK's XML parser refusing the body: an answer was sent but cannot be read.
      kind = GatewayFailure.Kind.INTERNAL;
      what = "Braintree's answer could not be read";
    } else {
      kind = GatewayFailure.Kind.INTERNAL;
      what = "Braintree call failed";
    }
    return new GatewayFailure(kind, what + " (" + detail(error) + ") [" + operation + "]");
  }

  /**
   * An answer Braintree gave that Kopek cannot use (well-formed, but not what the call returns):
   * the call may have had its effect, so this is never a refusal ({@link
   * GatewayFailure#outcomeUnknown()}).
   */
  static GatewayFailure unusable(String operation, String what) {
    return new GatewayFailure(
        GatewayFailure.Kind.INTERNAL,
        "Braintree's answer could not be " + "used (" + what + ") [" + operation + "]");
  }

  /** The longest SDK message passed on. */
  private static final int MESSAGE_MAX = 300;

  /**
   * The SDK exception's class, the HTTP status it stands for, its message and, for a network error,
   * the cause's class, e.g. {@code ServiceUnavailableException, HTTP 503}. The SDK's messages name
   * statuses and parser errors, never the keys or card data.
   */
  static String detail(RuntimeException error) {
    StringBuilder detail = new StringBuilder(error.getClass().getSimpleName());
    Integer status = httpStatus(error);
    if (status != null) {
      detail.append(", HTTP ").append(status);
    }
    String message = error.getMessage();
    if (message != null && !message.isBlank()) {
      if (message.length() > MESSAGE_MAX) {
        message = message.substring(0, MESSAGE_MAX) + "...";
      }
      detail.append(": ").append(message);
    }
    if (error.getCause() != null && error.getCause() != error) {
      detail.append(" (").append(error.getCause().getClass().getSimpleName()).append(')');
    }
    return detail.toString();
  }

  /** The HTTP status each SDK exception is thrown for (braintree-java's Http). */
  private static Integer httpStatus(RuntimeException error) {
    if (error instanceof AuthenticationException) {
      return 401;
    }
    if (error instanceof AuthorizationException) {
      return 403;
    }
    if (error instanceof NotFoundException) {
      return 404;
    }
    if (error instanceof RequestTimeoutException) {
      return 408;
    }
    if (error instanceof UpgradeRequiredException) {
      return 426;
    }
    if (error instanceof TooManyRequestsException) {
      return 429;
    }
    if (error instanceof ServerException) {
      return 500;
    }
    if (error instanceof ServiceUnavailableException) {
      return 503;
    }
    if (error instanceof GatewayTimeoutException) {
      return 504;
    }
    return null;
  }
}
