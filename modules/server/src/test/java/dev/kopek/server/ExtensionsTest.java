package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.client.Replayable;
import dev.kopek.extension.ExtensionContext;
import dev.kopek.extension.KopekExtension;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.testkit.TestDatabase;
import dev.kopek.testkit.Tokens;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Embedding through the builder, and extensions handed to it. */
@DisplayName("Embedded Kopek and its extensions")
class ExtensionsTest {

  @TempDir Path temp;

  private Kopek kopek;

  @AfterEach
  void stop() throws Exception {
    if (kopek != null) {
      kopek.stop();
    }
  }

  private Map<String, String> environment() {
    Map<String, String> env = new HashMap<>();
    env.put("KOPEK_DB_URL", TestDatabase.url(TestDatabase.create()));
    env.put("KOPEK_JWT_SECRET", Tokens.SECRET);
    env.put("KOPEK_DATA_DIR", temp.resolve("data").toString());
    env.put("KOPEK_HTTP_PORT", "0");
    return env;
  }

  /** Records what it is given and deploys a verticle that forwards the ledger's facts. */
  static final class Recording implements KopekExtension {
    final CompletableFuture<JsonObject> config = new CompletableFuture<>();
    final CompletableFuture<JsonObject> fact = new CompletableFuture<>();
    volatile ExtensionContext context;
    volatile boolean stopped;

    @Override
    public String id() {
      return "recording";
    }

    @Override
    public Future<?> start(ExtensionContext context) {
      this.context = context;
      config.complete(context.config());
      return context.deployVerticle(
          new VerticleBase() {
            @Override
            public Future<?> start() {
              return vertx
                  .eventBus()
                  .<JsonObject>consumer(LedgerAddresses.POSTED, m -> fact.complete(m.body()))
                  .completion();
            }
          },
          new DeploymentOptions());
    }

    @Override
    public Future<?> stop() {
      stopped = true;
      return Future.succeededFuture();
    }
  }

  @Test
  @Timeout(90)
  @DisplayName(
      "the builder starts Kopek with an extension: it gets its config section and typed clients, sees the facts, and is stopped with Kopek")
  void builderStartsExtension() throws Exception {
    JsonObject config = KopekConfig.load(null, environment());
    config.getJsonObject("extensions").put("recording", new JsonObject().put("greeting", "hello"));
    Recording extension = new Recording();

    kopek = Kopek.builder().config(config).extension(extension).start();

    assertThat(kopek.extensions()).containsExactly("recording");
    assertThat(kopek.postgresVersion()).matches("\\d+(\\.\\d+)?.*");
    assertThat(extension.config.get(5, TimeUnit.SECONDS).getString("greeting")).isEqualTo("hello");
    Replayable<Entry> posted =
        extension
            .context
            .ledger()
            .post(
                new PostingRequest(
                    "ext:credit-1",
                    "ext-alice",
                    "USD",
                    700,
                    EntryKind.ADJUSTMENT,
                    "Credit",
                    null,
                    "adjustments"))
            .await(10, TimeUnit.SECONDS);
    JsonObject fact = extension.fact.get(10, TimeUnit.SECONDS);
    assertThat(fact.getLong("id")).isEqualTo(posted.value().id());
    assertThat(
            kopek
                .clients()
                .ledger()
                .wallet("ext-alice", "USD")
                .await(10, TimeUnit.SECONDS)
                .balanceMinor())
        .isEqualTo(700);

    kopek.stop();
    kopek = null;
    assertThat(extension.stopped).isTrue();
  }

  @Test
  @Timeout(90)
  @DisplayName(
      "an extension that fails to start stops start-up naming it, and releases the HTTP port")
  void failingExtensionStopsStartUp() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Map<String, String> env = environment();
    env.put("KOPEK_HTTP_PORT", String.valueOf(port));
    KopekExtension failing =
        new KopekExtension() {
          @Override
          public String id() {
            return "failing";
          }

          @Override
          public Future<?> start(ExtensionContext context) {
            return Future.failedFuture(new IllegalStateException("no licence key"));
          }
        };

    assertThatThrownBy(
            () -> Kopek.builder().config(KopekConfig.load(null, env)).extension(failing).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("the extension failing (the builder) failed to start")
        .hasMessageContaining("no licence key");
    try (ServerSocket again = new ServerSocket(port)) {
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  @Timeout(60)
  @DisplayName(
      "a plugins directory that does not exist, or bad cluster members, stop start-up with exit code 2 naming the setting")
  void badSettingsExitTwo() {
    Map<String, String> missing = environment();
    missing.put("KOPEK_PLUGINS_DIR", temp.resolve("no-such-dir").toString());
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code = Main.run(new String[0], missing, System.out, new PrintStream(err, true));

    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("extensions.dir (KOPEK_PLUGINS_DIR)")
        .contains("is not a directory");

    Map<String, String> members = environment();
    members.put("KOPEK_CLUSTER", "true");
    members.put("KOPEK_CLUSTER_MEMBERS", "10.0.0.1");
    ByteArrayOutputStream err2 = new ByteArrayOutputStream();

    int code2 = Main.run(new String[0], members, System.out, new PrintStream(err2, true));

    assertThat(code2).isEqualTo(2);
    assertThat(err2.toString(StandardCharsets.UTF_8))
        .contains("cluster.members (KOPEK_CLUSTER_MEMBERS) must be host:port pairs");
  }
}
