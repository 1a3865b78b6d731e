package dev.kopek.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * The failure codes that cross the event bus and reach API clients as the problem+json {@code
 * code}. Each has a stable wire name and the event-bus failure code used with {@code
 * message.fail(failureCode, ...)}; the HTTP status lives in the http module alone.
 */
public enum ErrorCode {
  /** The request is malformed or a value is out of bounds; the detail names the field. */
  VALIDATION_FAILED("validation_failed", 400),
  /** No token, or a token that is expired, unsigned or signed with another key. */
  UNAUTHORIZED("unauthorized", 401),
  /** The caller is authenticated but lacks the role the action needs. */
  FORBIDDEN("forbidden", 403),
  /** The resource does not exist, or belongs to somebody else. */
  NOT_FOUND("not_found", 404),
  /** The HTTP method is not served on this path. */
  METHOD_NOT_ALLOWED("method_not_allowed", 405),
  /** The balance would go below zero; nothing was written. */
  INSUFFICIENT_FUNDS("insufficient_funds", 402),
  /** The idempotency key was used before with a different request. */
  IDEMPOTENCY_CONFLICT("idempotency_conflict", 409),
  /** The same idempotency key is being processed by a concurrent request. */
  IDEMPOTENCY_IN_PROGRESS("idempotency_in_progress", 409),
  /** A resource with this identity exists already (a plan code). */
  ALREADY_EXISTS("already_exists", 409),
  /** The top-up cannot be refunded (not succeeded, or already refunded in full). */
  NOT_REFUNDABLE("not_refundable", 409),
  /** The checkout link has expired; start a new top-up. */
  CHECKOUT_EXPIRED("checkout_expired", 410),
  /** The request body exceeds the configured limit. */
  PAYLOAD_TOO_LARGE("payload_too_large", 413),
  /** The request line (method, path and query) is longer than the server reads. */
  URI_TOO_LONG("uri_too_long", 414),
  /** The request's header fields are larger than the server reads. */
  REQUEST_HEADER_FIELDS_TOO_LARGE("request_header_fields_too_large", 431),
  /** The request body is not JSON. */
  UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415),
  /**
   * The caller (a user or an API key) sent more requests than its rate limit lets through; nothing
   * was done. Retry after the {@code Retry-After} seconds.
   */
  RATE_LIMITED("rate_limited", 429),
  /** The payment provider refused the request or could not be reached; nothing was charged. */
  GATEWAY_ERROR("gateway_error", 502),
  /** A dependency (database, event-bus handler) is not available right now; retry later. */
  UNAVAILABLE("unavailable", 503),
  /** A dependency did not answer in time; the outcome is unknown, retry with the same key. */
  TIMEOUT("timeout", 504),
  /** A bug or an unexpected failure; details are logged, never returned. */
  INTERNAL("internal", 500);

  private final String wireName;
  private final int failureCode;

  ErrorCode(String wireName, int failureCode) {
    this.wireName = wireName;
    this.failureCode = failureCode;
  }

  /** The snake_case code clients see, e.g. {@code insufficient_funds}. */
  public String wireName() {
    return wireName;
  }

  /** The integer passed to {@code Message.fail}; equal to the HTTP status it maps to. */
  public int failureCode() {
    return failureCode;
  }

  /** Finds the code with this wire name. */
  public static Optional<ErrorCode> fromWireName(String wireName) {
    return Arrays.stream(values()).filter(c -> c.wireName.equals(wireName)).findFirst();
  }
}
