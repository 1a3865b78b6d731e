package dev.kopek.http;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * Authenticates {@code /v1} requests with vertx-auth-jwt: a bearer token signed with the configured
 * HS256 secret, unexpired, with the configured issuer and audience when set. Unsigned ({@code alg:
 * none}), expired and foreign-signed tokens are refused with 401, and so are tokens without an
 * {@code exp} claim unless {@code auth.require_exp} is false. The caller's user id is the {@code
 * user_id} claim, or {@code sub} without it; admin actions need {@code admin} in the {@code roles}
 * claim.
 */
final class Authentication {

  /** The routing-context key under which the authenticated {@link Caller} is kept. */
  static final String CALLER = "kopek.caller";

  /** Who is calling, as the token says. */
  record Caller(String userId, boolean admin) {}

  /** Verified tokens remembered per HTTP verticle instance (so confined to its event loop). */
  static final int VERIFIED_TOKENS_MAX = 16_384;

  private final JWTAuth jwt;
  private final boolean requireExp;

  /**
   * Tokens already verified, with what they said and until when they hold: a client sends the same
   * token with every request, and checking its signature again each time is wasted work. Only
   * tokens that passed every check are kept, each until its {@code exp} (never past it), and the
   * least recently used are forgotten beyond {@link #VERIFIED_TOKENS_MAX}.
   */
  private final java.util.LinkedHashMap<String, Verified> verified =
      new java.util.LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Verified> eldest) {
          return size() > VERIFIED_TOKENS_MAX;
        }
      };

  private record Verified(Caller caller, long expiresAtEpochSecond) {}

  Authentication(Vertx vertx, HttpConfig config) {
    requireExp = config.requireExp();
    JWTOptions options = new JWTOptions().setLeeway(config.jwtLeewaySeconds());
    if (config.jwtIssuer() != null) {
      options.setIssuer(config.jwtIssuer());
    }
    if (config.jwtAudience() != null) {
      options.setAudience(List.of(config.jwtAudience()));
    }
    jwt =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(
                    new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(config.jwtSecret()))
                .setJWTOptions(options));
  }

  /** The handler for {@code /v1/*}: authenticates, or answers 401. */
  Handler<RoutingContext> authenticate() {
    return ctx -> {
      if (ctx.get(CALLER) != null) {
        // Authenticated already, with an API key (ApiKeyAuthentication).
        ctx.next();
        return;
      }
      String header = ctx.request().getHeader("Authorization");
      if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
        Problems.send(
            ctx, Failure.of(ErrorCode.UNAUTHORIZED, "send Authorization: Bearer <token>"));
        return;
      }
      String token = header.substring(7).trim();
      Verified known = verified.get(token);
      if (known != null) {
        if (System.currentTimeMillis() / 1000 < known.expiresAtEpochSecond) {
          ctx.put(CALLER, known.caller);
          ctx.next();
          return;
        }
        verified.remove(token);
      }
      jwt.authenticate(new TokenCredentials(token))
          .onSuccess(user -> admit(ctx, token, user))
          .onFailure(
              error ->
                  Problems.send(
                      ctx,
                      Failure.of(
                          ErrorCode.UNAUTHORIZED,
                          "the token is invalid, expired or not signed with this server's key")));
    };
  }

  /** The handler for {@code /v1/admin/*}: lets admins through, answers 403 to others. */
  static Handler<RoutingContext> requireAdmin() {
    return ctx -> {
      Caller caller = ctx.get(CALLER);
      if (caller == null || !caller.admin()) {
        Problems.send(ctx, Failure.of(ErrorCode.FORBIDDEN, "this action needs the admin role"));
        return;
      }
      ctx.next();
    };
  }

  private void admit(RoutingContext ctx, String token, User user) {
    JsonObject claims = claims(user);
    Object userId = claims.getValue("user_id", claims.getValue("sub"));
    if (!(userId instanceof String id)
        || id.isBlank()
        || id.length() > Limits.USER_ID_LENGTH_MAX
        || id.chars().anyMatch(Character::isISOControl)) {
      Problems.send(
          ctx,
          Failure.of(
              ErrorCode.UNAUTHORIZED,
              "the token must name the user in its user_id (or sub) claim, at most "
                  + Limits.USER_ID_LENGTH_MAX
                  + " characters"));
      return;
    }
    Object exp = claims.getValue("exp");
    if (requireExp && !(exp instanceof Number)) {
      // A token that never expires stays valid however it leaks.
      Problems.send(
          ctx,
          Failure.of(
              ErrorCode.UNAUTHORIZED, "the token has no expiry (exp claim); tokens must expire"));
      return;
    }
    Object roles = claims.getValue("roles");
    boolean admin = roles instanceof JsonArray array && array.contains("admin");
    Caller caller = new Caller(id, admin);
    if (exp instanceof Number expiresAt) {
      verified.put(token, new Verified(caller, expiresAt.longValue()));
    }
    ctx.put(CALLER, caller);
    ctx.next();
  }

  private static JsonObject claims(User user) {
    JsonObject decoded = user.attributes().getJsonObject("accessToken");
    return decoded != null ? decoded : user.principal();
  }

  /** The authenticated caller of a {@code /v1} request. */
  static Caller caller(RoutingContext ctx) {
    return ctx.get(CALLER);
  }
}
