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
 * Authenticates {@code /v1} requests with vertx-auth-jwt: a bearer token signed with one of the
 * configured keys ({@link TokenKeys}: the HS256 secret, the identity provider's RS256 or ES256
 * public key, the keys published at its JWKS URL), unexpired, with the configured issuer and
 * audience when set. Unsigned ({@code alg: none}), expired and foreign-signed tokens are refused
 * with 401, and so are tokens without an {@code exp} claim unless {@code auth.require_exp} is
 * false. The caller's user id is the {@code user_id} claim, or {@code sub} without it; admin
 * actions need {@code admin} in the {@code roles} claim.
 *
 * <p>A token is checked only with a key of the algorithm its header names, among the algorithms
 * configured: HS256 with the secret alone (never with a public key's bytes), RS256 and ES256 with
 * public keys alone. A token naming a key id the JWKS did not have makes the key set be fetched
 * again (rate-limited, {@link Jwks}) before it is refused.
 */
final class Authentication {

  /** The routing-context key under which the authenticated {@link Caller} is kept. */
  static final String CALLER = "kopek.caller";

  /** Who is calling, as the token says. */
  record Caller(String userId, boolean admin) {}

  /** Verified tokens remembered per HTTP verticle instance (so confined to its event loop). */
  static final int VERIFIED_TOKENS_MAX = 16_384;

  private final Vertx vertx;
  private final TokenKeys keys;
  private final JWTOptions options;
  private final boolean requireExp;

  /** The identity provider's key set, or null without {@code auth.jwks_url}. */
  private final Jwks jwks;

  /** The algorithms a token's header may name. */
  private final java.util.Set<String> algorithms;

  /** Checks tokens with every key known now; null while no key is known at all. */
  private JWTAuth jwt;

  /** The {@link Jwks#version()} {@link #jwt} was built with. */
  private int jwksVersion = -1;

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

  /** The HTTP verticle's context, to which replies of the shared key set hop back. */
  private final io.vertx.core.Context context;

  Authentication(Vertx vertx, HttpConfig config, TokenKeys keys) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.keys = keys;
    requireExp = config.requireExp();
    options = new JWTOptions().setLeeway(config.jwtLeewaySeconds());
    if (config.jwtIssuer() != null) {
      options.setIssuer(config.jwtIssuer());
    }
    if (config.jwtAudience() != null) {
      options.setAudience(List.of(config.jwtAudience()));
    }
    java.util.Set<String> accepted = new java.util.HashSet<>();
    if (keys.secret() != null) {
      accepted.add("HS256");
    }
    if (keys.publicKey() != null) {
      accepted.add(keys.publicKey().getAlgorithm());
    }
    if (keys.jwksUrl() != null) {
      accepted.add(TokenKeys.RS256);
      accepted.add(TokenKeys.ES256);
      jwks = Jwks.shared(vertx, keys.jwksUrl(), keys.jwksCacheMs(), keys.jwksMinIntervalMs());
    } else {
      jwks = null;
    }
    algorithms = java.util.Set.copyOf(accepted);
    rebuild();
  }

  /**
   * Fetches the identity provider's keys, when a JWKS URL is configured (once per process: the
   * other instances wait for the same fetch). Never fails: without them (the provider unreachable),
   * tokens that name an asymmetric algorithm get 503 until a fetch succeeds.
   */
  io.vertx.core.Future<Void> start() {
    if (jwks == null) {
      return io.vertx.core.Future.succeededFuture();
    }
    return here(jwks.load()).map(changed -> (Void) null).onSuccess(done -> rebuild());
  }

  /**
   * {@code future}'s outcome on this verticle's event loop: the shared key set completes its
   * fetches on the event loop that started them, and this instance's state is its loop's alone.
   */
  private <T> io.vertx.core.Future<T> here(io.vertx.core.Future<T> future) {
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    future.onComplete(
        outcome -> {
          if (io.vertx.core.Vertx.currentContext() == context) {
            promise.handle(outcome);
          } else {
            context.runOnContext(v -> promise.handle(outcome));
          }
        });
    return promise.future();
  }

  /** Builds the verifier from the configured keys and the key set's current keys. */
  private void rebuild() {
    JWTAuthOptions auth = new JWTAuthOptions().setJWTOptions(options);
    int count = 0;
    if (keys.secret() != null) {
      auth.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(keys.secret()));
      count++;
    }
    if (keys.publicKey() != null) {
      auth.addPubSecKey(new PubSecKeyOptions(keys.publicKey()));
      count++;
    }
    if (jwks != null) {
      for (JsonObject jwk : jwks.keys()) {
        auth.addJwk(jwk.copy());
        count++;
      }
      if (jwksVersion >= 0 && jwksVersion != jwks.version()) {
        // A key may have been withdrawn: tokens verified with it are checked again.
        verified.clear();
      }
      jwksVersion = jwks.version();
    }
    // With no key at all vertx-auth-jwt would accept unsigned tokens: never build it so.
    jwt = count == 0 ? null : JWTAuth.create(vertx, auth);
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
      Caller known = remembered(token);
      if (known != null) {
        ctx.put(CALLER, known);
        ctx.next();
        return;
      }
      String algorithm = algorithm(token);
      if (algorithm == null || !algorithms.contains(algorithm)) {
        // alg none, an algorithm not configured, or no signature: nothing to check it with.
        refuse(ctx);
        return;
      }
      verify(ctx, token, algorithm, true);
    };
  }

  /**
   * The caller of an {@code Authorization} header whose bearer token this instance has verified and
   * which has not expired since, as {@link #authenticate()} would admit it; else null (any other
   * header, which that handler answers or checks).
   */
  Caller known(String header) {
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return remembered(header.substring(7).trim());
  }

  /** The caller of a token verified before and not expired since; an expired one is forgotten. */
  private Caller remembered(String token) {
    Verified known = verified.get(token);
    if (known == null) {
      return null;
    }
    if (System.currentTimeMillis() / 1000 < known.expiresAtEpochSecond) {
      return known.caller;
    }
    verified.remove(token);
    return null;
  }

  private void verify(RoutingContext ctx, String token, String algorithm, boolean mayRefresh) {
    if (jwks != null) {
      jwks.refreshIfStale();
      if (jwks.version() != jwksVersion) {
        rebuild();
      }
    }
    boolean asymmetric = !"HS256".equals(algorithm);
    if (jwt == null) {
      if (mayRefresh && jwks != null) {
        here(jwks.refreshForUnknownKey()).onComplete(done -> verify(ctx, token, algorithm, false));
      } else {
        refuse(ctx, asymmetric);
      }
      return;
    }
    jwt.authenticate(new TokenCredentials(token))
        .onSuccess(user -> admit(ctx, token, user))
        .onFailure(
            error -> {
              if (mayRefresh
                  && jwks != null
                  && asymmetric
                  && error instanceof io.vertx.ext.auth.NoSuchKeyIdException) {
                // The provider may have rotated its keys since they were fetched.
                here(jwks.refreshForUnknownKey())
                    .onComplete(done -> verify(ctx, token, algorithm, false));
              } else {
                refuse(ctx, asymmetric);
              }
            });
  }

  /**
   * Refuses a token that could not be verified: 401, unless it is signed asymmetrically and the
   * identity provider's key set has never been fetched, when nobody can tell whether it is good:
   * 503 (with Retry-After), so that clients retry rather than drop their users' sessions.
   */
  private void refuse(RoutingContext ctx, boolean asymmetric) {
    if (asymmetric && jwks != null && !jwks.loaded()) {
      if (ctx.response().ended() || ctx.response().closed()) {
        return;
      }
      Problems.send(
          ctx,
          Failure.of(
              ErrorCode.UNAVAILABLE,
              "the identity provider's keys (auth.jwks_url) could not be fetched yet, so the"
                  + " token cannot be checked; retry shortly"));
      return;
    }
    refuse(ctx);
  }

  private static void refuse(RoutingContext ctx) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    Problems.send(
        ctx,
        Failure.of(
            ErrorCode.UNAUTHORIZED,
            "the token is invalid, expired or not signed with a key this server trusts"));
  }

  /**
   * The algorithm a signed token's header names, or null for anything but three dot-separated parts
   * with a non-empty signature and a JSON header naming a string {@code alg}.
   */
  static String algorithm(String token) {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0
        || second < 0
        || second == token.length() - 1
        || token.indexOf('.', second + 1) >= 0) {
      return null;
    }
    try {
      JsonObject header =
          new JsonObject(
              new String(
                  java.util.Base64.getUrlDecoder().decode(token.substring(0, first)),
                  java.nio.charset.StandardCharsets.UTF_8));
      return header.getValue("alg") instanceof String alg ? alg : null;
    } catch (RuntimeException malformed) {
      return null;
    }
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
