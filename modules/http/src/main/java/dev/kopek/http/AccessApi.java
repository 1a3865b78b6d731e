package dev.kopek.http;

import dev.kopek.client.AccessClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.ValidatedRequest;

/** Administrators' API keys and the audit log (the access verticle's, over the event bus). */
final class AccessApi {

  private final AccessClient access;

  AccessApi(AccessClient access) {
    this.access = access;
  }

  void createApiKey(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    JsonObject request =
        new JsonObject()
            .put("name", body.getString("name"))
            .put("scopes", body.getJsonArray("scopes"))
            .put("expires_at", body.getString("expires_at"))
            .put("created_by", Authentication.caller(ctx).userId());
    access
        .createKey(request)
        .onSuccess(
            key -> {
              ctx.put(AuditTrail.CREATED, key.getString("id"));
              Replies.json(ctx, 201, key);
            })
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void listApiKeys(RoutingContext ctx) {
    access
        .keys()
        .onSuccess(keys -> Replies.json(ctx, 200, keys))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void revokeApiKey(RoutingContext ctx) {
    access
        .revokeKey(id(ctx))
        .onSuccess(key -> Replies.json(ctx, 200, key))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void rollApiKey(RoutingContext ctx) {
    JsonObject body = Replies.validated(ctx).getBody().getJsonObject();
    access
        .rollKey(id(ctx), body.getLong("grace_ms"))
        .onSuccess(key -> Replies.json(ctx, 200, key))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  void listAudit(RoutingContext ctx) {
    ValidatedRequest request = Replies.validated(ctx);
    JsonObject query = new JsonObject().put("limit", Replies.limit(ctx));
    for (String name : new String[] {"actor", "action", "from", "to"}) {
      String value = Replies.string(request, name);
      if (value != null) {
        query.put(name, value);
      }
    }
    var before = request.getQuery().get("before");
    if (before != null && !before.isNull()) {
      query.put("before", before.getLong());
    }
    access
        .audit(query)
        .onSuccess(page -> Replies.json(ctx, 200, page))
        .onFailure(error -> Replies.failed(ctx, error));
  }

  private static String id(RoutingContext ctx) {
    return Replies.validated(ctx).getPathParameters().get("id").getString();
  }
}
