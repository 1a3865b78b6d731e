package dev.kopek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.client.LedgerClient;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.Poll;
import dev.kopek.testkit.TestDatabase;
import dev.kopek.testkit.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clustered Kopek with TLS on the event bus, and two other members in this JVM: a sibling with
 * the cluster's certificate reaches the ledger through the typed client and receives its facts; one
 * without a certificate joins Hazelcast but cannot get a command through.
 */
@DisplayName("Clustered event bus over TLS")
class ClusterTlsTest {

  @TempDir Path temp;

  private Kopek kopek;
  private final List<Vertx> members = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Vertx member : members) {
      member.close().await(20, TimeUnit.SECONDS);
    }
    if (kopek != null) {
      kopek.stop();
    }
  }

  @Test
  @Timeout(180)
  @DisplayName(
      "a sibling with the cluster's certificate posts through the typed client and gets the fact; one without gets nothing through")
  void tlsBetweenMembers() throws Exception {
    SelfSigned pem = SelfSigned.make(temp, "kopek-cluster");
    PostgresEndpoint database = TestDatabase.create();
    String name = "tls-" + UUID.randomUUID().toString().substring(0, 8);
    int kopekPort = freePort();
    Map<String, String> tls =
        Map.of(
            "KOPEK_CLUSTER_TLS_CERT", pem.certificate().toString(),
            "KOPEK_CLUSTER_TLS_KEY", pem.key().toString(),
            "KOPEK_CLUSTER_TLS_CA", pem.certificate().toString());
    Map<String, String> env = new HashMap<>(tls);
    env.put("KOPEK_DB_URL", TestDatabase.url(database));
    env.put("KOPEK_JWT_SECRET", Tokens.SECRET);
    env.put("KOPEK_DATA_DIR", temp.resolve("data").toString());
    env.put("KOPEK_HTTP_PORT", "0");
    env.put("KOPEK_CLUSTER", "true");
    env.put("KOPEK_CLUSTER_NAME", name);
    env.put("KOPEK_CLUSTER_PORT", String.valueOf(kopekPort));
    kopek = Kopek.builder().config(KopekConfig.load(null, env)).start();

    Map<String, String> siblingEnv = new HashMap<>(tls);
    siblingEnv.put("KOPEK_CLUSTER_NAME", name);
    siblingEnv.put("KOPEK_CLUSTER_PORT", String.valueOf(freePort()));
    siblingEnv.put("KOPEK_CLUSTER_MEMBERS", "127.0.0.1:" + kopekPort);
    Vertx sibling =
        KopekCluster.join(KopekConfig.load(null, siblingEnv)).await(60, TimeUnit.SECONDS);
    members.add(sibling);
    CompletableFuture<JsonObject> fact = new CompletableFuture<>();
    sibling
        .eventBus()
        .<JsonObject>consumer(LedgerAddresses.POSTED, m -> fact.complete(m.body()))
        .completion()
        .await(10, TimeUnit.SECONDS);
    LedgerClient ledger = LedgerClient.create(sibling, 3_000);
    PostingRequest credit =
        new PostingRequest(
            "tls:credit-1",
            "tls-alice",
            "USD",
            900,
            EntryKind.ADJUSTMENT,
            "Credit",
            null,
            "adjustments");
    // Until the ledger's registration has reached the new member: no handlers yet.
    Long id =
        Poll.value(
            Duration.ofSeconds(30),
            () -> {
              try {
                return ledger.post(credit).await(5, TimeUnit.SECONDS).value().id();
              } catch (Exception e) {
                return null;
              }
            },
            entryId -> entryId != null);
    assertThat(id).as("the credit posted through the TLS event bus").isNotNull();
    assertThat(fact.get(10, TimeUnit.SECONDS).getLong("id")).isEqualTo(id);

    Map<String, String> intruderEnv = new HashMap<>();
    intruderEnv.put("KOPEK_CLUSTER_NAME", name);
    intruderEnv.put("KOPEK_CLUSTER_PORT", String.valueOf(freePort()));
    intruderEnv.put("KOPEK_CLUSTER_MEMBERS", "127.0.0.1:" + kopekPort);
    Vertx intruder =
        KopekCluster.join(KopekConfig.load(null, intruderEnv)).await(60, TimeUnit.SECONDS);
    members.add(intruder);
    LedgerClient plain = LedgerClient.create(intruder, 2_000);
    PostingRequest stolen =
        new PostingRequest(
            "tls:stolen",
            "tls-alice",
            "USD",
            1_000_000,
            EntryKind.ADJUSTMENT,
            "Stolen",
            null,
            "adjustments");
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        plain.post(stolen).await(5, TimeUnit.SECONDS);
        throw new AssertionError("a member without the certificate posted");
      } catch (Failure.FailureException refused) {
        assertThat(refused.failure().code()).isIn(ErrorCode.TIMEOUT, ErrorCode.UNAVAILABLE);
      }
    }
    assertThat(
            TestDatabase.queryLong(
                database,
                "SELECT count(*) FROM ledger_entries WHERE idempotency_key LIKE '%stolen%'"))
        .isZero();
    assertThat(
            kopek
                .clients()
                .ledger()
                .wallet("tls-alice", "USD")
                .await(10, TimeUnit.SECONDS)
                .balanceMinor())
        .isEqualTo(900);
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
