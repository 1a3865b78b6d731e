package dev.kopek.ledger;

import static dev.kopek.ledger.LedgerFixture.credit;
import static dev.kopek.ledger.LedgerFixture.debit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopek.ledger.BatchPlan.Answered;
import dev.kopek.ledger.BatchPlan.Decision;
import dev.kopek.ledger.BatchPlan.NewEntry;
import dev.kopek.ledger.BatchPlan.Posts;
import dev.kopek.ledger.BatchPlanner.Command;
import dev.kopek.ledger.BatchPlanner.StoredEntry;
import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.PostingRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The writer's batch planning, without a database: each case gives the planner a batch, the
 * accounts as locked and the entries found under the batch's keys, and reads its decisions.
 */
@DisplayName("BatchPlanner")
class BatchPlannerTest {

  static final Instant NOW = Instant.parse("2026-12-01T10:00:00.123456Z");

  /** A chain head that is not the genesis, for wallets that already have entries. */
  static final byte[] HEAD = filled(7);

  static final long ALICE_ID = 1;
  static final long BOB_ID = 2;
  static final long REVENUE_ID = 10;
  static final long GATEWAY_ID = 11;

  // ---- the batch's world ---------------------------------------------------------------------

  static byte[] filled(int value) {
    byte[] bytes = new byte[32];
    Arrays.fill(bytes, (byte) value);
    return bytes;
  }

  static Account wallet(long id, String user, long balanceMinor, long entryCount) {
    return new Account(
        id,
        Account.Key.wallet(user, "USD"),
        balanceMinor,
        entryCount,
        entryCount == 0 ? HashChain.GENESIS : HEAD);
  }

  static Account system(long id, String name, long balanceMinor) {
    return new Account(id, Account.Key.system(name, "USD"), balanceMinor, 0, HashChain.GENESIS);
  }

  /** Alice with 1000 after 4 entries, and the system accounts her money came from and goes to. */
  static Map<Account.Key, Account> aliceWith(long balanceMinor) {
    return locked(
        wallet(ALICE_ID, "alice", balanceMinor, 4),
        system(REVENUE_ID, "revenue", 0),
        system(GATEWAY_ID, "gateway:sandbox", -balanceMinor));
  }

  static Map<Account.Key, Account> locked(Account... accounts) {
    return Arrays.stream(accounts).collect(Collectors.toMap(Account::key, Function.identity()));
  }

  static List<Command> alone(PostingRequest... requests) {
    return Arrays.stream(requests).map(r -> new Command(r, Command.ALONE)).toList();
  }

  static List<Command> group(int group, PostingRequest... requests) {
    return Arrays.stream(requests).map(r -> new Command(r, group)).toList();
  }

  @SafeVarargs
  static List<Command> batch(List<Command>... parts) {
    List<Command> batch = new ArrayList<>();
    for (List<Command> part : parts) {
      batch.addAll(part);
    }
    return batch;
  }

  static byte[] requestHash(PostingRequest r) {
    return HashChain.requestHash(
        r.userId(),
        r.currency(),
        r.amountMinor(),
        r.kind().wireName(),
        r.reason(),
        r.reference(),
        r.counterAccount());
  }

  /** The entry an earlier transaction stored for {@code request}. */
  static StoredEntry stored(PostingRequest request, long id) {
    Entry entry =
        new Entry(
            id,
            request.userId(),
            request.currency(),
            request.amountMinor(),
            1000,
            request.kind(),
            request.reason(),
            request.reference(),
            request.counterAccount() + ":" + request.currency(),
            NOW.minusSeconds(60));
    return new StoredEntry(entry, requestHash(request));
  }

  static BatchPlan plan(List<Command> commands, Map<Account.Key, Account> locked) {
    return BatchPlanner.plan(commands, locked, Map.of(), NOW);
  }

  // ---- reading decisions ---------------------------------------------------------------------

  static NewEntry posted(Decision decision) {
    assertThat(decision).isInstanceOf(Posts.class);
    assertThat(((Posts) decision).replayed()).as("replayed").isFalse();
    return ((Posts) decision).entry();
  }

  static Failure refused(Decision decision) {
    assertThat(decision).isInstanceOf(Answered.class);
    Outcome outcome = ((Answered) decision).outcome();
    assertThat(outcome).isInstanceOf(Outcome.Rejected.class);
    return ((Outcome.Rejected) outcome).failure();
  }

  static Map<Account.Key, Account> byKey(List<Account> accounts) {
    Map<Account.Key, Account> byKey = new HashMap<>();
    accounts.forEach(a -> assertThat(byKey.put(a.key(), a)).as("%s once", a.key()).isNull());
    return byKey;
  }

  static Account moved(BatchPlan plan, Account.Key key) {
    return byKey(plan.accounts()).get(key);
  }

  static final Account.Key ALICE = Account.Key.wallet("alice", "USD");
  static final Account.Key BOB = Account.Key.wallet("bob", "USD");
  static final Account.Key REVENUE = Account.Key.system("revenue", "USD");
  static final Account.Key GATEWAY = Account.Key.system("gateway:sandbox", "USD");

  // ---- posting -------------------------------------------------------------------------------

  @Test
  @DisplayName(
      "a debit that fits posts one entry chained to the wallet's head and moves both accounts")
  void debitPosts() {
    PostingRequest charge = debit("c-1", "alice", "USD", 300);

    BatchPlan plan = plan(alone(charge), aliceWith(1000));

    NewEntry entry = posted(plan.decisions().get(0));
    assertThat(entry.request()).isEqualTo(charge);
    assertThat(entry.walletId()).isEqualTo(ALICE_ID);
    assertThat(entry.counterAccountId()).isEqualTo(REVENUE_ID);
    assertThat(entry.counterAccount()).isEqualTo("revenue:USD");
    assertThat(entry.balanceAfterMinor()).isEqualTo(700);
    assertThat(entry.seq()).isEqualTo(5);
    assertThat(entry.prevHash()).isEqualTo(HEAD);
    assertThat(entry.hash())
        .isEqualTo(
            HashChain.entryHash(
                HEAD,
                5,
                "alice",
                "USD",
                "revenue:USD",
                -300,
                700,
                "charge",
                "Charge",
                null,
                "c-1",
                NOW));
    assertThat(entry.requestHash()).isEqualTo(requestHash(charge));
    assertThat(entry.createdAt()).isEqualTo(NOW);
    assertThat(plan.entries()).containsExactly(entry);
    assertThat(plan.accounts()).extracting(Account::key).containsExactly(ALICE, REVENUE);
    Account alice = moved(plan, ALICE);
    assertThat(alice.balanceMinor()).isEqualTo(700);
    assertThat(alice.entryCount()).isEqualTo(5);
    assertThat(alice.lastHash()).isEqualTo(entry.hash());
    assertThat(moved(plan, REVENUE).balanceMinor()).isEqualTo(300);
    assertThat(moved(plan, REVENUE).entryCount()).isZero();
  }

  @Test
  @DisplayName("a wallet's first entry follows the genesis hash")
  void firstEntry() {
    BatchPlan plan =
        plan(
            alone(credit("t-1", "bob", "USD", 50)),
            locked(wallet(BOB_ID, "bob", 0, 0), system(GATEWAY_ID, "gateway:sandbox", 0)));

    NewEntry entry = posted(plan.decisions().get(0));
    assertThat(entry.seq()).isEqualTo(1);
    assertThat(entry.prevHash()).isEqualTo(HashChain.GENESIS);
    assertThat(moved(plan, GATEWAY).balanceMinor()).isEqualTo(-50);
  }

  @Test
  @DisplayName("the planner leaves the locked accounts it was given as they were")
  void inputUntouched() {
    Map<Account.Key, Account> locked = aliceWith(1000);
    Map<Account.Key, Account> copy = new HashMap<>(locked);

    plan(alone(debit("c-1", "alice", "USD", 300)), locked);

    assertThat(locked).isEqualTo(copy);
  }

  // ---- replays and conflicts -----------------------------------------------------------------

  @Test
  @DisplayName(
      "a key stored before with the same command replays the stored entry and writes nothing")
  void replayStored() {
    PostingRequest charge = debit("c-1", "alice", "USD", 300);
    StoredEntry earlier = stored(charge, 42);

    BatchPlan plan = BatchPlanner.plan(alone(charge), aliceWith(1000), Map.of("c-1", earlier), NOW);

    assertThat(plan.decisions())
        .singleElement()
        .isEqualTo(new Answered(new Outcome.Posted(earlier.entry(), true)));
    assertThat(plan.entries()).isEmpty();
    assertThat(plan.accounts()).isEmpty();
  }

  @Test
  @DisplayName("a key stored before with another command is a conflict and writes nothing")
  void conflictWithStored() {
    StoredEntry earlier = stored(debit("c-1", "alice", "USD", 300), 42);

    BatchPlan plan =
        BatchPlanner.plan(
            alone(debit("c-1", "alice", "USD", 301)), aliceWith(1000), Map.of("c-1", earlier), NOW);

    assertThat(refused(plan.decisions().get(0)).code()).isEqualTo(ErrorCode.IDEMPOTENCY_CONFLICT);
    assertThat(plan.entries()).isEmpty();
    assertThat(plan.accounts()).isEmpty();
  }

  @Test
  @DisplayName(
      "a key repeated in the batch with the same command replays the batch's own entry, "
          + "with the same id; with another command it is a conflict")
  void repeatInBatch() {
    PostingRequest charge = debit("c-1", "alice", "USD", 300);

    BatchPlan plan = plan(alone(charge, charge, debit("c-1", "alice", "USD", 1)), aliceWith(1000));

    NewEntry entry = posted(plan.decisions().get(0));
    assertThat(plan.decisions().get(1)).isEqualTo(new Posts(entry, true));
    assertThat(refused(plan.decisions().get(2)).code()).isEqualTo(ErrorCode.IDEMPOTENCY_CONFLICT);
    assertThat(plan.entries()).containsExactly(entry);
    assertThat(moved(plan, ALICE).balanceMinor()).isEqualTo(700);
    List<Outcome> outcomes = plan.outcomes(Map.of("c-1", 99L));
    assertThat(outcomes.get(0)).isEqualTo(new Outcome.Posted(entry.withId(99), false));
    assertThat(outcomes.get(1)).isEqualTo(new Outcome.Posted(entry.withId(99), true));
  }

  // ---- the balance guard ---------------------------------------------------------------------

  @Test
  @DisplayName(
      "the guard lets a debit of exactly the balance through and refuses one minor unit "
          + "more, naming the balance")
  void guard() {
    BatchPlan exact = plan(alone(debit("c-1", "alice", "USD", 1000)), aliceWith(1000));
    BatchPlan over = plan(alone(debit("c-1", "alice", "USD", 1001)), aliceWith(1000));

    assertThat(posted(exact.decisions().get(0)).balanceAfterMinor()).isZero();
    Failure failure = refused(over.decisions().get(0));
    assertThat(failure.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(failure.extras().getLong("balance_minor")).isEqualTo(1000);
    assertThat(failure.extras().getString("currency")).isEqualTo("USD");
    assertThat(failure.detail()).contains("1000", "1001");
    assertThat(over.entries()).isEmpty();
    assertThat(over.accounts()).isEmpty();
  }

  @Test
  @DisplayName(
      "a debit of a wallet without a row (never credited) is refused against a zero balance")
  void unopenedWallet() {
    BatchPlan plan =
        plan(alone(debit("c-1", "carol", "USD", 1)), locked(system(REVENUE_ID, "revenue", 0)));

    Failure failure = refused(plan.decisions().get(0));
    assertThat(failure.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(failure.extras().getLong("balance_minor")).isZero();
    assertThat(plan.accounts()).isEmpty();
  }

  @Test
  @DisplayName(
      "several commands on one wallet apply in arrival order, each against the balance the "
          + "previous left, and the chain runs on from entry to entry")
  void oneWalletManyCommands() {
    List<Command> commands =
        alone(
            debit("c-1", "alice", "USD", 600),
            debit("c-2", "alice", "USD", 600),
            credit("t-1", "alice", "USD", 500),
            debit("c-2", "alice", "USD", 600),
            debit("c-3", "alice", "USD", 300));

    BatchPlan plan = plan(commands, aliceWith(1000));

    assertThat(posted(plan.decisions().get(0)).balanceAfterMinor()).isEqualTo(400);
    assertThat(refused(plan.decisions().get(1)).extras().getLong("balance_minor")).isEqualTo(400);
    assertThat(posted(plan.decisions().get(2)).balanceAfterMinor()).isEqualTo(900);
    // The refused key is not remembered: after the credit it posts.
    assertThat(posted(plan.decisions().get(3)).balanceAfterMinor()).isEqualTo(300);
    assertThat(posted(plan.decisions().get(4)).balanceAfterMinor()).isZero();
    List<NewEntry> entries = plan.entries();
    assertThat(entries).extracting(NewEntry::seq).containsExactly(5L, 6L, 7L, 8L);
    assertThat(entries.get(0).prevHash()).isEqualTo(HEAD);
    for (int i = 1; i < entries.size(); i++) {
      NewEntry entry = entries.get(i);
      assertThat(entry.prevHash()).as("entry %d", i).isEqualTo(entries.get(i - 1).hash());
      PostingRequest r = entry.request();
      assertThat(entry.hash())
          .as("entry %d", i)
          .isEqualTo(
              HashChain.entryHash(
                  entry.prevHash(),
                  entry.seq(),
                  r.userId(),
                  r.currency(),
                  entry.counterAccount(),
                  r.amountMinor(),
                  entry.balanceAfterMinor(),
                  r.kind().wireName(),
                  r.reason(),
                  r.reference(),
                  r.idempotencyKey(),
                  NOW));
    }
    Account alice = moved(plan, ALICE);
    assertThat(alice.balanceMinor()).isZero();
    assertThat(alice.entryCount()).isEqualTo(8);
    assertThat(alice.lastHash()).isEqualTo(entries.get(3).hash());
    assertThat(plan.accounts()).extracting(Account::key).containsExactly(ALICE, REVENUE, GATEWAY);
  }

  @Test
  @DisplayName("a system account many wallets pay into is moved once, by the sum of their entries")
  void systemAccountsSummed() {
    Map<Account.Key, Account> locked =
        locked(
            wallet(ALICE_ID, "alice", 1000, 4),
            wallet(BOB_ID, "bob", 500, 1),
            system(REVENUE_ID, "revenue", 70));

    BatchPlan plan =
        plan(
            alone(
                debit("c-1", "alice", "USD", 100),
                debit("c-2", "bob", "USD", 200),
                debit("c-3", "alice", "USD", 300),
                debit("c-4", "bob", "USD", 999)),
            locked);

    assertThat(plan.entries()).extracting(NewEntry::counterAccountId).containsOnly(REVENUE_ID);
    assertThat(plan.accounts()).extracting(Account::key).containsExactly(ALICE, REVENUE, BOB);
    assertThat(moved(plan, REVENUE).balanceMinor()).isEqualTo(70 + 100 + 200 + 300);
    assertThat(moved(plan, ALICE).balanceMinor()).isEqualTo(600);
    assertThat(moved(plan, BOB).balanceMinor()).isEqualTo(300);
    assertThat(moved(plan, BOB).entryCount()).isEqualTo(2);
  }

  @Test
  @DisplayName(
      "a balance that would leave the range of 64 bits is refused as an invalid amount, "
          + "on the wallet's side and on the counter account's")
  void overflow() {
    BatchPlan walletSide =
        plan(
            alone(credit("t-1", "alice", "USD", 10)),
            locked(
                wallet(ALICE_ID, "alice", Long.MAX_VALUE - 5, 4),
                system(GATEWAY_ID, "gateway:sandbox", 0)));
    BatchPlan counterSide =
        plan(
            alone(credit("t-1", "alice", "USD", 10)),
            locked(
                wallet(ALICE_ID, "alice", 0, 4),
                system(GATEWAY_ID, "gateway:sandbox", Long.MIN_VALUE + 5)));

    for (BatchPlan plan : List.of(walletSide, counterSide)) {
      Failure failure = refused(plan.decisions().get(0));
      assertThat(failure.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
      assertThat(failure.extras().getString("field")).isEqualTo("amount_minor");
      assertThat(plan.entries()).isEmpty();
      assertThat(plan.accounts()).isEmpty();
    }
  }

  // ---- atomic groups -------------------------------------------------------------------------

  @Test
  @DisplayName(
      "a group one of whose commands is refused is refused whole, and the commands after "
          + "it meet the accounts as they were before it")
  void groupUndone() {
    List<Command> commands =
        batch(
            group(1, debit("a-1", "alice", "USD", 300), debit("a-2", "alice", "USD", 800)),
            alone(debit("single", "alice", "USD", 600)));

    BatchPlan plan = plan(commands, aliceWith(1000));

    Failure first = refused(plan.decisions().get(0));
    assertThat(first.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(refused(plan.decisions().get(1))).isEqualTo(first);
    NewEntry single = posted(plan.decisions().get(2));
    assertThat(single.balanceAfterMinor()).isEqualTo(400);
    assertThat(single.seq()).isEqualTo(5);
    assertThat(single.prevHash()).isEqualTo(HEAD);
    assertThat(plan.entries()).containsExactly(single);
    assertThat(moved(plan, REVENUE).balanceMinor()).isEqualTo(600);
  }

  @Test
  @DisplayName("an undone group forgets its keys: a later command with one of them posts anew")
  void undoneGroupForgetsKeys() {
    PostingRequest topup = credit("g-topup", "alice", "USD", 100);
    List<Command> commands =
        batch(group(1, topup, debit("g-charge", "alice", "USD", 5000)), alone(topup));

    BatchPlan plan = plan(commands, aliceWith(1000));

    refused(plan.decisions().get(0));
    refused(plan.decisions().get(1));
    NewEntry entry = posted(plan.decisions().get(2));
    assertThat(entry.balanceAfterMinor()).isEqualTo(1100);
    assertThat(entry.seq()).isEqualTo(5);
  }

  @Test
  @DisplayName("a group is refused by a conflicting key as by the guard, with the conflict")
  void groupRefusedByConflict() {
    StoredEntry earlier = stored(debit("g-1", "alice", "USD", 300), 42);

    BatchPlan plan =
        BatchPlanner.plan(
            group(7, debit("g-0", "alice", "USD", 10), debit("g-1", "alice", "USD", 1)),
            aliceWith(1000),
            Map.of("g-1", earlier),
            NOW);

    assertThat(plan.decisions())
        .allSatisfy(
            decision ->
                assertThat(refused(decision).code()).isEqualTo(ErrorCode.IDEMPOTENCY_CONFLICT));
    assertThat(plan.entries()).isEmpty();
    assertThat(plan.accounts()).isEmpty();
  }

  @Test
  @DisplayName(
      "a group retried after it was posted in part replays what was stored and posts the rest")
  void groupRetried() {
    PostingRequest first = debit("g-1", "alice", "USD", 300);
    StoredEntry earlier = stored(first, 42);

    BatchPlan plan =
        BatchPlanner.plan(
            group(3, first, debit("g-2", "alice", "USD", 200)),
            aliceWith(1000),
            Map.of("g-1", earlier),
            NOW);

    assertThat(plan.decisions().get(0))
        .isEqualTo(new Answered(new Outcome.Posted(earlier.entry(), true)));
    assertThat(posted(plan.decisions().get(1)).balanceAfterMinor()).isEqualTo(800);
  }

  @Test
  @DisplayName("groups side by side stand or fall each on its own")
  void groupsApart() {
    Map<Account.Key, Account> locked =
        locked(
            wallet(ALICE_ID, "alice", 1000, 4),
            wallet(BOB_ID, "bob", 100, 1),
            system(REVENUE_ID, "revenue", 0));
    List<Command> commands =
        batch(
            group(1, debit("a-1", "alice", "USD", 300), debit("a-2", "alice", "USD", 200)),
            group(2, debit("b-1", "bob", "USD", 60), debit("b-2", "bob", "USD", 60)),
            group(3, debit("a-3", "alice", "USD", 500)));

    BatchPlan plan = plan(commands, locked);

    assertThat(posted(plan.decisions().get(1)).balanceAfterMinor()).isEqualTo(500);
    refused(plan.decisions().get(2));
    refused(plan.decisions().get(3));
    assertThat(posted(plan.decisions().get(4)).balanceAfterMinor()).isZero();
    assertThat(moved(plan, BOB)).isNull();
    assertThat(moved(plan, REVENUE).balanceMinor()).isEqualTo(1000);
  }

  // ---- what the writer locks and opens -------------------------------------------------------

  @Test
  @DisplayName("opens system accounts and credited wallets, never a wallet that is only debited")
  void accountKeys() {
    BatchPlanner.AccountKeys keys =
        BatchPlanner.accountKeys(
            alone(
                debit("c-1", "alice", "USD", 1),
                credit("t-1", "bob", "USD", 1),
                debit("c-2", "bob", "USD", 1)));

    assertThat(keys.all()).containsExactly(ALICE, REVENUE, BOB, GATEWAY);
    assertThat(keys.openable()).containsExactlyInAnyOrder(REVENUE, BOB, GATEWAY);
  }

  @Test
  @DisplayName("cuts a batch into single commands and whole groups")
  void units() {
    List<Command> commands =
        batch(
            alone(debit("x", "a", "USD", 1), debit("y", "a", "USD", 1)),
            group(4, debit("g1", "a", "USD", 1), debit("g2", "a", "USD", 1)),
            group(5, debit("h1", "a", "USD", 1)),
            alone(debit("z", "a", "USD", 1)));

    assertThat(BatchPlanner.units(commands)).extracting(List::size).containsExactly(1, 1, 2, 1, 1);
  }

  // ---- broken assumptions fail loudly --------------------------------------------------------

  @Test
  @DisplayName("a group split in its batch is a bug, not a plan")
  void splitGroup() {
    List<Command> commands =
        batch(
            group(4, debit("g1", "alice", "USD", 1)),
            alone(debit("x", "alice", "USD", 1)),
            group(4, debit("g2", "alice", "USD", 1)));

    assertThatThrownBy(() -> plan(commands, aliceWith(1000)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("group 4");
  }

  @Test
  @DisplayName("a command that would write to an account the writer did not open is a bug")
  void unopenedAccountWritten() {
    // A credit's wallet is always opened before planning; here it was not.
    assertThatThrownBy(
            () ->
                plan(
                    alone(credit("t-1", "carol", "USD", 5)),
                    locked(system(GATEWAY_ID, "gateway:sandbox", 0))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("t-1");
  }

  @Test
  @DisplayName("outcomes need exactly one id per new entry")
  void idsPerEntry() {
    BatchPlan plan =
        plan(
            alone(debit("c-1", "alice", "USD", 1), debit("c-2", "alice", "USD", 1)),
            aliceWith(1000));

    assertThat(plan.outcomes(Map.of("c-1", 1L, "c-2", 2L))).hasSize(2);
    assertThatThrownBy(() -> plan.outcomes(Map.of("c-1", 1L)))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> plan.outcomes(Map.of("c-1", 1L, "c-9", 2L)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("c-2");
  }

  @Test
  @DisplayName("every command of a mixed batch gets exactly one decision, in order")
  void oneDecisionPerCommand() {
    List<Command> commands =
        batch(
            alone(debit("c-1", "alice", "USD", 1)),
            group(2, debit("g-1", "alice", "USD", 5000), debit("g-2", "alice", "USD", 1)),
            alone(debit("c-1", "alice", "USD", 1), credit("t-1", "bob", "USD", 9)));

    BatchPlan plan =
        BatchPlanner.plan(
            commands,
            locked(
                wallet(ALICE_ID, "alice", 1000, 4),
                wallet(BOB_ID, "bob", 0, 0),
                system(REVENUE_ID, "revenue", 0),
                system(GATEWAY_ID, "gateway:sandbox", -1000)),
            Map.of(),
            NOW);

    assertThat(plan.decisions()).hasSize(commands.size());
    assertThat(plan.outcomes(Map.of("c-1", 1L, "t-1", 2L)))
        .hasSize(commands.size())
        .extracting(o -> o instanceof Outcome.Posted p ? p.entry().id() : -1L)
        .containsExactly(1L, -1L, -1L, 1L, 2L);
  }
}
