package dev.kopek.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestDatabase;
import dev.kopek.testkit.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Extensions in the plugins directory of {@code java -jar kopek.jar}: the example sibling verticle
 * is loaded and receives the ledger's facts; a jar that cannot be loaded stops start-up.
 */
@DisplayName("Extensions in kopek.jar's plugins directory")
class ExtensionProcessTest {

  private static final Duration START = Duration.ofSeconds(90);

  @TempDir Path temp;

  private JavaProcess kopek;
  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    if (kopek != null) {
      kopek.close();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private Map<String, String> environment(PostgresEndpoint database, Path plugins) {
    return Map.of(
        "KOPEK_DB_URL", TestDatabase.url(database),
        "KOPEK_HTTP_PORT", "0",
        "KOPEK_DATA_DIR", temp.resolve("data").toString(),
        "KOPEK_JWT_SECRET", Tokens.SECRET,
        "KOPEK_PLUGINS_DIR", plugins.toString());
  }

  @Test
  @Timeout(180)
  @DisplayName(
      "the example extension, dropped into the plugins directory, receives kopek.ledger.posted for a charge made over HTTP")
  void exampleReceivesFacts() throws Exception {
    Path plugins = Files.createDirectories(temp.resolve("plugins"));
    Files.copy(JavaProcess.siblingJar(), plugins.resolve("sibling-verticle.jar"));
    kopek =
        JavaProcess.kopek(
            "kopek", temp.resolve("work"), environment(TestDatabase.create(), plugins));

    int port = kopek.awaitServing(START);
    assertThat(kopek.awaitLine("Kopek is serving", START)).contains("extensions: sibling-verticle");
    vertx = Vertx.vertx();
    Tokens tokens = Tokens.signedWith(vertx, Tokens.SECRET);
    Api api = new Api(port);
    Api.Reply credit =
        api.post(
            "/v1/admin/adjustments",
            tokens.admin("ops"),
            "welcome-plugin-alice",
            new JsonObject()
                .put("user_id", "plugin-alice")
                .put("amount_minor", 5_000)
                .put("currency", "USD")
                .put("reason", "Welcome credit"));
    assertThat(credit.status()).as(credit.body().encode()).isEqualTo(201);
    Api.Reply charge =
        api.post(
            "/v1/charges",
            tokens.user("plugin-alice"),
            "order-17",
            new JsonObject()
                .put("amount_minor", 499)
                .put("currency", "USD")
                .put("reason", "Order 17")
                .put("reference", "order-17"));
    assertThat(charge.status()).as(charge.body().encode()).isEqualTo(201);

    String line =
        kopek.awaitLine(
            l ->
                l.contains("sibling-verticle received kopek.ledger.posted ")
                    && l.contains("\"reference\":\"order-17\""),
            Duration.ofSeconds(30));
    JsonObject fact = new JsonObject(line.substring(line.indexOf('{')));
    assertThat(fact.getString("user_id")).isEqualTo("plugin-alice");
    assertThat(fact.getLong("amount_minor")).isEqualTo(-499);
    assertThat(fact.getLong("balance_after_minor")).isEqualTo(4_501);
    assertThat(fact.getLong("id")).isEqualTo(charge.body().getLong("id"));
  }

  @Test
  @Timeout(120)
  @DisplayName("a jar whose extension cannot be loaded stops start-up with exit code 2, naming it")
  void brokenJarStopsStartUp() throws Exception {
    Path plugins = Files.createDirectories(temp.resolve("plugins"));
    Path broken = plugins.resolve("broken-extension.jar");
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(broken))) {
      jar.putNextEntry(new JarEntry("META-INF/services/dev.kopek.extension.KopekExtension"));
      OutputStream out = jar;
      out.write("com.example.NoSuchExtension\n".getBytes(StandardCharsets.UTF_8));
      jar.closeEntry();
    }
    kopek =
        JavaProcess.kopek(
            "kopek", temp.resolve("work"), environment(TestDatabase.create(), plugins));

    int exit = kopek.awaitExit(START);

    String log = kopek.log();
    assertThat(exit).as(log).isEqualTo(2);
    assertThat(log)
        .contains("kopek: cannot start: the extension jar " + broken)
        .contains("com.example.NoSuchExtension")
        .doesNotContain("Kopek is serving");
  }
}
