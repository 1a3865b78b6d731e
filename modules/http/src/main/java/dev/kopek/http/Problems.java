package dev.kopek.http;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All of the HTTP error mapping: a {@link Failure} or a routing failure becomes an RFC 9457 {@code
 * application/problem+json} document with a stable {@code code}. Internals never reach the client;
 * unexpected failures are logged here.
 */
final class Problems {

  static final String CONTENT_TYPE = "application/problem+json";

  /** The {@code Retry-After} of every 503: a database restart takes seconds. */
  static final String RETRY_AFTER_SECONDS = "2";

  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  private static final Pattern REQUIRED_PROPERTY =
      Pattern.compile("required property \"?([^\"]+)\"?");
  private static final Pattern PARAMETER_NAME = Pattern.compile("parameter ([A-Za-z0-9_.-]+)");
  private static final Pattern ARRAY_INDEX = Pattern.compile("\\.[0-9]+(?=\\.|$)");

  private Problems() {}

  /** Sends {@code failure} as a problem document; its status is the code's failure code. */
  static void send(RoutingContext ctx, Failure failure) {
    send(ctx.response(), failure);
  }

  /** Sends {@code failure} on {@code response}, which no router may have seen. */
  static Future<Void> send(HttpServerResponse response, Failure failure) {
    if (response.headWritten()) {
      response.reset();
      return Future.succeededFuture();
    }
    ErrorCode code = failure.code();
    JsonObject body =
        new JsonObject()
            .put("type", "urn:kopek:problem:" + code.wireName())
            .put("title", title(code))
            .put("status", code.failureCode())
            .put("detail", failure.detail())
            .put("code", code.wireName());
    failure.extras().forEach(extra -> body.put(extra.getKey(), extra.getValue()));
    if (code == ErrorCode.UNAUTHORIZED) {
      response.putHeader("WWW-Authenticate", "Bearer");
    }
    if (code == ErrorCode.UNAVAILABLE) {
      // The database or a capability is away (restarting, say): worth retrying, with the same
      // Idempotency-Key, shortly.
      response.putHeader("Retry-After", RETRY_AFTER_SECONDS);
    }
    return noStore(response)
        .setStatusCode(code.failureCode())
        .putHeader("Content-Type", CONTENT_TYPE)
        .end(body.encode());
  }

  /**
   * Marks a reply as never to be stored by caches (it is per user, or an error of the moment) and
   * never to be sniffed as another type than it says.
   */
  static HttpServerResponse noStore(HttpServerResponse response) {
    return response
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("X-Content-Type-Options", "nosniff");
  }

  /**
   * Replies to a request the server could not read (Vert.x's invalid-request handler), with a
   * problem document where Vert.x's default sends an empty body, then closes the connection, whose
   * remaining bytes cannot be trusted to start the next request.
   */
  static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    Failure failure;
    if (cause instanceof TooLongHttpLineException) {
      failure =
          Failure.of(
              ErrorCode.URI_TOO_LONG,
              "the request line (method, path and query) is "
                  + "longer than "
                  + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH
                  + " bytes");
    } else if (cause instanceof TooLongHttpHeaderException) {
      failure =
          Failure.of(
              ErrorCode.REQUEST_HEADER_FIELDS_TOO_LARGE,
              "the request's header fields "
                  + "are larger than "
                  + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE
                  + " bytes in all");
    } else {
      failure = Failure.invalid("request", "the request is not valid HTTP/1.1");
    }
    send(request.response(), failure).onComplete(sent -> request.connection().close());
  }

  /** The router's failure handler: maps whatever failed the request. */
  static void handleFailure(RoutingContext ctx) {
    Throwable error = ctx.failure();
    if (error instanceof io.vertx.ext.web.handler.HttpException http && http.getCause() != null) {
      error = http.getCause();
    }
    if (error instanceof ValidatorException invalid) {
      send(ctx, fromValidation(invalid));
      return;
    }
    if (error instanceof Failure.FailureException failure) {
      send(ctx, failure.failure());
      return;
    }
    switch (ctx.statusCode()) {
      case 400 -> send(ctx, badRequest(ctx.request().query()));
      case 401 -> send(ctx, Failure.of(ErrorCode.UNAUTHORIZED, "a valid bearer token is required"));
      case 403 -> send(ctx, Failure.of(ErrorCode.FORBIDDEN, "this action needs the admin role"));
      case 404 -> notFound(ctx);
      case 405 -> methodNotAllowed(ctx);
      case 413 ->
          send(ctx, Failure.of(ErrorCode.PAYLOAD_TOO_LARGE, "the request body is too large"));
      default -> {
        LOG.error(
            "Unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), error);
        send(ctx, Failure.of(ErrorCode.INTERNAL, "internal error"));
      }
    }
  }

  /**
   * A 400 that Vert.x itself answered: a query value that is not valid percent-encoding (a literal
   * {@code %}), named with the parameter it is in, or else a body that is not JSON.
   */
  static Failure badRequest(String query) {
    if (query != null) {
      for (String pair : query.split("&")) {
        if (percentEncoded(pair)) {
          continue;
        }
        int equals = pair.indexOf('=');
        String name = equals < 0 ? pair : pair.substring(0, equals);
        String field =
            !name.isEmpty() && percentEncoded(name)
                ? java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8)
                : "query";
        return Failure.invalid(
            field, field + " is not valid percent-encoding: write a % sign as %25");
      }
    }
    return Failure.invalid("body", "the request body is not valid JSON");
  }

  /** Whether every {@code %} in {@code text} starts an escape of two hex digits. */
  private static boolean percentEncoded(String text) {
    for (int i = text.indexOf('%'); i >= 0; i = text.indexOf('%', i + 1)) {
      if (i + 2 >= text.length()
          || Character.digit(text.charAt(i + 1), 16) < 0
          || Character.digit(text.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  static void notFound(RoutingContext ctx) {
    send(ctx, Failure.of(ErrorCode.NOT_FOUND, "no resource at " + ctx.request().path()));
  }

  static void methodNotAllowed(RoutingContext ctx) {
    send(
        ctx,
        Failure.of(
            ErrorCode.METHOD_NOT_ALLOWED,
            ctx.request().method() + " is not served on " + ctx.request().path()));
  }

  /** A contract violation, naming the field (body property, parameter or header) to fix. */
  static Failure fromValidation(ValidatorException invalid) {
    if (invalid.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT) {
      return new Failure(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "the request body must be application/json",
          new JsonObject().put("field", "body"));
    }
    String message = invalid.getMessage() == null ? "" : invalid.getMessage();
    if (invalid instanceof SchemaValidationException schema
        && schema.getOutputUnit() != null
        && message.contains("body")) {
      return fromBodySchema(schema.getOutputUnit());
    }
    if (message.contains("body")) {
      return Failure.invalid(
          "body",
          invalid.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER
              ? "a JSON request body is required"
              : "the request body is not valid JSON");
    }
    Matcher parameter = PARAMETER_NAME.matcher(message);
    String field = parameter.find() ? parameter.group(1) : "request";
    String detail =
        invalid.type() == ValidatorErrorType.MISSING_REQUIRED_PARAMETER
            ? field + " is required"
            : field + " is invalid: " + reason(invalid);
    return Failure.invalid(field, detail);
  }

  private static Failure fromBodySchema(OutputUnit root) {
    OutputUnit leaf = deepestError(root);
    String error = leaf.getError() == null ? "is invalid" : leaf.getError();
    Matcher required = REQUIRED_PROPERTY.matcher(error);
    if (required.find()) {
      return Failure.invalid(required.group(1), required.group(1) + " is required");
    }
    String location = leaf.getInstanceLocation() == null ? "" : leaf.getInstanceLocation();
    String path = location.replaceFirst("^#?/?", "").replace('/', '.');
    if (path.isEmpty()) {
      Matcher extra = Pattern.compile("\"([^\"]+)\"").matcher(error);
      path = extra.find() ? extra.group(1) : "body";
    }
    // An item of a list is fixed in the list: the field is the list, the detail says which item.
    String field = ARRAY_INDEX.matcher(path).replaceAll("");
    return Failure.invalid(field, path + ": " + error);
  }

  /** The most specific error: the one deepest in the instance, which names the field. */
  private static OutputUnit deepestError(OutputUnit unit) {
    OutputUnit best = unit;
    List<OutputUnit> errors = unit.getErrors();
    if (errors != null) {
      for (OutputUnit child : errors) {
        OutputUnit candidate = deepestError(child);
        if (depth(candidate) >= depth(best) || best.getError() == null) {
          best = candidate;
        }
      }
    }
    return best;
  }

  private static int depth(OutputUnit unit) {
    String location = unit.getInstanceLocation();
    return location == null ? -1 : location.split("/").length;
  }

  private static String reason(ValidatorException invalid) {
    if (invalid instanceof SchemaValidationException schema && schema.getOutputUnit() != null) {
      OutputUnit leaf = deepestError(schema.getOutputUnit());
      if (leaf.getError() != null) {
        return leaf.getError();
      }
    }
    return "value not allowed";
  }

  private static String title(ErrorCode code) {
    return switch (code) {
      case VALIDATION_FAILED -> "Invalid request";
      case UNAUTHORIZED -> "Authentication required";
      case FORBIDDEN -> "Forbidden";
      case NOT_FOUND -> "Not found";
      case METHOD_NOT_ALLOWED -> "Method not allowed";
      case INSUFFICIENT_FUNDS -> "Insufficient funds";
      case IDEMPOTENCY_CONFLICT -> "Idempotency key reused";
      case IDEMPOTENCY_IN_PROGRESS -> "Request in progress";
      case NOT_REFUNDABLE -> "Not refundable";
      case ALREADY_EXISTS -> "Already exists";
      case CHECKOUT_EXPIRED -> "Checkout expired";
      case GATEWAY_ERROR -> "Payment provider error";
      case PAYLOAD_TOO_LARGE -> "Request body too large";
      case UNSUPPORTED_MEDIA_TYPE -> "Unsupported media type";
      case URI_TOO_LONG -> "Request line too long";
      case REQUEST_HEADER_FIELDS_TOO_LARGE -> "Request header fields too large";
      case UNAVAILABLE -> "Service unavailable";
      case TIMEOUT -> "Timed out";
      case RATE_LIMITED -> "Too many requests";
      case INTERNAL -> "Internal error";
    };
  }
}
