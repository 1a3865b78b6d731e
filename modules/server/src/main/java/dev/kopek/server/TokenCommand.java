package dev.kopek.server;

import dev.kopek.model.Limits;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code kopek.jar token --user ID [--admin]}: mints a development token with the server's key, the
 * configured {@code auth.jwt_secret} or the secret the server generated in its data directory. It
 * never generates one.
 */
final class TokenCommand {

  private TokenCommand() {}

  static int run(JsonObject config, List<String> args, PrintStream out, PrintStream err)
      throws Exception {
    String user = Main.option(args, "--user").orElse(null);
    boolean admin = args.remove("--admin");
    if (user == null
        || user.isBlank()
        || user.length() > Limits.USER_ID_LENGTH_MAX
        || !args.isEmpty()) {
      err.println(
          "kopek: token needs --user ID (at most "
              + Limits.USER_ID_LENGTH_MAX
              + " characters)"
              + (args.isEmpty() ? "" : "; unexpected " + args));
      err.print(Main.USAGE);
      return 2;
    }
    ServerConfig settings = ServerConfig.from(config);
    String secret = settings.jwtSecret();
    if (secret == null && dev.kopek.http.TokenKeys.asymmetricConfigured(config)) {
      err.println(
          "kopek: token: the server takes tokens signed by your identity provider "
              + "(auth.public_key_pem, auth.jwks_url) and no HS256 secret: mint tokens there, or "
              + "set auth.jwt_secret (KOPEK_JWT_SECRET) to accept HS256 tokens too");
      return 2;
    }
    if (secret == null) {
      // The server's generated secret, never a new one: a token signed with a secret of the
      // command's own (say, run from another directory, whose ./data has none) is refused.
      secret = JwtSecrets.existing(settings.dataDirectory()).orElse(null);
    }
    if (secret == null) {
      err.println(
          "kopek: token: no secret to sign with: auth.jwt_secret (KOPEK_JWT_SECRET) is "
              + "not set and "
              + settings.dataDirectory().toAbsolutePath().normalize().resolve(JwtSecrets.FILE_NAME)
              + " does not exist; set KOPEK_DATA_DIR to the data "
              + "directory of the Kopek the token is for, or auth.jwt_secret (KOPEK_JWT_SECRET) to "
              + "its secret");
      return 2;
    }
    JsonObject auth = config.getJsonObject("auth");
    Vertx vertx = Vertx.vertx();
    try {
      JWTAuth jwt =
          JWTAuth.create(
              vertx,
              new JWTAuthOptions()
                  .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
      JsonObject claims = new JsonObject().put("user_id", user).put("sub", user);
      if (admin) {
        claims.put("roles", new JsonArray().add("admin"));
      }
      JWTOptions options =
          new JWTOptions().setAlgorithm("HS256").setExpiresInSeconds(settings.tokenTtlSeconds());
      String issuer = auth.getString("issuer", "");
      String audience = auth.getString("audience", "");
      if (!issuer.isBlank()) {
        options.setIssuer(issuer);
      }
      if (!audience.isBlank()) {
        options.setAudience(List.of(audience));
      }
      out.println(jwt.generateToken(claims, options));
      return 0;
    } finally {
      vertx.close();
    }
  }
}
