package dev.kopek.billing;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Hashes;
import dev.kopek.model.Limits;
import dev.kopek.model.Requests;
import dev.kopek.model.ledger.WalletKey;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Plans, subscriptions and the test clock, as served on the event bus. */
final class BillingApi {

  /** Shortest and longest billing period: a second to a month of 31 days, all of fixed length. */
  static final Duration PERIOD_MIN = Duration.ofSeconds(1);

  static final Duration PERIOD_MAX = Duration.ofDays(31);

  private static final SecureRandom RANDOM = new SecureRandom();

  private final BillingStore store;
  private final BillingClock clock;
  private final BillingLedger ledger;
  private final BillingSaga saga;

  BillingApi(BillingStore store, BillingClock clock, BillingLedger ledger, BillingSaga saga) {
    this.store = store;
    this.clock = clock;
    this.ledger = ledger;
    this.saga = saga;
  }

  Future<JsonObject> createPlan(JsonObject body) {
    String code = Requests.text(body, "code", 64);
    if (!code.matches("[a-z0-9][a-z0-9_-]*")) {
      throw Failure.invalid("code", "code must be lower-case letters, digits, - and _")
          .toException();
    }
    String name = Requests.text(body, "name", 200);
    long price = Requests.amountMinor(body, "price_minor");
    String currency = Requests.currency(body);
    String period = body.getValue("period") == null ? "PT1H" : Requests.text(body, "period", 32);
    long periodMs = periodMs(period);
    return store
        .insertPlan(code, name, price, currency, period, periodMs, clock.instant())
        .map(
            created ->
                created.orElseThrow(
                    () ->
                        Failure.of(
                                ErrorCode.ALREADY_EXISTS,
                                "a plan with code "
                                    + code
                                    + " exists already; plans are immutable, create another")
                            .toException()));
  }

  Future<JsonObject> listPlans(JsonObject body) {
    return store
        .plans(body.getBoolean("include_retired", false))
        .map(plans -> new JsonObject().put("data", new JsonArray(new ArrayList<>(plans))));
  }

  Future<JsonObject> retirePlan(JsonObject body) {
    String code = Requests.text(body, "code", 64);
    return store
        .retirePlan(code, clock.instant())
        .map(
            found ->
                found.orElseThrow(
                    () -> Failure.of(ErrorCode.NOT_FOUND, "no plan " + code).toException()));
  }

  Future<JsonObject> subscribe(JsonObject body) {
    String userId = Requests.text(body, "user_id", Limits.USER_ID_LENGTH_MAX);
    String planCode = Requests.text(body, "plan", 64);
    RunRequest.Command command = command(body, "subscribe", userId, planCode);
    return store
        .plan(store.pool(), planCode)
        .compose(
            found -> {
              JsonObject plan =
                  found
                      .filter(p -> "active".equals(p.getString("status")))
                      .orElseThrow(
                          () ->
                              Failure.invalid("plan", "no active plan " + planCode).toException());
              String id = "sub_" + random(18);
              return saga.command(
                  new RunRequest(
                      new WalletKey(userId, plan.getString("currency")),
                      RunRequest.Action.ACTIVATE,
                      id,
                      RunRequest.PlanTerms.of(plan),
                      command));
            })
        .compose(reply -> withTimer(reply));
  }

  Future<JsonObject> change(JsonObject body) {
    String userId = Requests.text(body, "user_id", Limits.USER_ID_LENGTH_MAX);
    String id = Requests.text(body, "id", 64);
    String planCode = Requests.text(body, "plan", 64);
    RunRequest.Command command = command(body, "change", userId, id, planCode);
    return owned(userId, id)
        .compose(
            subscription ->
                store
                    .plan(store.pool(), planCode)
                    .compose(
                        found -> {
                          JsonObject plan =
                              found
                                  .filter(p -> "active".equals(p.getString("status")))
                                  .orElseThrow(
                                      () ->
                                          Failure.invalid("plan", "no active plan " + planCode)
                                              .toException());
                          if (!plan.getString("currency").equals(subscription.currency())) {
                            throw Failure.invalid(
                                    "plan",
                                    "the plan is in "
                                        + plan.getString("currency")
                                        + " but the subscription's wallet is in "
                                        + subscription.currency())
                                .toException();
                          }
                          if ("cancelled".equals(subscription.status())) {
                            throw Failure.of(
                                    ErrorCode.NOT_FOUND, "subscription " + id + " is cancelled")
                                .toException();
                          }
                          return saga.command(
                              new RunRequest(
                                  subscription.wallet(),
                                  RunRequest.Action.CHANGE,
                                  id,
                                  RunRequest.PlanTerms.of(plan),
                                  command));
                        }))
        .compose(this::withTimer);
  }

  Future<JsonObject> cancel(JsonObject body) {
    String userId = Requests.text(body, "user_id", Limits.USER_ID_LENGTH_MAX);
    String id = Requests.text(body, "id", 64);
    RunRequest.Command command = command(body, "cancel", userId, id);
    return owned(userId, id)
        .compose(
            subscription ->
                "cancelled".equals(subscription.status())
                    ? Future.succeededFuture(subscription.toJson())
                    : saga.command(
                        new RunRequest(
                            subscription.wallet(), RunRequest.Action.CANCEL, id, null, command)))
        .compose(this::withTimer);
  }

  Future<JsonObject> list(JsonObject body) {
    String userId = Requests.text(body, "user_id", Limits.USER_ID_LENGTH_MAX);
    return store
        .userSubscriptions(userId)
        .compose(
            subscriptions -> {
              List<Future<JsonObject>> views =
                  subscriptions.stream().map(s -> withTimer(s.toJson())).toList();
              return Future.all(views)
                  .map(
                      all ->
                          new JsonObject()
                              .put(
                                  "data",
                                  new JsonArray(
                                      views.stream().map(f -> (Object) f.result()).toList())));
            });
  }

  Future<JsonObject> clock(JsonObject body) {
    return clock
        .refresh()
        .map(now -> new JsonObject().put("now", now.toString()).put("test_clock", clock.isTest()));
  }

  Future<JsonObject> setClock(JsonObject body) {
    if (!clock.isTest()) {
      throw Failure.of(ErrorCode.NOT_FOUND, "the test clock is off (billing.test_clock: false)")
          .toException();
    }
    return clock
        .refresh()
        .compose(
            now -> {
              Instant target;
              if (body.getValue("advance_ms") != null) {
                Object advance = body.getValue("advance_ms");
                if (!(advance instanceof Integer || advance instanceof Long)
                    || ((Number) advance).longValue() < 0) {
                  throw Failure.invalid(
                          "advance_ms",
                          "advance_ms must be a whole number of milliseconds, 0 or more")
                      .toException();
                }
                target = now.plusMillis(((Number) advance).longValue());
              } else {
                try {
                  target = Instant.parse(Requests.text(body, "now", 64));
                } catch (DateTimeParseException e) {
                  throw Failure.invalid(
                          "now", "now must be an RFC 3339 time such as 2026-01-01T00:00:00Z")
                      .toException();
                }
                if (target.isBefore(now)) {
                  throw Failure.invalid(
                          "now", "the test clock never goes backwards; it is at " + now)
                      .toException();
                }
              }
              return clock
                  .moveTo(target)
                  .map(
                      moved ->
                          new JsonObject().put("now", moved.toString()).put("test_clock", true));
            });
  }

  /**
   * Adds the wallet's timer and runway to a subscription view: {@code runs_out_at}, the last
   * millisecond whose usage the balance covers at the wallet's current total rate (where its
   * subscriptions are suspended if nothing changes, as {@code wallet.runway_low} projects it), and
   * {@code runway_ms}, how long that is from now.
   */
  private Future<JsonObject> withTimer(JsonObject subscription) {
    WalletKey wallet =
        new WalletKey(subscription.getString("user_id"), subscription.getString("currency"));
    return store
        .pool()
        .withConnection(
            conn ->
                store
                    .walletsSubscriptions(conn, List.of(wallet))
                    .compose(
                        subscriptions ->
                            store
                                .nextChargeAt(conn, wallet)
                                .compose(
                                    next ->
                                        ledger
                                            .balance(wallet)
                                            .map(
                                                balance -> {
                                                  List<Segment> active =
                                                      subscriptions
                                                          .getOrDefault(wallet, List.of())
                                                          .stream()
                                                          .filter(SubscriptionRow::isActive)
                                                          .map(SubscriptionRow::segmentState)
                                                          .toList();
                                                  boolean isActive =
                                                      "active"
                                                          .equals(subscription.getString("status"));
                                                  long now = clock.instant().toEpochMilli();
                                                  Long end =
                                                      isActive
                                                          ? WalletPlanner.lastCovered(
                                                              active, balance, now)
                                                          : null;
                                                  return subscription
                                                      .put(
                                                          "next_charge_at",
                                                          isActive && next.isPresent()
                                                              ? next.get().toString()
                                                              : null)
                                                      .put(
                                                          "runway_ms",
                                                          end == null ? null : end - now)
                                                      .put(
                                                          "runs_out_at",
                                                          end == null
                                                              ? null
                                                              : Instant.ofEpochMilli(end)
                                                                  .toString());
                                                }))));
  }

  private Future<SubscriptionRow> owned(String userId, String id) {
    return store
        .subscription(store.pool(), id)
        .map(
            found ->
                found
                    .filter(s -> s.userId().equals(userId))
                    .orElseThrow(
                        () ->
                            Failure.of(ErrorCode.NOT_FOUND, "no subscription " + id)
                                .toException()));
  }

  /**
   * The command's idempotency key and a fingerprint of what it asks: the SHA-256 of the verb, the
   * user and the command's fields, one per line. Stored with the command's reply, so this text must
   * not change: a repeat compares its fingerprint with the stored one.
   */
  private static RunRequest.Command command(
      JsonObject body, String verb, String userId, String... fields) {
    String key = Requests.text(body, "idempotency_key", Limits.IDEMPOTENCY_KEY_LENGTH_MAX);
    String asked = String.join("\n", verb, userId, String.join("\n", fields));
    return new RunRequest.Command(
        verb + ":" + key, Base64.getEncoder().encodeToString(Hashes.sha256(asked)));
  }

  static long periodMs(String period) {
    Duration duration;
    try {
      duration = Duration.parse(period);
    } catch (DateTimeParseException e) {
      throw Failure.invalid(
              "period",
              "period must be an ISO-8601 duration of fixed length such as "
                  + "PT1H, P1D or P30D (months and years vary in length and are not accepted)")
          .toException();
    }
    if (duration.compareTo(PERIOD_MIN) < 0
        || duration.compareTo(PERIOD_MAX) > 0
        || duration.toMillis() % 1000 != 0 && duration.toMillis() < 1000) {
      throw Failure.invalid("period", "period must be from PT1S to P31D").toException();
    }
    return duration.toMillis();
  }

  private static String random(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(random)
        .toLowerCase()
        .replace('-', 'x')
        .replace('_', 'y');
  }
}
