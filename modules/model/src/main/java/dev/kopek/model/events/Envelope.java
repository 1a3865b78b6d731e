package dev.kopek.model.events;

import dev.kopek.model.Instants;
import dev.kopek.model.JsonText;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * The envelope of an event, in Stripe's shape, as webhooks carry it and the feed and the event bus
 * show it:
 *
 * <pre>{@code
 * {"id": "evt_entry_posted_42", "object": "event", "type": "entry.posted",
 *  "created_at": "2026-12-06T10:00:00Z",
 *  "wallet": {"user_id": "alice", "currency": "USD", "sequence": 17},
 *  "data": {"object": {...}}}
 * }</pre>
 *
 * The body is assembled from the stored columns the same way every time, so every delivery of an
 * event carries the same bytes.
 */
public final class Envelope {

  private Envelope() {}

  /**
   * The envelope's JSON text.
   *
   * @param objectJson the stored {@code data.object}, JSON text, embedded as it is
   */
  public static String body(
      String id,
      String type,
      Instant createdAt,
      String userId,
      String currency,
      Long walletSequence,
      String objectJson) {
    StringBuilder body = new StringBuilder(objectJson.length() + 200);
    body.append("{\"id\":")
        .append(JsonText.quote(id))
        .append(",\"object\":\"event\",\"type\":")
        .append(JsonText.quote(type))
        .append(",\"created_at\":")
        .append(JsonText.quote(Instants.format(createdAt)));
    if (userId != null) {
      body.append(",\"wallet\":{\"user_id\":")
          .append(JsonText.quote(userId))
          .append(",\"currency\":")
          .append(JsonText.quote(currency));
      if (walletSequence != null) {
        body.append(",\"sequence\":").append(walletSequence);
      }
      body.append('}');
    }
    return body.append(",\"data\":{\"object\":").append(objectJson).append("}}").toString();
  }

  /**
   * The envelope as a JSON object, equal to {@link #json(String) json}{@code (}{@link #body
   * body}{@code (...))} and encoding to the same text, built without writing and reading back the
   * envelope: only the stored object is read.
   */
  public static JsonObject json(
      String id,
      String type,
      Instant createdAt,
      String userId,
      String currency,
      Long walletSequence,
      String objectJson) {
    JsonObject envelope =
        new JsonObject(new java.util.LinkedHashMap<>(8))
            .put("id", id)
            .put("object", "event")
            .put("type", type)
            .put("created_at", Instants.format(createdAt));
    if (userId != null) {
      JsonObject wallet = new JsonObject().put("user_id", userId).put("currency", currency);
      if (walletSequence != null) {
        // As a parser reads it: an Integer when it fits.
        long sequence = walletSequence;
        wallet.put("sequence", sequence == (int) sequence ? (Object) (int) sequence : sequence);
      }
      envelope.put("wallet", wallet);
    }
    return envelope.put("data", new JsonObject().put("object", new JsonObject(objectJson)));
  }

  /** The envelope as a JSON object (the event bus, the feed). */
  public static JsonObject json(String body) {
    return new JsonObject(body);
  }
}
