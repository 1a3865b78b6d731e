package dev.kopek.ledger;

import static dev.kopek.ledger.LedgerFixture.await;
import static dev.kopek.ledger.LedgerFixture.credit;
import static dev.kopek.ledger.LedgerFixture.debit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.storage.PostgresEndpoint;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two Kopek processes share one database: each has its own Vert.x, event bus, pool and group
 * committing writer, and nothing but PostgreSQL coordinates them.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@DisplayName("Two ledger processes on one database")
class TwoProcessesTest {

  private static final List<String> USERS = List.of("u0", "u1", "u2", "u3");
  private static final List<String> CURRENCIES = List.of("USD", "JPY");
  private static final int DEBITS_PER_WALLET = 40;

  private Vertx otherProcess;
  private LedgerFixture first;
  private LedgerFixture second;

  @BeforeEach
  void deployTwice(Vertx vertx) {
    PostgresEndpoint database = TestDatabase.create();
    otherProcess = Vertx.vertx();
    first = await(LedgerFixture.deploy(vertx, database));
    second = await(LedgerFixture.deploy(otherProcess, database));
  }

  @AfterEach
  void closeOtherProcess() {
    await(otherProcess.close());
  }

  /** The replies of both processes to the same commands, each process in its own order. */
  private record Outcomes(
      Map<String, Future<JsonObject>> first, Map<String, Future<JsonObject>> second) {}

  private Outcomes postFromBoth(List<PostingRequest> commands, long seed) {
    List<PostingRequest> firstOrder = new ArrayList<>(commands);
    List<PostingRequest> secondOrder = new ArrayList<>(commands);
    Collections.shuffle(firstOrder, new Random(seed));
    Collections.shuffle(secondOrder, new Random(seed + 1));
    Map<String, Future<JsonObject>> fromFirst = new HashMap<>();
    Map<String, Future<JsonObject>> fromSecond = new HashMap<>();
    for (int i = 0; i < commands.size(); i++) {
      fromFirst.put(firstOrder.get(i).idempotencyKey(), first.postAsync(firstOrder.get(i)));
      fromSecond.put(secondOrder.get(i).idempotencyKey(), second.postAsync(secondOrder.get(i)));
    }
    List<Future<JsonObject>> all = new ArrayList<>(fromFirst.values());
    all.addAll(fromSecond.values());
    LedgerFixture.settle(all);
    return new Outcomes(fromFirst, fromSecond);
  }

  private static void assertPostedOnceAndAgreed(
      String key, Future<JsonObject> a, Future<JsonObject> b) {
    assertThat(a.succeeded()).as("%s from the first process: %s", key, a.cause()).isTrue();
    assertThat(b.succeeded()).as("%s from the second process: %s", key, b.cause()).isTrue();
    assertThat(b.result().getLong("id")).as(key).isEqualTo(a.result().getLong("id"));
    assertThat(List.of(a.result().getBoolean("replayed"), b.result().getBoolean("replayed")))
        .as("exactly one process posted %s, the other replayed it", key)
        .containsExactlyInAnyOrder(false, true);
  }

  @Test
  @DisplayName(
      "posting the same keys from both at once posts each key once and keeps every balance right")
  void sameKeysFromBothProcesses() {
    List<PostingRequest> credits = new ArrayList<>();
    for (String user : USERS) {
      for (String currency : CURRENCIES) {
        credits.add(credit("credit-" + user + "-" + currency, user, currency, 10_000));
      }
    }

    Outcomes creditOutcomes = postFromBoth(credits, 7);

    for (PostingRequest credit : credits) {
      String key = credit.idempotencyKey();
      assertPostedOnceAndAgreed(
          key, creditOutcomes.first().get(key), creditOutcomes.second().get(key));
    }

    List<PostingRequest> debits = new ArrayList<>();
    for (String user : USERS) {
      for (String currency : CURRENCIES) {
        for (int i = 0; i < DEBITS_PER_WALLET; i++) {
          debits.add(debit("debit-" + user + "-" + currency + "-" + i, user, currency, 300));
        }
      }
    }

    Outcomes debitOutcomes = postFromBoth(debits, 11);

    // 10 000 covers 33 debits of 300. Balances only fall while debiting, so a key refused by one
    // process cannot be posted later by the other: both processes agree on every key.
    Map<String, Long> stored = entryIdsByKey();
    Map<String, Integer> postedPerWallet = new HashMap<>();
    for (PostingRequest debit : debits) {
      String key = debit.idempotencyKey();
      Future<JsonObject> a = debitOutcomes.first().get(key);
      Future<JsonObject> b = debitOutcomes.second().get(key);
      if (a.succeeded() || b.succeeded()) {
        assertPostedOnceAndAgreed(key, a, b);
        assertThat(stored.get(key)).as(key).isEqualTo(a.result().getLong("id"));
        postedPerWallet.merge(debit.userId() + "-" + debit.currency(), 1, Integer::sum);
      } else {
        assertThat(List.of(Failure.from(a.cause()).code(), Failure.from(b.cause()).code()))
            .as(key)
            .containsOnly(ErrorCode.INSUFFICIENT_FUNDS);
        assertThat(stored).as(key).doesNotContainKey(key);
      }
    }
    assertThat(postedPerWallet)
        .hasSize(USERS.size() * CURRENCIES.size())
        .allSatisfy((wallet, posted) -> assertThat(posted).as(wallet).isEqualTo(33));

    for (String user : USERS) {
      for (String currency : CURRENCIES) {
        assertThat(first.balance(user, currency)).as("%s %s", user, currency).isEqualTo(100);
        assertThat(second.balance(user, currency)).as("%s %s", user, currency).isEqualTo(100);
      }
    }
    long entries = USERS.size() * CURRENCIES.size() * (1 + 33);
    assertThat(first.queryLong("SELECT COUNT(*) FROM ledger_entries")).isEqualTo(entries);
    assertThat(first.queryLong("SELECT COUNT(*) FROM ledger_accounts"))
        .isEqualTo(USERS.size() * CURRENCIES.size() + 2 * CURRENCIES.size());
    assertThat(
            first.queryLong(
                "SELECT balance_minor FROM ledger_accounts"
                    + " WHERE name = 'revenue' AND currency = 'USD'"))
        .isEqualTo(USERS.size() * 33 * 300);
    first.assertConsistent(entries);
    second.assertConsistent(entries);
  }

  private Map<String, Long> entryIdsByKey() {
    Map<String, Long> ids = new HashMap<>();
    first
        .rows("SELECT idempotency_key, id FROM ledger_entries")
        .forEach(row -> ids.put((String) row.get("idempotency_key"), (Long) row.get("id")));
    return ids;
  }
}
