package dev.kopek.http;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Request rate limits per caller, per process: each user (by the id its token or the {@code
 * Kopek-User} header names) and each API key has a budget of {@code per_second} requests a second
 * with bursts of up to {@code burst}; an administrator's token has a budget of the API keys' size.
 * Beyond it a request is answered 429 {@code rate_limited} with {@code Retry-After} (whole seconds
 * until one more request fits) and is not carried out.
 *
 * <p>The budget is the generic cell rate algorithm (GCRA, the token bucket written as one timestamp
 * per caller): a caller's state is the instant its budget would be whole again, updated with one
 * compare-and-set, so every HTTP event loop of the process shares the same budgets without a lock.
 * A request through an API key acting for a user is counted against the key and then against the
 * user. Budgets are per process, not per cluster: N processes behind a load balancer admit up to N
 * times the rate; requests without valid credentials are refused (401) before they are counted, and
 * are for a proxy in front of Kopek to limit by address.
 */
final class RateLimits implements Shareable {

  /** A rate and its burst; a rate of 0 means no limit. */
  record Limit(int perSecond, int burst) {

    static final Limit NONE = new Limit(0, 0);

    Limit {
      if (perSecond < 0 || perSecond > 1_000_000) {
        throw new IllegalArgumentException("a rate limit must be between 0 and 1000000 a second");
      }
      if (perSecond > 0 && (burst < 1 || burst > 10_000_000)) {
        throw new IllegalArgumentException("a rate limit's burst must be between 1 and 10000000");
      }
    }

    boolean limited() {
      return perSecond > 0;
    }

    /** Nanoseconds between two requests at the steady rate. */
    long intervalNanos() {
      return 1_000_000_000L / perSecond;
    }
  }

  /** The shared-data map the process's instance is kept in. */
  private static final String SHARED = "kopek.http.rate_limits";

  /** Callers whose budget is whole again are forgotten this often. */
  static final long SWEEP_INTERVAL_NANOS = 60_000_000_000L;

  /** When callers whose budget is whole were last forgotten. */
  private final AtomicLong swept;

  private final Limit users;
  private final Limit apiKeys;
  private final LongSupplier nanoClock;

  /** Per caller ({@code user:<id>} or {@code key:<id>}): when its budget is whole again. */
  private final ConcurrentHashMap<String, AtomicLong> full = new ConcurrentHashMap<>();

  RateLimits(Limit users, Limit apiKeys, LongSupplier nanoClock) {
    this.users = users;
    this.apiKeys = apiKeys;
    this.nanoClock = nanoClock;
    this.swept = new AtomicLong(nanoClock.getAsLong());
  }

  /**
   * The limits of the {@code rate_limits} section: {@code user_per_second} (100), {@code
   * user_burst} (200), {@code api_key_per_second} (1000), {@code api_key_burst} (2000); a rate of 0
   * turns that limit off.
   */
  static RateLimits from(JsonObject config, LongSupplier nanoClock) {
    JsonObject section = config.getJsonObject("rate_limits", new JsonObject());
    return new RateLimits(
        limit(section, "user", 100, 200), limit(section, "api_key", 1_000, 2_000), nanoClock);
  }

  private static Limit limit(JsonObject section, String who, int perSecond, int burst) {
    int rate = section.getInteger(who + "_per_second", perSecond);
    int size = section.getInteger(who + "_burst", Math.max(burst, rate));
    try {
      return new Limit(rate, size);
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException(
          "rate_limits."
              + who
              + "_per_second must be 0 (no limit) to 1000000, and rate_limits."
              + who
              + "_burst 1 to 10000000; were "
              + rate
              + " and "
              + size);
    }
  }

  /**
   * The process's limits: the first HTTP verticle instance makes them from its configuration, the
   * others share them, and a timer forgets callers whose budget is whole again.
   */
  static RateLimits shared(Vertx vertx, JsonObject config) {
    LocalMap<String, RateLimits> map = vertx.sharedData().getLocalMap(SHARED);
    RateLimits made = from(config, System::nanoTime);
    // Keyed by the settings, so that servers of one Vert.x instance configured differently (in
    // tests) each have their own.
    String settings = config.getJsonObject("rate_limits", new JsonObject()).encode();
    RateLimits existing = map.putIfAbsent(settings, made);
    return existing != null ? existing : made;
  }

  Limit users() {
    return users;
  }

  Limit apiKeys() {
    return apiKeys;
  }

  /**
   * The handler for {@code /v1/*}, after authentication: counts the request against its API key and
   * its user, or answers 429.
   */
  Handler<RoutingContext> handler() {
    return ctx -> {
      if (admit(ctx)) {
        ctx.next();
      }
    };
  }

  /** Counts the request; true when it may go on, else it has been answered 429. */
  boolean admit(RoutingContext ctx) {
    String key = ctx.get(ApiKeyAuthentication.API_KEY);
    Authentication.Caller caller = Authentication.caller(ctx);
    String refused = null;
    long waitNanos = 0;
    if (key != null && apiKeys.limited()) {
      waitNanos = take("key:" + key, apiKeys);
      refused = "this API key's";
    }
    // An API key's administrative calls have no user of their own to count against.
    boolean keyAsAdmin = key != null && caller != null && caller.userId().equals("api_key:" + key);
    if (waitNanos == 0 && caller != null && !keyAsAdmin) {
      if (key == null && caller.admin()) {
        // Administrators' tokens drive back-office work (bulk credits, imports) as merchant
        // backends' keys do: each has a budget of the API keys' size.
        if (apiKeys.limited()) {
          waitNanos = take("admin:" + caller.userId(), apiKeys);
          refused = "this administrator's";
        }
      } else if (users.limited()) {
        waitNanos = take("user:" + caller.userId(), users);
        refused = "this user's";
      }
    }
    if (waitNanos == 0) {
      sweepWhenDue();
      return true;
    }
    long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    ctx.response().putHeader("Retry-After", Long.toString(seconds));
    Problems.send(
        ctx,
        new Failure(
            ErrorCode.RATE_LIMITED,
            refused
                + " request rate is over its limit (per process); retry after "
                + seconds
                + " s",
            new JsonObject().put("retry_after_s", seconds)));
    return false;
  }

  /**
   * Counts one request of {@code caller} against {@code limit}: 0 when it fits, else how many
   * nanoseconds until it would (and then it is not counted).
   */
  long take(String caller, Limit limit) {
    long interval = limit.intervalNanos();
    long tolerance = interval * limit.burst();
    AtomicLong state = full.computeIfAbsent(caller, c -> new AtomicLong(Long.MIN_VALUE));
    while (true) {
      long now = nanoClock.getAsLong();
      long before = state.get();
      long whole = before == Long.MIN_VALUE || before - now < 0 ? now : before;
      long after = whole + interval;
      long over = after - now - tolerance;
      if (over > 0) {
        return over;
      }
      if (state.compareAndSet(before, after)) {
        return 0;
      }
    }
  }

  /** Sweeps once a minute, on whichever event loop comes first. */
  private void sweepWhenDue() {
    long last = swept.get();
    long now = nanoClock.getAsLong();
    if (now - last >= SWEEP_INTERVAL_NANOS && swept.compareAndSet(last, now)) {
      sweep();
    }
  }

  /** Forgets callers whose budget is whole again: they start afresh at their next request. */
  void sweep() {
    long now = nanoClock.getAsLong();
    full.values().removeIf(state -> state.get() - now <= 0);
  }

  /** How many callers have a budget being spent (for tests). */
  int tracked() {
    return full.size();
  }
}
