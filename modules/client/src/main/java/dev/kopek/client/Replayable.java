package dev.kopek.client;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.function.Function;

/**
 * The reply to a command sent with an idempotency key: what the command made, and whether an
 * earlier command with the same key made it (then nothing was done this time).
 *
 * @param value the entry, subscription, top-up or refund
 * @param replayed true when the reply is the stored result of an earlier command
 * @param <T> the record replied
 */
public record Replayable<T>(T value, boolean replayed) {

  /** Checks the value is present. */
  public Replayable {
    Objects.requireNonNull(value, "value");
  }

  /** Reads a reply carrying {@code "replayed"} beside the record's own fields. */
  static <T> Replayable<T> fromJson(JsonObject json, Function<JsonObject, T> reader) {
    return new Replayable<>(reader.apply(json), Boolean.TRUE.equals(json.getBoolean("replayed")));
  }

  /** The JSON form: the record's fields and {@code "replayed"}. */
  public JsonObject toJson(Function<T, JsonObject> writer) {
    return writer.apply(value).put("replayed", replayed);
  }
}
