package dev.kopek.http;

import dev.kopek.client.AccessClient;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import dev.kopek.model.access.AccessAddresses;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Authenticates {@code /v1} requests that carry an API key ({@code Authorization: Bearer
 * kpk_<id>_<secret>}) and holds each key to its scopes; other requests pass on to the token
 * authentication. A key acts on the user routes for the user its {@code Kopek-User} header names
 * ({@code users:read} for GET, {@code users:write} for the rest), on {@code /v1/admin} with {@code
 * admin:read} (GET) or {@code admin:write} (the rest), and reads the event feed ({@code GET
 * /v1/admin/events...}) with {@code events:read} or {@code admin:read}. API keys themselves are
 * managed only with an administrator's token: a key cannot make or widen keys.
 *
 * <p>Verified keys are remembered for {@code access.key_cache_ms} (30 s by default), never past the
 * moment their secret stops working. A key revoked or rolled on this node, or on another node of a
 * cluster, is forgotten at once ({@code kopek.access.key.changed}); another process on the same
 * database without a cluster notices within that bound.
 */
final class ApiKeyAuthentication {

  /** The prefix of every API key. */
  static final String PREFIX = "kpk_";

  /** The header naming the user a key acts for on the user routes. */
  static final String USER_HEADER = "Kopek-User";

  /** The routing-context key under which the id of the key a request came with is kept. */
  static final String API_KEY = "kopek.api_key";

  /** Verified keys remembered per HTTP verticle instance (so confined to its event loop). */
  static final int VERIFIED_KEYS_MAX = 4_096;

  /** Default of {@code access.key_cache_ms}. */
  static final long CACHE_MS_DEFAULT = 30_000;

  private final AccessClient access;
  private final long cacheMs;
  private final LongSupplier clock;

  private final LinkedHashMap<String, Verified> verified =
      new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Verified> eldest) {
          return size() > VERIFIED_KEYS_MAX;
        }
      };

  private record Verified(String id, Set<String> scopes, long untilMs) {}

  ApiKeyAuthentication(AccessClient access, long cacheMs, LongSupplier clock) {
    if (cacheMs < 0 || cacheMs > 300_000) {
      throw new IllegalArgumentException(
          "access.key_cache_ms must be between 0 and 300000, was " + cacheMs);
    }
    this.access = access;
    this.cacheMs = cacheMs;
    this.clock = clock;
  }

  /** {@code access.key_cache_ms} from the whole configuration. */
  static long cacheMs(JsonObject config) {
    Object section = config.getValue("access");
    if (section == null) {
      return CACHE_MS_DEFAULT;
    }
    Object value = section instanceof JsonObject access ? access.getValue("key_cache_ms") : section;
    if (value == null) {
      return CACHE_MS_DEFAULT;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new IllegalArgumentException(
          "access.key_cache_ms must be a whole number of milliseconds, 0 to 300000");
    }
    return ((Number) value).longValue();
  }

  /** Forgets a key's verified secrets when it is revoked or rolled anywhere. */
  MessageConsumer<JsonObject> listen(Vertx vertx) {
    return vertx
        .eventBus()
        .consumer(
            AccessAddresses.KEY_CHANGED,
            message -> {
              String id = message.body() == null ? null : message.body().getString("id");
              verified.values().removeIf(known -> known.id().equals(id));
            });
  }

  /** The handler for {@code /v1/*}: authenticates API keys, passes anything else on. */
  Handler<RoutingContext> authenticate() {
    return ctx -> {
      String header = ctx.request().getHeader("Authorization");
      if (header == null
          || !header.regionMatches(true, 0, "Bearer ", 0, 7)
          || !header.startsWith(PREFIX, 7)) {
        ctx.next();
        return;
      }
      String key = header.substring(7).trim();
      int separator = key.indexOf('_', PREFIX.length());
      if (separator < 0) {
        refuse(ctx);
        return;
      }
      Verified known = verified.get(key);
      long now = clock.getAsLong();
      if (known != null) {
        if (now < known.untilMs()) {
          admit(ctx, known);
          return;
        }
        verified.remove(key);
      }
      access
          .verifyKey(key.substring(PREFIX.length(), separator), key.substring(separator + 1))
          .onSuccess(
              reply -> {
                String validUntil = reply.getString("valid_until");
                long until = now + cacheMs;
                if (validUntil != null) {
                  until = Math.min(until, Instant.parse(validUntil).toEpochMilli());
                }
                Set<String> scopes = new java.util.HashSet<>();
                reply.getJsonArray("scopes").forEach(scope -> scopes.add(String.valueOf(scope)));
                Verified fresh = new Verified(reply.getString("id"), Set.copyOf(scopes), until);
                if (cacheMs > 0) {
                  verified.put(key, fresh);
                }
                admit(ctx, fresh);
              })
          .onFailure(
              error -> {
                Failure failure = Failure.from(error);
                if (failure.code() == ErrorCode.UNAUTHORIZED) {
                  refuse(ctx);
                } else {
                  Problems.send(ctx, failure);
                }
              });
    };
  }

  private static void refuse(RoutingContext ctx) {
    Problems.send(
        ctx,
        Failure.of(
            ErrorCode.UNAUTHORIZED, "the API key is unknown, revoked or expired, or not whole"));
  }

  private static void admit(RoutingContext ctx, Verified key) {
    ctx.put(API_KEY, key.id());
    String path = ctx.normalizedPath();
    HttpMethod method = ctx.request().method();
    String needed = requiredScope(method, path);
    if (needed == null) {
      Problems.send(
          ctx,
          Failure.of(
              ErrorCode.FORBIDDEN,
              "API keys are managed with an administrator's token, not with an API key"));
      return;
    }
    if (!allows(key.scopes(), needed)) {
      Problems.send(
          ctx,
          Failure.of(
              ErrorCode.FORBIDDEN, "this API key lacks the scope " + needed + " this needs"));
      return;
    }
    if (path.startsWith("/v1/admin/")) {
      ctx.put(Authentication.CALLER, new Authentication.Caller("api_key:" + key.id(), true));
      ctx.next();
      return;
    }
    String user = ctx.request().getHeader(USER_HEADER);
    if (user == null
        || user.isBlank()
        || user.length() > Limits.USER_ID_LENGTH_MAX
        || user.chars().anyMatch(Character::isISOControl)) {
      Problems.send(
          ctx,
          Failure.invalid(
              USER_HEADER,
              "an API key acts for the user its "
                  + USER_HEADER
                  + " header names (1 to "
                  + Limits.USER_ID_LENGTH_MAX
                  + " characters)"));
      return;
    }
    ctx.put(Authentication.CALLER, new Authentication.Caller(user, false));
    ctx.next();
  }

  /**
   * The scope a request needs, or null for what no key may do (managing keys). Only {@code /v1}
   * paths reach this.
   */
  static String requiredScope(HttpMethod method, String path) {
    boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
    if (path.equals("/v1/admin/api_keys")
        || path.startsWith("/v1/admin/api_keys/")
        || path.equals("/v1/admin/console_links")) {
      return null;
    }
    if (path.equals("/v1/admin/portal_sessions")) {
      // A merchant backend sends its user to the portal: acting for users, as on the user routes.
      return read ? "admin:read" : "users:write";
    }
    if (read && (path.equals("/v1/admin/events") || path.startsWith("/v1/admin/events/"))) {
      return "events:read";
    }
    if (path.startsWith("/v1/admin/")) {
      return read ? "admin:read" : "admin:write";
    }
    return read ? "users:read" : "users:write";
  }

  /** Whether {@code scopes} grant {@code needed}: {@code admin:read} reads the event feed too. */
  static boolean allows(Set<String> scopes, String needed) {
    return scopes.contains(needed)
        || ("events:read".equals(needed) && scopes.contains("admin:read"));
  }
}
