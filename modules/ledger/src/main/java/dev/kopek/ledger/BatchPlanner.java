package dev.kopek.ledger;

import static dev.kopek.ledger.Invariants.check;

import dev.kopek.ledger.BatchPlan.Answered;
import dev.kopek.ledger.BatchPlan.Decision;
import dev.kopek.ledger.BatchPlan.NewEntry;
import dev.kopek.ledger.BatchPlan.Posts;
import dev.kopek.model.ledger.Entry;
import dev.kopek.model.ledger.PostingRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans one batch of the writer, in memory, without I/O: given the batch's commands, the accounts
 * it locked and the entries already stored under its idempotency keys, it applies the commands in
 * arrival order under the balance guard and decides, for each, a replay, a refusal or a new entry
 * (chained to the wallet's previous one), and which accounts end up where.
 *
 * <ul>
 *   <li>A key stored before replays its entry when the command is the same, and is a conflict when
 *       it is not; a key posted earlier in the same batch likewise.
 *   <li>A refusal (insufficient funds, a conflict, an overflow) is not remembered: a later command
 *       with the same key is judged again against the balance it meets.
 *   <li>The commands of an atomic group stand or fall together: when one is refused, the group's
 *       effects on the accounts are undone and every one of its commands gets that refusal.
 * </ul>
 */
final class BatchPlanner {

  /**
   * A command as queued; commands with the same non-zero {@code group} are an atomic group, always
   * adjacent in a batch.
   */
  record Command(PostingRequest request, int group) {

    /** The group of a command that stands alone. */
    static final int ALONE = 0;

    boolean atomic() {
      return group != ALONE;
    }

    Account.Key walletKey() {
      return Account.Key.wallet(request.userId(), request.currency());
    }

    Account.Key counterKey() {
      return Account.Key.system(request.counterAccount(), request.currency());
    }
  }

  /** An entry stored by an earlier transaction, with its command's fingerprint. */
  record StoredEntry(Entry entry, byte[] requestHash) {}

  /**
   * The accounts a batch touches.
   *
   * @param all every account, wallets and system accounts
   * @param openable the ones to open when they have no row: system accounts and credited wallets (a
   *     debit alone of a wallet never credited is refused, and a refused command must not open an
   *     account)
   */
  record AccountKeys(Set<Account.Key> all, Set<Account.Key> openable) {}

  private final Map<Account.Key, Account> locked;
  private final Map<String, StoredEntry> stored;
  private final Instant now;

  /** Every account's state as the commands planned so far left it. */
  private final Map<Account.Key, Account> accounts;

  /** The entries planned so far by idempotency key, for repeats later in the batch. */
  private final Map<String, NewEntry> earlier = new HashMap<>();

  private final List<Decision> decisions;
  private final List<NewEntry> entries = new ArrayList<>();

  private BatchPlanner(
      int commands,
      Map<Account.Key, Account> locked,
      Map<String, StoredEntry> stored,
      Instant now) {
    this.locked = locked;
    this.stored = stored;
    this.now = now;
    this.accounts = new HashMap<>(locked);
    this.decisions = new ArrayList<>(commands);
  }

  /** The accounts {@code commands} touch, in the order first touched. */
  static AccountKeys accountKeys(List<Command> commands) {
    Set<Account.Key> all = new LinkedHashSet<>();
    Set<Account.Key> openable = new LinkedHashSet<>();
    for (Command command : commands) {
      all.add(command.walletKey());
      all.add(command.counterKey());
      openable.add(command.counterKey());
      if (command.request().amountMinor() > 0) {
        openable.add(command.walletKey());
      }
    }
    return new AccountKeys(all, openable);
  }

  /**
   * The batch cut into units: each command alone, and each atomic group whole, in order.
   *
   * @throws IllegalStateException when an atomic group's commands are not adjacent
   */
  static List<List<Command>> units(List<Command> commands) {
    List<List<Command>> units = new ArrayList<>();
    Set<Integer> groupsSeen = new HashSet<>();
    int from = 0;
    for (int i = 1; i <= commands.size(); i++) {
      int group = commands.get(from).group();
      if (i == commands.size() || group == Command.ALONE || commands.get(i).group() != group) {
        check(
            group == Command.ALONE || groupsSeen.add(group),
            "atomic group %d is split in its batch",
            group);
        units.add(commands.subList(from, i));
        from = i;
      }
    }
    return units;
  }

  /**
   * Plans a batch.
   *
   * @param commands the batch, in arrival order
   * @param locked the accounts locked for it; an account missing here has no row (a wallet never
   *     credited), and any command that would write to it is refused
   * @param stored the entries already stored under the batch's idempotency keys
   * @param now the batch's time, truncated to microseconds (the database's precision)
   * @throws IllegalStateException when an assumption of the plan does not hold (a bug)
   */
  static BatchPlan plan(
      List<Command> commands,
      Map<Account.Key, Account> locked,
      Map<String, StoredEntry> stored,
      Instant now) {
    return new BatchPlanner(commands.size(), locked, stored, now).planAll(commands);
  }

  private BatchPlan planAll(List<Command> commands) {
    for (List<Command> unit : units(commands)) {
      planUnit(unit);
    }
    check(
        decisions.size() == commands.size(),
        "%d decisions for %d commands",
        decisions.size(),
        commands.size());
    List<Account> moved = accountsMoved();
    checkBalanced(moved);
    return new BatchPlan(decisions, entries, moved);
  }

  private void planUnit(List<Command> unit) {
    boolean atomic = unit.get(0).atomic();
    Map<Account.Key, Account> before = atomic ? statesOf(unit) : Map.of();
    int decisionsBefore = decisions.size();
    int entriesBefore = entries.size();
    Outcome.Rejected refused = null;
    for (Command command : unit) {
      Decision decision = decide(command.request());
      if (refused == null
          && decision instanceof Answered answered
          && answered.outcome() instanceof Outcome.Rejected rejected) {
        refused = rejected;
      }
      decisions.add(decision);
    }
    if (atomic && refused != null) {
      undo(before, decisionsBefore, entriesBefore, refused);
    }
  }

  /** The state of every account an atomic group touches, to undo the group if one fails. */
  private Map<Account.Key, Account> statesOf(List<Command> group) {
    Map<Account.Key, Account> states = new HashMap<>();
    for (Command command : group) {
      states.putIfAbsent(command.walletKey(), account(command.walletKey()));
      states.putIfAbsent(command.counterKey(), account(command.counterKey()));
    }
    return states;
  }

  /** Takes back an atomic group one of whose commands was refused: all of it is refused. */
  private void undo(
      Map<Account.Key, Account> before,
      int decisionsBefore,
      int entriesBefore,
      Outcome.Rejected refused) {
    accounts.putAll(before);
    List<NewEntry> undone = entries.subList(entriesBefore, entries.size());
    undone.forEach(entry -> earlier.remove(entry.idempotencyKey()));
    undone.clear();
    for (int i = decisionsBefore; i < decisions.size(); i++) {
      decisions.set(i, new Answered(refused));
    }
  }

  private Decision decide(PostingRequest request) {
    byte[] requestHash =
        HashChain.requestHash(
            request.userId(),
            request.currency(),
            request.amountMinor(),
            request.kind().wireName(),
            request.reason(),
            request.reference(),
            request.counterAccount());
    StoredEntry prior = stored.get(request.idempotencyKey());
    if (prior != null) {
      return new Answered(
          Arrays.equals(prior.requestHash(), requestHash)
              ? new Outcome.Posted(prior.entry(), true)
              : Outcome.Rejected.idempotencyConflict());
    }
    NewEntry sibling = earlier.get(request.idempotencyKey());
    if (sibling != null) {
      return Arrays.equals(sibling.requestHash(), requestHash)
          ? new Posts(sibling, true)
          : new Answered(Outcome.Rejected.idempotencyConflict());
    }
    return apply(request, requestHash);
  }

  /** Posts a command under the balance guard, or refuses it. */
  private Decision apply(PostingRequest request, byte[] requestHash) {
    Account.Key walletKey = Account.Key.wallet(request.userId(), request.currency());
    Account.Key counterKey = Account.Key.system(request.counterAccount(), request.currency());
    Account wallet = account(walletKey);
    Account counter = account(counterKey);
    long balanceAfter;
    long counterAfter;
    try {
      balanceAfter = Math.addExact(wallet.balanceMinor(), request.amountMinor());
      counterAfter = Math.subtractExact(counter.balanceMinor(), request.amountMinor());
    } catch (ArithmeticException overflow) {
      return new Answered(Outcome.Rejected.overflow());
    }
    if (balanceAfter < 0) {
      return new Answered(
          Outcome.Rejected.insufficientFunds(
              wallet.balanceMinor(), request.currency(), request.amountMinor()));
    }
    check(
        wallet.opened() && counter.opened(),
        "%s would post to an account without a row (%s opened: %b, %s opened: %b)",
        request.idempotencyKey(),
        walletKey,
        wallet.opened(),
        counterKey,
        counter.opened());
    long seq = wallet.entryCount() + 1;
    byte[] hash =
        HashChain.entryHash(
            wallet.lastHash(),
            seq,
            request.userId(),
            request.currency(),
            counterKey.displayName(),
            request.amountMinor(),
            balanceAfter,
            request.kind().wireName(),
            request.reason(),
            request.reference(),
            request.idempotencyKey(),
            now);
    NewEntry entry =
        new NewEntry(
            request,
            wallet.id(),
            counter.id(),
            counterKey.displayName(),
            balanceAfter,
            seq,
            wallet.lastHash(),
            hash,
            requestHash,
            now);
    accounts.put(walletKey, wallet.withEntry(balanceAfter, seq, hash));
    accounts.put(counterKey, counter.withBalance(counterAfter));
    entries.add(entry);
    NewEntry replaced = earlier.put(request.idempotencyKey(), entry);
    check(replaced == null, "%s is posted twice in one batch", request.idempotencyKey());
    return new Posts(entry, false);
  }

  private Account account(Account.Key key) {
    return accounts.computeIfAbsent(key, Account::unopened);
  }

  /** The accounts the new entries move, each once, in the order first moved, as they end up. */
  private List<Account> accountsMoved() {
    Set<Account.Key> moved = new LinkedHashSet<>();
    for (NewEntry entry : entries) {
      moved.add(Account.Key.wallet(entry.request().userId(), entry.request().currency()));
      moved.add(Account.Key.system(entry.request().counterAccount(), entry.request().currency()));
    }
    return moved.stream().map(accounts::get).toList();
  }

  /** Double entry: in every currency, what the batch adds to some accounts it takes from others. */
  private void checkBalanced(List<Account> moved) {
    Map<String, Long> changeByCurrency = new LinkedHashMap<>();
    for (Account account : moved) {
      Account before = locked.get(account.key());
      long change =
          Math.subtractExact(account.balanceMinor(), before == null ? 0 : before.balanceMinor());
      changeByCurrency.merge(account.key().currency(), change, Math::addExact);
    }
    changeByCurrency.forEach(
        (currency, change) ->
            check(change == 0, "the batch changes the %s accounts' sum by %d", currency, change));
  }
}
