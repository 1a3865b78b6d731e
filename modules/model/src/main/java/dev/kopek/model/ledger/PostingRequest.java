package dev.kopek.model.ledger;

import dev.kopek.model.Currencies;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A command to move money between a user's wallet and a system account. Positive amounts credit the
 * wallet, negative ones debit it under the balance guard. The counter account (for example {@code
 * revenue} or {@code gateway:stripe}) takes the opposite amount in the same currency, so every
 * posting sums to zero.
 *
 * @param idempotencyKey a key unique to this command, chosen by the caller and reused on retry;
 *     callers namespace it (for example {@code charge:<user>:<client key>})
 * @param userId the wallet's owner
 * @param currency ISO 4217 code of the wallet
 * @param amountMinor signed amount in minor units: {@code +} credits, {@code -} debits
 * @param kind what caused the entry
 * @param reason a sentence shown in the user's transaction log
 * @param reference what caused it (payment id, billing period), or null
 * @param counterAccount the system account on the other side, without the currency suffix
 */
public record PostingRequest(
    String idempotencyKey,
    String userId,
    String currency,
    long amountMinor,
    EntryKind kind,
    String reason,
    String reference,
    String counterAccount) {

  /**
   * System account names: {@code revenue}, {@code adjustments}, or {@code gateway:<id>}. Lower case
   * only, so that two spellings can never open two accounts.
   */
  public static final Pattern COUNTER_ACCOUNT = Pattern.compile("[a-z][a-z0-9_]*(:[a-z0-9_-]+)?");

  /** Checks every invariant; a violation is a {@link Failure} naming the field. */
  public PostingRequest {
    Objects.requireNonNull(kind, "kind");
    check(
        idempotencyKey != null
            && !idempotencyKey.isBlank()
            && idempotencyKey.length() <= Limits.IDEMPOTENCY_KEY_LENGTH_MAX + 64,
        "idempotency_key",
        "idempotency_key is required and at most "
            + (Limits.IDEMPOTENCY_KEY_LENGTH_MAX + 64)
            + " characters");
    check(
        userId != null && !userId.isBlank() && userId.length() <= Limits.USER_ID_LENGTH_MAX,
        "user_id",
        "user_id is required and at most " + Limits.USER_ID_LENGTH_MAX + " characters");
    Currencies.checked("currency", currency);
    // Compared on both sides rather than through Math.abs, which leaves Long.MIN_VALUE negative.
    check(
        amountMinor != 0
            && amountMinor >= -Limits.AMOUNT_MINOR_MAX
            && amountMinor <= Limits.AMOUNT_MINOR_MAX,
        "amount_minor",
        "amount_minor must be non-zero and at most "
            + Limits.AMOUNT_MINOR_MAX
            + " in absolute value");
    check(
        reason != null && !reason.isBlank() && reason.length() <= Limits.REASON_LENGTH_MAX,
        "reason",
        "reason is required and at most " + Limits.REASON_LENGTH_MAX + " characters");
    check(
        reference == null || reference.length() <= Limits.REFERENCE_LENGTH_MAX,
        "reference",
        "reference must be at most " + Limits.REFERENCE_LENGTH_MAX + " characters");
    check(
        counterAccount != null
            && counterAccount.length() <= 64
            && COUNTER_ACCOUNT.matcher(counterAccount).matches(),
        "counter_account",
        "counter_account must look like revenue, adjustments or gateway:<id>");
  }

  private static void check(boolean ok, String field, String detail) {
    if (!ok) {
      throw Failure.invalid(field, detail).toException();
    }
  }

  /** The JSON form sent to {@link LedgerAddresses#POST}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("idempotency_key", idempotencyKey)
        .put("user_id", userId)
        .put("currency", currency)
        .put("amount_minor", amountMinor)
        .put("kind", kind.wireName())
        .put("reason", reason)
        .put("reference", reference)
        .put("counter_account", counterAccount);
  }

  /**
   * Reads and validates the JSON form; throws a {@link Failure.FailureException} naming the field.
   */
  public static PostingRequest fromJson(JsonObject json) {
    String kind = Fields.requireString(json, "kind", 32);
    return new PostingRequest(
        Fields.requireString(json, "idempotency_key", Limits.IDEMPOTENCY_KEY_LENGTH_MAX + 64),
        Fields.requireString(json, "user_id", Limits.USER_ID_LENGTH_MAX),
        Fields.requireString(json, "currency", 3),
        Fields.requireLong(json, "amount_minor"),
        EntryKind.fromWireName(kind)
            .orElseThrow(() -> Failure.invalid("kind", "unknown kind " + kind).toException()),
        Fields.requireString(json, "reason", Limits.REASON_LENGTH_MAX),
        Fields.optionalString(json, "reference", Limits.REFERENCE_LENGTH_MAX),
        Fields.requireString(json, "counter_account", 64));
  }
}
