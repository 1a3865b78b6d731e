package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kopek.testkit.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The token command")
@Timeout(30)
class TokenCommandTest {

  @TempDir Path temp;

  private Path dataDir;
  private Map<String, String> env;
  private Vertx vertx;

  @BeforeEach
  void setUp() {
    dataDir = temp.resolve("data");
    env = new HashMap<>(Map.of("KOPEK_DATA_DIR", dataDir.toString()));
    vertx = Vertx.vertx();
  }

  /** The secret a server started on the data directory generates (what Kopek.start does). */
  private String serverSecret() throws Exception {
    return JwtSecrets.resolve(null, dataDir);
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName(
      "a server taking only its identity provider's tokens (auth.jwks_url, no secret): the command"
          + " refuses, exit code 2, even with a generated secret left in the data directory")
  void identityProviderOnly() throws Exception {
    serverSecret();
    env.put("KOPEK_JWT_JWKS_URL", "https://id.example/.well-known/jwks.json");

    Cli.Result result = Cli.run(env, "token", "--user", "alice");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo(
            "kopek: token: the server takes tokens signed by your identity provider "
                + "(auth.public_key_pem, auth.jwks_url) and no HS256 secret: mint tokens there, or "
                + "set auth.jwt_secret (KOPEK_JWT_SECRET) to accept HS256 tokens too\n");
  }

  @Test
  @DisplayName("prints an HS256 JWT for the user, valid for an hour, without roles")
  void userToken() throws Exception {
    serverSecret();
    long before = Instant.now().getEpochSecond();
    Cli.Result result = run("token", "--user", "alice");

    assertThat(result.code()).isEqualTo(0);
    assertThat(result.err()).isEmpty();
    assertThat(result.out()).endsWith("\n").hasLineCount(1);
    String token = result.out().trim();
    assertThat(part(token, 0)).isEqualTo(new JsonObject().put("typ", "JWT").put("alg", "HS256"));
    JsonObject claims = part(token, 1);
    assertThat(claims.fieldNames()).containsExactlyInAnyOrder("user_id", "sub", "iat", "exp");
    assertThat(claims.getString("user_id")).isEqualTo("alice");
    assertThat(claims.getString("sub")).isEqualTo("alice");
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(3600);
    assertThat(claims.getLong("exp")).isCloseTo(before + 3600, within(10L));
  }

  @Test
  @DisplayName("--admin adds the admin role")
  void adminToken() throws Exception {
    serverSecret();
    Cli.Result result = run("token", "--user", "ops", "--admin");

    assertThat(result.code()).isEqualTo(0);
    JsonObject claims = part(result.out().trim(), 1);
    assertThat(claims.getJsonArray("roles")).isEqualTo(new JsonArray().add("admin"));
    assertThat(claims.getString("user_id")).isEqualTo("ops");
  }

  @Test
  @DisplayName("signs with the secret the server generated in the data directory, and keeps it")
  void signedWithTheDataDirectorySecret() throws Exception {
    // The server generates the secret when auth.jwt_secret is empty; the command reads it.
    String generated = serverSecret();
    String first = run("token", "--user", "alice").out().trim();
    Path secretFile = dataDir.resolve("jwt-secret");
    assertThat(secretFile).isRegularFile();
    String secret = Files.readString(secretFile, StandardCharsets.US_ASCII);
    assertThat(secret).isEqualTo(generated).matches("[A-Za-z0-9+/]{64}");
    assertThat(Files.getPosixFilePermissions(secretFile))
        .extracting(Object::toString)
        .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
    // The server resolves the secret the same way when auth.jwt_secret is empty.
    assertThat(JwtSecrets.resolve(null, dataDir)).isEqualTo(secret);

    User user =
        verifier(secret).authenticate(new TokenCredentials(first)).await(30, TimeUnit.SECONDS);
    assertThat(user.principal().getString("user_id")).isEqualTo("alice");
    assertThatThrownBy(
            () ->
                verifier(Tokens.SECRET)
                    .authenticate(new TokenCredentials(first))
                    .await(30, TimeUnit.SECONDS))
        .hasMessageContaining("Signature verification failed");

    String second = run("token", "--user", "bob").out().trim();
    assertThat(Files.readString(secretFile, StandardCharsets.US_ASCII)).isEqualTo(secret);
    assertThat(
            verifier(secret)
                .authenticate(new TokenCredentials(second))
                .await(30, TimeUnit.SECONDS)
                .principal()
                .getString("user_id"))
        .isEqualTo("bob");
  }

  @Test
  @DisplayName(
      "without auth.jwt_secret and without the server's secret file exits with 2 and one "
          + "line naming KOPEK_DATA_DIR and auth.jwt_secret, creating no secret")
  void noSecretToSignWith() {
    Cli.Result result = run("token", "--user", "alice");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo(
            "kopek: token: no secret to sign with: auth.jwt_secret "
                + "(KOPEK_JWT_SECRET) is not set and "
                + dataDir.toAbsolutePath().normalize().resolve("jwt-secret")
                + " does not exist; set KOPEK_DATA_DIR to the data directory of "
                + "the Kopek the token is for, or auth.jwt_secret (KOPEK_JWT_SECRET) to its secret\n");
    assertThat(dataDir).doesNotExist();
  }

  @Test
  @DisplayName(
      "with a data directory the server never ran on (another working directory's "
          + "./data), refuses rather than signing with a secret of its own")
  void otherDirectoryRefused() throws Exception {
    String secret = serverSecret();
    Path elsewhere = temp.resolve("elsewhere").resolve("data");
    Files.createDirectories(elsewhere);
    env.put("KOPEK_DATA_DIR", elsewhere.toString());

    Cli.Result result = run("token", "--user", "alice");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.err()).contains("KOPEK_DATA_DIR", "auth.jwt_secret").hasLineCount(1);
    assertThat(elsewhere.resolve("jwt-secret")).doesNotExist();
    assertThat(Files.readString(dataDir.resolve("jwt-secret"), StandardCharsets.US_ASCII))
        .isEqualTo(secret);
  }

  @Test
  @DisplayName("signs with KOPEK_JWT_SECRET when it is set, and generates no secret file")
  void signedWithTheConfiguredSecret() throws Exception {
    env.put("KOPEK_JWT_SECRET", Tokens.SECRET);

    String token = run("token", "--user", "alice").out().trim();

    assertThat(
            verifier(Tokens.SECRET)
                .authenticate(new TokenCredentials(token))
                .await(30, TimeUnit.SECONDS)
                .principal()
                .getString("user_id"))
        .isEqualTo("alice");
    assertThat(dataDir.resolve("jwt-secret")).doesNotExist();
  }

  @Test
  @DisplayName("takes the lifetime from auth.token_ttl_s of the file KOPEK_CONFIG names")
  void lifetimeFromConfigFile() throws Exception {
    serverSecret();
    Path file = temp.resolve("short.yaml");
    Files.writeString(file, "auth:\n  token_ttl_s: 120\n");
    env.put("KOPEK_CONFIG", file.toString());

    JsonObject claims = part(run("token", "--user", "alice").out().trim(), 1);

    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(120);
  }

  @Test
  @DisplayName("without --user exits with 2 and the usage, printing no token")
  void userMissing() {
    Cli.Result result = run("token", "--admin");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .isEqualTo("kopek: token needs --user ID (at most 128 characters)\n" + Main.USAGE);
    assertThat(dataDir).doesNotExist();
  }

  @Test
  @DisplayName("with --user but no value exits with 2")
  void userWithoutValue() {
    Cli.Result result = run("token", "--user");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("kopek: cannot start: --user needs a value\n");
  }

  @Test
  @DisplayName("with an unexpected argument exits with 2, naming it")
  void unexpectedArgument() {
    Cli.Result result = run("token", "--user", "alice", "--root");

    assertThat(result.code()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .startsWith("kopek: token needs --user ID (at most 128 characters); unexpected [--root]\n");
  }

  private JWTAuth verifier(String secret) {
    return JWTAuth.create(
        vertx,
        new JWTAuthOptions()
            .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  private static JsonObject part(String token, int index) {
    String[] parts = token.split("\\.");
    assertThat(parts).hasSize(3);
    return new JsonObject(
        new String(Base64.getUrlDecoder().decode(parts[index]), StandardCharsets.UTF_8));
  }

  private Cli.Result run(String... args) {
    return Cli.run(env, args);
  }
}
