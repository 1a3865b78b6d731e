package dev.kopek.gateway.spi;

import java.util.Objects;

/**
 * A provider call that did not produce an answer: typed, so Kopek can tell a timeout (outcome
 * unknown, keep the payment pending and poll) from a request the provider refused.
 *
 * @param kind    what went wrong
 * @param message a sentence for logs and operators; never a secret
 */
public record GatewayFailure(Kind kind, String message) {

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
    /** Anything else. */
    INTERNAL
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
}
