package dev.kopek.client;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Billing's clock.
 *
 * @param now billing's current time
 * @param testClock whether it is the test clock ({@code billing.test_clock}), which administrators
 *     move, rather than the system clock
 */
public record BillingClock(Instant now, boolean testClock) {

  static BillingClock fromJson(JsonObject json) {
    return new BillingClock(
        Json.instant(json, "now"), Boolean.TRUE.equals(json.getBoolean("test_clock")));
  }

  /** The JSON form, {@code {"now","test_clock"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("now", Json.text(now)).put("test_clock", testClock);
  }
}
