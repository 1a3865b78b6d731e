package dev.kopek.gateway.spi;

import java.util.Objects;

/**
 * A provider call that did not produce an answer: typed, so Kopek can tell a timeout (outcome
 * unknown, keep the payment pending and poll) from a request the provider refused.
 *
 * @param kind what went wrong
 * @param message a sentence for logs and operators; never a secret
 * @param field with {@link Kind#INPUT_NOT_ACCEPTED}: the request field the provider cannot take
 *     ({@code amount_minor}, {@code currency}); otherwise null
 */
public record GatewayFailure(Kind kind, String message, String field) {

  /** The kinds of provider failure. */
  public enum Kind {
    /** No answer in time; the provider may or may not have acted. */
    TIMEOUT,
    /** The provider could not be reached or answered 5xx; retry later. */
    UNAVAILABLE,
    /** The provider refused the credentials. */
    AUTHENTICATION,
    /** The provider refused the request as invalid (a bug or a configuration error). */
    INVALID_REQUEST,
    /** The provider knows no such payment. */
    NOT_FOUND,
    /** The provider does not support the operation. */
    UNSUPPORTED,
    /** Anything else, including an answer Kopek could not read: the provider may have acted. */
    INTERNAL,
    /**
     * Refused by the gateway before anything was sent: the provider cannot take this input (an
     * amount its currency rules do not allow, a currency no merchant account settles). The caller
     * must change the request; retrying it cannot succeed.
     */
    INPUT_NOT_ACCEPTED
  }

  /** A failure that names no field. */
  public GatewayFailure(Kind kind, String message) {
    this(kind, message, null);
  }

  /**
   * The provider cannot take {@code field} as given; nothing was sent.
   *
   * @param field the request field, e.g. {@code amount_minor}
   * @param message the rule, for the caller, e.g. "Stripe charges KWD in multiples of 10"
   * @return the failure
   */
  public static GatewayFailure inputNotAccepted(String field, String message) {
    return new GatewayFailure(Kind.INPUT_NOT_ACCEPTED, message, Objects.requireNonNull(field));
  }

  /** Checks the parts are present. */
  public GatewayFailure {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  /** Whether the same call may succeed later (the payment stays pending). */
  public boolean retryable() {
    return kind == Kind.TIMEOUT || kind == Kind.UNAVAILABLE;
  }

  /**
   * Whether the provider may have acted on the call although Kopek has no answer it can use: a
   * timeout, a connection lost after sending, a 5xx, an unreadable answer. Such an outcome is never
   * taken as a refusal; it is resolved by asking the provider or by resending with the same
   * idempotency key. Only the other kinds are definite refusals.
   */
  public boolean outcomeUnknown() {
    return kind == Kind.TIMEOUT || kind == Kind.UNAVAILABLE || kind == Kind.INTERNAL;
  }
}
