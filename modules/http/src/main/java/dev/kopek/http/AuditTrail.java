package dev.kopek.http;

import dev.kopek.client.AccessClient;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every {@code /v1} request its request id ({@code X-Request-Id}: the caller's when it sends
 * a sane one, else a new UUID; echoed on the response), and records in the audit log every request
 * that asks to change something (any method but GET and HEAD) and is made by an administrator on
 * {@code /v1/admin}, or with an API key anywhere: who, the method and route template, the ids it
 * names, the request id and the status answered, refusals (403, 400, 409...) included. Requests
 * that could not be authenticated (401) have nobody to record.
 *
 * <p>The row is written after the response has been sent, so it knows the outcome and never delays
 * it; a failure to write it cannot turn a successful action into an error. It is logged at ERROR
 * instead, with the whole entry, so that it can be restored from the logs.
 */
final class AuditTrail {

  static final String REQUEST_ID = "kopek.request_id";
  static final String REQUEST_ID_HEADER = "X-Request-Id";

  /** The routing-context key under which a handler names what it created (an API key's id). */
  static final String CREATED = "kopek.audit.created";

  private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
  private static final Pattern SANE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** The body fields that name what an action is about, recorded with the path's ids. */
  private static final List<String> BODY_TARGETS = List.of("user_id", "code", "plan", "currency");

  private final AccessClient access;
  private final OpenAPIContract contract;

  AuditTrail(AccessClient access, OpenAPIContract contract) {
    this.access = access;
    this.contract = contract;
  }

  /** The handler for {@code /v1/*}, ahead of authentication. */
  Handler<RoutingContext> handler() {
    return ctx -> {
      begin(ctx);
      ctx.next();
    };
  }

  /** Gives the request its id (echoed) and, unless it only reads, its audit record at the end. */
  void begin(RoutingContext ctx) {
    String given = ctx.request().getHeader(REQUEST_ID_HEADER);
    String requestId =
        given != null && SANE_REQUEST_ID.matcher(given).matches()
            ? given
            : UUID.randomUUID().toString();
    ctx.put(REQUEST_ID, requestId);
    ctx.response().putHeader(REQUEST_ID_HEADER, requestId);
    HttpMethod method = ctx.request().method();
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      ctx.addEndHandler(ended -> record(ctx, requestId));
    }
  }

  private void record(RoutingContext ctx, String requestId) {
    Authentication.Caller caller = Authentication.caller(ctx);
    String keyId = ctx.get(ApiKeyAuthentication.API_KEY);
    String path = ctx.normalizedPath();
    if (keyId == null && (caller == null || !path.startsWith("/v1/admin/"))) {
      return;
    }
    HttpMethod method = ctx.request().method();
    Operation operation = contract.findOperation(path, method);
    String template = operation == null ? path : operation.getOpenAPIPath();
    JsonObject targets = targets(template, path);
    bodyTargets(ctx, targets);
    String created = ctx.get(CREATED);
    if (created != null) {
      targets.put("created", created);
    }
    JsonObject entry =
        new JsonObject()
            .put("actor_type", keyId != null ? "api_key" : "user")
            .put("actor", keyId != null ? keyId : caller.userId())
            .put("action", method.name() + " " + template)
            .put("targets", targets)
            .put("request_id", requestId)
            .put("status", ctx.response().getStatusCode());
    access
        .record(entry)
        .onFailure(
            error ->
                LOG.error(
                    "AUDIT LOG WRITE FAILED, the action stands but its record is missing: {} ({})",
                    entry.encode(),
                    error.toString()));
  }

  /** The path's parameters, by the template's names: {@code {id}} in the template → {@code id}. */
  static JsonObject targets(String template, String path) {
    JsonObject targets = new JsonObject();
    String[] names = template.split("/");
    String[] values = path.split("/");
    if (names.length != values.length) {
      return targets;
    }
    for (int i = 0; i < names.length; i++) {
      if (names[i].startsWith("{") && names[i].endsWith("}")) {
        targets.put(
            names[i].substring(1, names[i].length() - 1),
            URLDecoder.decode(values[i], StandardCharsets.UTF_8));
      }
    }
    return targets;
  }

  private static void bodyTargets(RoutingContext ctx, JsonObject targets) {
    try {
      if (ctx.body() == null || ctx.body().length() == 0) {
        return;
      }
      Object body = ctx.body().asJsonObject();
      if (body instanceof JsonObject json) {
        for (String field : BODY_TARGETS) {
          if (json.getValue(field) instanceof String value && !targets.containsKey(field)) {
            targets.put(field, value.length() > 200 ? value.substring(0, 200) : value);
          }
        }
      }
    } catch (RuntimeException notJson) {
      // A body that is not a JSON object names nothing.
    }
  }
}
