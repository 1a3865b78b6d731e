package dev.kopek.access;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.access.AccessAddresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * API keys: {@code kpk_<id>_<secret>}, the secret 32 random bytes in base64url. Only the SHA-256 of
 * the secret is stored (the secret is random and long, so a slow password hash would add nothing),
 * and a presented secret is compared with {@link MessageDigest#isEqual}, in constant time. A key is
 * shown once, when created or rolled.
 */
final class ApiKeys {

  /** Random bytes in a secret. */
  static final int SECRET_BYTES = 32;

  /** Characters of a key's id: lowercase letters and digits, never {@code _}. */
  static final int ID_LENGTH = 20;

  /** The longest grace period a roll gives the previous secret: 7 days. */
  static final long GRACE_MS_MAX = 7L * 24 * 3600_000;

  /** {@code last_used_at} is written at most this often per key. */
  static final long LAST_USED_INTERVAL_MS = 60_000;

  static final int NAME_LENGTH_MAX = 100;

  private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final String COLUMNS =
      "id, name, scopes, created_at, created_by, expires_at, revoked_at, last_used_at,"
          + " previous_expires_at";

  private final Vertx vertx;
  private final Pool pool;
  private final Supplier<Instant> clock;
  private final SecureRandom random = new SecureRandom();

  ApiKeys(Vertx vertx, Pool pool, Supplier<Instant> clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
  }

  /** {@code {"name","scopes","expires_at"?,"created_by"}} → the key, with {@code key} this once. */
  Future<JsonObject> create(JsonObject request) {
    String name = request.getString("name");
    if (name == null || name.isBlank() || name.length() > NAME_LENGTH_MAX) {
      throw Failure.invalid("name", "name must be 1 to " + NAME_LENGTH_MAX + " characters")
          .toException();
    }
    String[] scopes = scopes(request.getValue("scopes"));
    Instant now = clock.get();
    Instant expiresAt = instant(request, "expires_at");
    if (expiresAt != null && !expiresAt.isAfter(now)) {
      throw Failure.invalid("expires_at", "expires_at must be in the future").toException();
    }
    String createdBy = request.getString("created_by");
    if (createdBy == null || createdBy.isBlank()) {
      throw Failure.invalid("created_by", "created_by is missing").toException();
    }
    String id = newId();
    String secret = newSecret();
    return pool.preparedQuery(
            "INSERT INTO api_keys (id, name, scopes, secret_hash, created_at, created_by,"
                + " expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING "
                + COLUMNS)
        .execute(
            Tuple.of(
                id,
                name,
                scopes,
                io.vertx.core.buffer.Buffer.buffer(sha256(secret)),
                utc(now),
                createdBy,
                utc(expiresAt)))
        .map(rows -> toJson(rows.iterator().next()).put("key", key(id, secret)));
  }

  /** {@code {"data":[key]}}, oldest first, without secrets. */
  Future<JsonObject> list(JsonObject request) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM api_keys ORDER BY seq")
        .execute()
        .map(
            rows -> {
              JsonArray data = new JsonArray();
              rows.forEach(row -> data.add(toJson(row)));
              return new JsonObject().put("data", data);
            });
  }

  /** {@code {"id"}} → the key, revoked (revoking again changes nothing). */
  Future<JsonObject> revoke(JsonObject request) {
    String id = id(request);
    return pool.preparedQuery(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING "
                + COLUMNS)
        .execute(Tuple.of(id, utc(clock.get())))
        .map(rows -> changed(id, rows));
  }

  /**
   * {@code {"id","grace_ms"}} → the key with a new secret in {@code key}; the current secret keeps
   * working for {@code grace_ms}, and one still in its grace period from an earlier roll stops at
   * once.
   */
  Future<JsonObject> roll(JsonObject request) {
    String id = id(request);
    Object grace = request.getValue("grace_ms");
    if (!(grace instanceof Integer || grace instanceof Long)
        || ((Number) grace).longValue() < 0
        || ((Number) grace).longValue() > GRACE_MS_MAX) {
      throw Failure.invalid(
              "grace_ms", "grace_ms must be a whole number of milliseconds, 0 to " + GRACE_MS_MAX)
          .toException();
    }
    Instant now = clock.get();
    String secret = newSecret();
    return pool.preparedQuery(
            "UPDATE api_keys SET previous_secret_hash = secret_hash, previous_expires_at = $3,"
                + " secret_hash = $2 WHERE id = $1 AND revoked_at IS NULL"
                + " AND (expires_at IS NULL OR expires_at > $4) RETURNING "
                + COLUMNS)
        .execute(
            Tuple.of(
                id,
                io.vertx.core.buffer.Buffer.buffer(sha256(secret)),
                utc(now.plusMillis(((Number) grace).longValue())),
                utc(now)))
        .map(rows -> changed(id, rows).put("key", key(id, secret)));
  }

  /**
   * {@code {"id","secret"}} → {@code {"id","scopes","valid_until"}}, or {@code unauthorized} for an
   * unknown, revoked or expired key or a wrong secret (the reply does not say which).
   */
  Future<JsonObject> verify(JsonObject request) {
    String id = request.getString("id", "");
    byte[] presented = sha256(request.getString("secret", ""));
    Instant now = clock.get();
    return pool.preparedQuery(
            "SELECT scopes, secret_hash, previous_secret_hash, previous_expires_at, expires_at,"
                + " revoked_at, last_used_at FROM api_keys WHERE id = $1")
        .execute(Tuple.of(id))
        .compose(
            rows -> {
              Row row = rows.iterator().hasNext() ? rows.iterator().next() : null;
              Instant validUntil = row == null ? null : validUntil(row, presented, now);
              if (row == null || validUntil == null) {
                return Future.failedFuture(
                    Failure.of(
                            ErrorCode.UNAUTHORIZED,
                            "the API key is unknown, revoked or expired, or its secret is wrong")
                        .toException());
              }
              JsonObject reply =
                  new JsonObject()
                      .put("id", id)
                      .put(
                          "scopes",
                          new JsonArray(java.util.List.of(row.getArrayOfStrings("scopes"))))
                      .put(
                          "valid_until",
                          validUntil.equals(Instant.MAX) ? null : validUntil.toString());
              OffsetDateTime lastUsed = row.getOffsetDateTime("last_used_at");
              if (lastUsed != null
                  && lastUsed.toInstant().plusMillis(LAST_USED_INTERVAL_MS).isAfter(now)) {
                return Future.succeededFuture(reply);
              }
              // At most once a minute per key: a busy key costs one write a minute, not one a
              // request. A failed write leaves last_used_at behind, never the request refused.
              return pool.preparedQuery(
                      "UPDATE api_keys SET last_used_at = $2 WHERE id = $1"
                          + " AND (last_used_at IS NULL OR last_used_at < $3)")
                  .execute(Tuple.of(id, utc(now), utc(now.minusMillis(LAST_USED_INTERVAL_MS))))
                  .map(done -> reply)
                  .otherwise(reply);
            });
  }

  /**
   * When the presented secret (its hash) stops working: the key's expiry for its current secret
   * ({@link Instant#MAX} without one), the end of the grace period too for the previous secret;
   * null when it does not work.
   */
  private static Instant validUntil(Row row, byte[] presented, Instant now) {
    if (row.getOffsetDateTime("revoked_at") != null) {
      return null;
    }
    OffsetDateTime expires = row.getOffsetDateTime("expires_at");
    Instant expiresAt = expires == null ? Instant.MAX : expires.toInstant();
    if (!expiresAt.isAfter(now)) {
      return null;
    }
    // Both hashes are compared whichever matches, so the time taken says nothing either.
    boolean current = MessageDigest.isEqual(presented, row.getBuffer("secret_hash").getBytes());
    io.vertx.core.buffer.Buffer previousHash = row.getBuffer("previous_secret_hash");
    boolean previous =
        previousHash != null && MessageDigest.isEqual(presented, previousHash.getBytes());
    if (current) {
      return expiresAt;
    }
    OffsetDateTime graceEnd = row.getOffsetDateTime("previous_expires_at");
    if (previous && graceEnd != null && graceEnd.toInstant().isAfter(now)) {
      return graceEnd.toInstant().isBefore(expiresAt) ? graceEnd.toInstant() : expiresAt;
    }
    return null;
  }

  private JsonObject changed(String id, RowSet<Row> rows) {
    if (!rows.iterator().hasNext()) {
      throw Failure.of(ErrorCode.NOT_FOUND, "no active API key " + id).toException();
    }
    vertx.eventBus().publish(AccessAddresses.KEY_CHANGED, new JsonObject().put("id", id));
    return toJson(rows.iterator().next());
  }

  static JsonObject toJson(Row row) {
    return new JsonObject()
        .put("id", row.getString("id"))
        .put("object", "api_key")
        .put("name", row.getString("name"))
        .put("scopes", new JsonArray(java.util.List.of(row.getArrayOfStrings("scopes"))))
        .put("created_at", text(row.getOffsetDateTime("created_at")))
        .put("created_by", row.getString("created_by"))
        .put("expires_at", text(row.getOffsetDateTime("expires_at")))
        .put("revoked_at", text(row.getOffsetDateTime("revoked_at")))
        .put("last_used_at", text(row.getOffsetDateTime("last_used_at")))
        .put("previous_key_expires_at", text(row.getOffsetDateTime("previous_expires_at")));
  }

  private static String[] scopes(Object value) {
    if (!(value instanceof JsonArray array) || array.isEmpty()) {
      throw Failure.invalid("scopes", "scopes must list at least one of " + AccessAddresses.SCOPES)
          .toException();
    }
    Set<String> scopes = new LinkedHashSet<>();
    for (Object scope : array) {
      if (!(scope instanceof String name) || !AccessAddresses.SCOPES.contains(name)) {
        throw Failure.invalid(
                "scopes", "unknown scope " + scope + "; the scopes are " + AccessAddresses.SCOPES)
            .toException();
      }
      scopes.add(name);
    }
    return scopes.toArray(String[]::new);
  }

  private static String id(JsonObject request) {
    String id = request.getString("id");
    if (id == null || id.isBlank()) {
      throw Failure.invalid("id", "id is missing").toException();
    }
    return id;
  }

  private static Instant instant(JsonObject request, String field) {
    String text = request.getString(field);
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw Failure.invalid(field, field + " must be an RFC 3339 time such as 2027-01-31T12:00:00Z")
          .toException();
    }
  }

  private String newId() {
    StringBuilder id = new StringBuilder(ID_LENGTH);
    for (int i = 0; i < ID_LENGTH; i++) {
      id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
    }
    return id.toString();
  }

  private String newSecret() {
    byte[] bytes = new byte[SECRET_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String key(String id, String secret) {
    return "kpk_" + id + "_" + secret;
  }

  static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException("SHA-256 is always available", impossible);
    }
  }

  static OffsetDateTime utc(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  static String text(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}
