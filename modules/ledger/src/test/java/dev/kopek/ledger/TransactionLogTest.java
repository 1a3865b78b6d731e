package dev.kopek.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.EntryKind;
import dev.kopek.model.ledger.EntryPage;
import dev.kopek.model.ledger.EntryQuery;
import dev.kopek.model.ledger.LedgerAddresses;
import dev.kopek.model.ledger.PostingRequest;
import dev.kopek.model.ledger.Wallet;
import dev.kopek.testkit.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@DisplayName("The transaction log and wallets")
class TransactionLogTest {

  private static final Instant T0 = Instant.parse("2026-01-05T08:00:00Z");

  /** Alice's entries, oldest first, by reference (each posting's reference is its key). */
  private static final List<String> ALICE =
      List.of("e0", "e1", "e2", "e3", "e4", "e5", "e7", "e8", "e9", "e10", "e11");

  private LedgerFixture ledger;
  private final Map<String, Long> ids = new HashMap<>();

  private static Instant hour(int n) {
    return T0.plus(Duration.ofHours(n));
  }

  /**
   * One posting an hour from T0: alice in USD, JPY and KWD with every kind, and bob once, at hour
   * 6, in between.
   */
  @BeforeEach
  void deployWithHistory(Vertx vertx) {
    ManualClock clock = new ManualClock(T0);
    ledger = LedgerFixture.await(LedgerFixture.deploy(vertx, TestDatabase.create(), clock));
    Object[][] postings = {
      {"e0", "alice", "USD", 10_000L, EntryKind.TOPUP, "gateway:sandbox"},
      {"e1", "alice", "USD", -1_000L, EntryKind.CHARGE, "revenue"},
      {"e2", "alice", "JPY", 5_000L, EntryKind.TOPUP, "gateway:sandbox"},
      {"e3", "alice", "JPY", -700L, EntryKind.BILLING, "revenue"},
      {"e4", "alice", "KWD", 12_345L, EntryKind.ADJUSTMENT, "adjustments"},
      {"e5", "alice", "USD", -250L, EntryKind.CHARGE, "revenue"},
      {"b6", "bob", "USD", 999L, EntryKind.TOPUP, "gateway:sandbox"},
      {"e7", "alice", "USD", -500L, EntryKind.REFUND, "gateway:sandbox"},
      {"e8", "alice", "JPY", -300L, EntryKind.CHARGE, "revenue"},
      {"e9", "alice", "USD", 1L, EntryKind.ADJUSTMENT, "adjustments"},
      {"e10", "alice", "USD", -2L, EntryKind.CHARGE, "revenue"},
      {"e11", "alice", "JPY", 10L, EntryKind.TOPUP, "gateway:sandbox"}
    };
    for (int i = 0; i < postings.length; i++) {
      Object[] p = postings[i];
      clock.set(hour(i));
      String key = (String) p[0];
      JsonObject entry =
          ledger.post(
              new PostingRequest(
                  key,
                  (String) p[1],
                  (String) p[2],
                  (Long) p[3],
                  (EntryKind) p[4],
                  "Entry " + key,
                  key,
                  (String) p[5]));
      ids.put(key, entry.getLong("id"));
    }
  }

  private EntryPage page(EntryQuery query) {
    return EntryPage.fromJson(ledger.call(LedgerAddresses.ENTRIES_LIST, query.toJson()));
  }

  private static EntryQuery alice(int limit) {
    return new EntryQuery("alice", null, null, null, null, limit, null);
  }

  private static List<String> references(List<Entry> entries) {
    return entries.stream().map(Entry::reference).toList();
  }

  private static List<String> newestFirst(List<String> references) {
    List<String> reversed = new ArrayList<>(references);
    Collections.reverse(reversed);
    return reversed;
  }

  /** Follows the cursor from the first page to the last, checking has_more on the way. */
  private List<Entry> allPages(EntryQuery first, int expectedPages) {
    List<Entry> all = new ArrayList<>();
    EntryQuery query = first;
    for (int n = 1; ; n++) {
      EntryPage page = page(query);
      assertThat(page.data()).as("page %d", n).isNotEmpty().hasSizeLessThanOrEqualTo(first.limit());
      all.addAll(page.data());
      if (!page.hasMore()) {
        assertThat(n).as("pages of %d", first.limit()).isEqualTo(expectedPages);
        return all;
      }
      assertThat(page.data()).as("a page with more after it is full").hasSize(first.limit());
      query = query.after(page.data().get(page.data().size() - 1).id());
    }
  }

  @Test
  @DisplayName(
      "lists a user's entries newest first, each with its fields, time and running balance")
  void newestFirst() {
    EntryPage page = page(alice(100));

    assertThat(page.hasMore()).isFalse();
    assertThat(references(page.data())).containsExactlyElementsOf(newestFirst(ALICE));
    assertThat(page.data()).extracting(Entry::id).isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(page.data())
        .extracting(Entry::balanceAfterMinor)
        .containsExactly(
            4010L, 8249L, 8251L, 4000L, 8250L, 8750L, 12_345L, 4300L, 5000L, 9000L, 10_000L);
    assertThat(page.data().get(7))
        .isEqualTo(
            new Entry(
                ids.get("e3"),
                "alice",
                "JPY",
                -700,
                4300,
                EntryKind.BILLING,
                "Entry e3",
                "e3",
                "revenue:JPY",
                hour(3)));
    assertThat(page.data().get(4))
        .isEqualTo(
            new Entry(
                ids.get("e7"),
                "alice",
                "USD",
                -500,
                8250,
                EntryKind.REFUND,
                "Entry e7",
                "e7",
                "gateway:sandbox:USD",
                hour(7)));
  }

  @Test
  @DisplayName(
      "pages of every size from 1 to 12 cover every entry exactly once, has_more false only on the last")
  void cursorPaging() {
    for (int limit = 1; limit <= 12; limit++) {
      List<Entry> all = allPages(alice(limit), (ALICE.size() + limit - 1) / limit);

      assertThat(references(all))
          .as("pages of %d", limit)
          .containsExactlyElementsOf(newestFirst(ALICE));
    }
    EntryPage afterOldest = page(alice(5).after(ids.get("e0")));
    assertThat(afterOldest.data()).isEmpty();
    assertThat(afterOldest.hasMore()).isFalse();
  }

  @Test
  @DisplayName("filters by currency, by kind and by a time window (from inclusive, to exclusive)")
  void filters() {
    assertThat(references(page(new EntryQuery("alice", "JPY", null, null, null, 100, null)).data()))
        .containsExactly("e11", "e8", "e3", "e2");
    assertThat(
            references(
                page(new EntryQuery("alice", null, EntryKind.CHARGE, null, null, 100, null))
                    .data()))
        .containsExactly("e10", "e8", "e5", "e1");
    assertThat(
            references(
                page(new EntryQuery("alice", null, null, hour(3), hour(8), 100, null)).data()))
        .containsExactly("e7", "e5", "e4", "e3");
    assertThat(
            references(
                page(new EntryQuery("alice", "KWD", EntryKind.TOPUP, null, null, 100, null))
                    .data()))
        .isEmpty();

    List<Entry> usdCharges =
        allPages(new EntryQuery("alice", "USD", EntryKind.CHARGE, null, null, 1, null), 3);
    assertThat(references(usdCharges)).containsExactly("e10", "e5", "e1");
    assertThat(references(allPages(new EntryQuery("alice", null, null, hour(9), null, 2, null), 2)))
        .containsExactly("e11", "e10", "e9");
  }

  @Test
  @DisplayName("without a user lists every wallet's entries, for administrators")
  void everyUser() {
    List<String> everyone = new ArrayList<>(ALICE);
    everyone.add(6, "b6");

    assertThat(references(page(new EntryQuery(null, null, null, null, null, 100, null)).data()))
        .containsExactlyElementsOf(newestFirst(everyone));
    assertThat(references(page(new EntryQuery("bob", null, null, null, null, 100, null)).data()))
        .containsExactly("b6");
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "limit          | 0",
        "limit          | ten",
        "currency       | usd",
        "kind           | gift",
        "from           | yesterday",
        "starting_after | e5"
      })
  @DisplayName("refuses a malformed query, naming the field")
  void malformedQuery(String field, String value) {
    JsonObject query =
        alice(10)
            .toJson()
            .put(field, field.equals("limit") && value.equals("0") ? (Object) 0 : value);

    Failure failure = ledger.callRefused(LedgerAddresses.ENTRIES_LIST, query);

    assertThat(failure.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(failure.extras().getString("field")).isEqualTo(field);
  }

  @Test
  @DisplayName("refuses a time window that ends before it starts")
  void emptyWindow() {
    JsonObject query =
        alice(10).toJson().put("from", hour(5).toString()).put("to", hour(5).toString());

    Failure failure = ledger.callRefused(LedgerAddresses.ENTRIES_LIST, query);

    assertThat(failure.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(failure.extras().getString("field")).isEqualTo("from");
  }

  @Test
  @DisplayName("lists a user's wallets by currency and reads an unused currency as zero")
  void wallets() {
    List<Wallet> alice =
        ledger
            .call(LedgerAddresses.WALLETS_LIST, new JsonObject().put("user_id", "alice"))
            .getJsonArray("data")
            .stream()
            .map(JsonObject.class::cast)
            .map(Wallet::fromJson)
            .toList();

    assertThat(alice)
        .containsExactly(
            new Wallet("alice", "JPY", 4010),
            new Wallet("alice", "KWD", 12_345),
            new Wallet("alice", "USD", 8249));
    assertThat(
            Wallet.fromJson(
                ledger.call(
                    LedgerAddresses.WALLET_GET,
                    new JsonObject().put("user_id", "alice").put("currency", "EUR"))))
        .isEqualTo(new Wallet("alice", "EUR", 0));
    assertThat(
            Wallet.fromJson(
                ledger.call(
                    LedgerAddresses.WALLET_GET,
                    new JsonObject().put("user_id", "bob").put("currency", "USD"))))
        .isEqualTo(new Wallet("bob", "USD", 999));
    assertThat(
            ledger
                .call(LedgerAddresses.WALLETS_LIST, new JsonObject().put("user_id", "nobody"))
                .getJsonArray("data"))
        .isEmpty();
  }

  @Test
  @DisplayName("refuses a wallet request without a user or with a currency that is not accepted")
  void malformedWalletRequests() {
    Failure noUser = ledger.callRefused(LedgerAddresses.WALLETS_LIST, new JsonObject());
    Failure metal =
        ledger.callRefused(
            LedgerAddresses.WALLET_GET,
            new JsonObject().put("user_id", "alice").put("currency", "XAU"));

    assertThat(noUser.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(noUser.extras().getString("field")).isEqualTo("user_id");
    assertThat(metal.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(metal.extras().getString("field")).isEqualTo("currency");
  }
}
