package dev.kopek.model.events;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * One event, as its writer records it in the transaction of its fact.
 *
 * @param id stable, derived from the fact (the same on every delivery): {@code evt_<fact>}
 * @param type one of {@link EventTypes}
 * @param userId the wallet's owner, or null for events of no wallet
 * @param currency the wallet's currency, or null
 * @param walletSequence the sequence number of the wallet's newest entry this event reflects (so a
 *     receiver can order a wallet's events), or null
 * @param createdAt when the fact happened
 * @param object the event's {@code data.object}
 */
public record Event(
    String id,
    String type,
    String userId,
    String currency,
    Long walletSequence,
    Instant createdAt,
    JsonObject object) {

  public Event {
    Objects.requireNonNull(id, "id");
    if (!EventTypes.isKnown(type)) {
      throw new IllegalArgumentException("unknown event type " + type);
    }
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(object, "object");
  }

  /** The id of the event of type {@code type} about {@code fact}: {@code evt_<type>_<fact>}. */
  public static String id(String type, String fact) {
    return "evt_" + type.replace('.', '_') + "_" + fact;
  }
}
