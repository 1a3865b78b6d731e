package dev.kopek.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.ValidatorException;

/**
 * {@code POST /v1/charges}, the API's busiest request, taken by the first route of the router
 * instead of walking the others: the same steps as the general chain (no caching headers, the
 * request id and audit record, the caller, the rate limit, the contract's validation, the handler,
 * the same failure handling), called directly. The general chain is some ten routes, the API's
 * sub-router and its request extractor, which were about a tenth of the CPU of a charge.
 *
 * <p>The lane takes only a request it can answer exactly as the chain would, and hands anything
 * else on to it untouched, before reading or counting anything: a query string, another content
 * type or no declared length, a body over the limit, an API key, or a token this instance has not
 * verified yet (the chain verifies it, and its next request takes the lane).
 */
final class ChargeLane implements Handler<RoutingContext> {

  /** The operation the lane serves. */
  static final String OPERATION = "createCharge";

  static final String PATH = "/v1/charges";

  /** Requests the lane has taken in this process (the tests check it is taken). */
  private static final java.util.concurrent.atomic.LongAdder TAKEN =
      new java.util.concurrent.atomic.LongAdder();

  private final AuditTrail audit;
  private final Authentication authentication;
  private final RateLimits rateLimits;
  private final ContractValidator validator;
  private final Handler<RoutingContext> handler;
  private final long bodyLimitBytes;
  private final Operation operation;

  ChargeLane(
      AuditTrail audit,
      Authentication authentication,
      RateLimits rateLimits,
      ContractValidator validator,
      Operation operation,
      Handler<RoutingContext> handler,
      long bodyLimitBytes) {
    this.audit = audit;
    this.authentication = authentication;
    this.rateLimits = rateLimits;
    this.validator = validator;
    this.handler = handler;
    this.bodyLimitBytes = bodyLimitBytes;
    this.operation = operation;
    for (Parameter parameter : operation.getParameters()) {
      if (parameter.getIn() == Location.QUERY) {
        // The lane takes requests without a query string only, which the chain's check of
        // unknown query parameters and its decoding of their values then leave as they are.
        throw new IllegalStateException(
            OPERATION + " has the query parameter " + parameter.getName());
      }
    }
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    Authentication.Caller caller;
    if (request.query() != null
        || !"application/json".equals(request.getHeader(HttpHeaders.CONTENT_TYPE))
        || !withinLimit(request.getHeader(HttpHeaders.CONTENT_LENGTH))
        || isApiKey(request.getHeader(HttpHeaders.AUTHORIZATION))
        || (caller = authentication.known(request.getHeader(HttpHeaders.AUTHORIZATION))) == null) {
      ctx.next();
      return;
    }
    TAKEN.increment();
    // The general chain's steps, in its order: /v1/* (no caching), the audit trail, the caller.
    Problems.noStore(ctx.response());
    audit.begin(ctx);
    ctx.put(Authentication.CALLER, caller);
    if (!rateLimits.admit(ctx)) {
      return;
    }
    // The request as the router's extractor reads it (RequestExtractor.withBodyHandler reads it
    // so too, with the body the BodyHandler read), validated as the chain validates it.
    RequestUtils.extract(request, operation, request::body)
        .compose(validatable -> validator.validate(validatable, OPERATION))
        .onFailure(
            error ->
                ctx.fail(
                    error instanceof ValidatorException
                        ? new HttpException(400, error.getMessage(), error)
                        : error))
        .onSuccess(
            validated -> {
              ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, validated);
              handler.handle(ctx);
            });
  }

  /** How many requests the lanes of this process have taken. */
  static long taken() {
    return TAKEN.sum();
  }

  private boolean withinLimit(String contentLength) {
    if (contentLength == null || contentLength.isEmpty() || contentLength.length() > 18) {
      return false;
    }
    long length = 0;
    for (int i = 0; i < contentLength.length(); i++) {
      char c = contentLength.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      length = length * 10 + (c - '0');
    }
    return length > 0 && length <= bodyLimitBytes;
  }

  private static boolean isApiKey(String authorization) {
    return authorization != null
        && authorization.length() > 7
        && authorization.startsWith(ApiKeyAuthentication.PREFIX, 7);
  }
}
