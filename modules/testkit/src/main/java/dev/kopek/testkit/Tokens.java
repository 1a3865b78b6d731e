package dev.kopek.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

/** Mints HS256 tokens the way a client's identity provider would, for tests. */
public final class Tokens {

  /** The secret test servers are configured with. */
  public static final String SECRET = "test-secret-of-at-least-thirty-two-bytes!!";

  private final JWTAuth auth;

  private Tokens(JWTAuth auth) {
    this.auth = auth;
  }

  /** Tokens signed with {@code secret}. */
  public static Tokens signedWith(Vertx vertx, String secret) {
    return new Tokens(
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))));
  }

  /** Tokens signed with {@link #SECRET}. */
  public static Tokens standard(Vertx vertx) {
    return signedWith(vertx, SECRET);
  }

  /** A one-hour token for {@code userId} with the {@code user_id} claim. */
  public String user(String userId) {
    return auth.generateToken(
        new JsonObject().put("user_id", userId),
        new JWTOptions().setAlgorithm("HS256").setExpiresInMinutes(60));
  }

  /** A one-hour token for {@code userId} carrying the admin role. */
  public String admin(String userId) {
    return auth.generateToken(
        new JsonObject().put("user_id", userId).put("roles", new JsonArray().add("admin")),
        new JWTOptions().setAlgorithm("HS256").setExpiresInMinutes(60));
  }

  /** A token with exactly these claims and options, for edge cases (expired, sub only). */
  public String custom(JsonObject claims, JWTOptions options) {
    return auth.generateToken(claims, options.setAlgorithm("HS256"));
  }
}
