package com.example.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kopek.client.Replayable;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.server.Kopek;
import dev.kopek.server.KopekConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kopek embedded twice, one after the other, on one data directory. */
class EmbeddedKopekTest {

  @TempDir Path temp;

  @Test
  void startsTwiceOnOneDataDirectoryWithPostgresql17() throws Exception {
    Path dataDir = temp.resolve("data");
    Map<String, String> environment =
        Map.of("KOPEK_DATA_DIR", dataDir.toString(), "KOPEK_HTTP_PORT", "0");

    Kopek first = start(environment);
    long entryId;
    try {
      assertTrue(first.postgresVersion().startsWith("17."), first.postgresVersion());
      assertEquals(java.util.List.of("shop"), first.extensions());
      Replayable<Entry> credit =
          first
              .clients()
              .ledger()
              .post(
                  new PostingRequest(
                      "shop:welcome-alice",
                      "alice",
                      "EUR",
                      2_500,
                      EntryKind.ADJUSTMENT,
                      "Welcome credit",
                      null,
                      "adjustments"))
              .await(30, TimeUnit.SECONDS);
      assertFalse(credit.replayed());
      entryId = credit.value().id();
    } finally {
      first.stop();
    }
    assertTrue(Files.isDirectory(dataDir.resolve("postgres")));

    Kopek second = start(environment);
    try {
      assertTrue(second.postgresVersion().startsWith("17."), second.postgresVersion());
      assertEquals(
          2_500,
          second.clients().ledger().wallet("alice", "EUR").await(30, TimeUnit.SECONDS).balanceMinor());
      assertEquals(
          entryId,
          second
              .clients()
              .ledger()
              .post(
                  new PostingRequest(
                      "shop:welcome-alice",
                      "alice",
                      "EUR",
                      2_500,
                      EntryKind.ADJUSTMENT,
                      "Welcome credit",
                      null,
                      "adjustments"))
              .await(30, TimeUnit.SECONDS)
              .value()
              .id());
      JsonObject verify = second.clients().ledger().verify().await(30, TimeUnit.SECONDS).toJson();
      assertTrue(verify.getBoolean("ok"), verify.encode());
      System.out.println("Embedded Kopek on PostgreSQL " + second.postgresVersion() + " twice");
    } finally {
      second.stop();
    }
  }

  private static Kopek start(Map<String, String> environment) throws Exception {
    return Kopek.builder()
        .config(KopekConfig.load(null, environment))
        .extension(new ShopMain.Shop())
        .start();
  }
}
