package dev.kopek.access;

import dev.kopek.model.ErrorCode;
import dev.kopek.model.Failure;
import dev.kopek.model.Limits;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Sign-in for Kopek's pages without a password store: a one-time link ({@code <id>.<secret>}, given
 * to the user by the merchant's backend, or to an administrator by {@code console-link}), exchanged
 * once, before it expires, for a session token kept in an HttpOnly cookie. Only SHA-256 hashes of
 * the secrets are stored. A session ends after {@code idle_ms} without a request, at its absolute
 * expiry, or when signed out; each request through it moves {@code last_seen_at}.
 */
final class WebSessions {

  static final Set<String> KINDS = Set.of("portal", "console");

  /** How long a link works: 5 minutes (the link is for now, like Stripe's portal sessions). */
  static final long LINK_TTL_MS = 5 * 60_000;

  /** Longest session idle time and lifetime that may be asked for. */
  static final long IDLE_MS_MAX = 24 * 3600_000L;

  static final long LIFETIME_MS_MAX = 7 * 24 * 3600_000L;

  static final int RETURN_URL_LENGTH_MAX = 2048;

  private static final int SECRET_BYTES = 32;

  private final Pool pool;
  private final Supplier<Instant> clock;
  private final SecureRandom random = new SecureRandom();

  WebSessions(Pool pool, Supplier<Instant> clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /**
   * {@code {"kind","user_id","return_url"?,"created_by","idle_ms","lifetime_ms"}} → {@code
   * {"id","link_token","link_expires_at","kind","user_id"}}: a new one-time link.
   */
  Future<JsonObject> createLink(JsonObject request) {
    String kind = request.getString("kind");
    if (kind == null || !KINDS.contains(kind)) {
      throw Failure.invalid("kind", "kind must be portal or console").toException();
    }
    String userId = request.getString("user_id");
    if (userId == null
        || userId.isBlank()
        || userId.length() > Limits.USER_ID_LENGTH_MAX
        || userId.chars().anyMatch(Character::isISOControl)) {
      throw Failure.invalid(
              "user_id", "user_id must be 1 to " + Limits.USER_ID_LENGTH_MAX + " characters")
          .toException();
    }
    String returnUrl = request.getString("return_url");
    if (returnUrl != null && !returnUrl(returnUrl)) {
      throw Failure.invalid(
              "return_url",
              "return_url must be an absolute http(s) URL of at most "
                  + RETURN_URL_LENGTH_MAX
                  + " characters")
          .toException();
    }
    String createdBy = request.getString("created_by");
    if (createdBy == null || createdBy.isBlank()) {
      throw Failure.invalid("created_by", "created_by is missing").toException();
    }
    long idleMs = bounded(request, "idle_ms", IDLE_MS_MAX);
    long lifetimeMs = bounded(request, "lifetime_ms", LIFETIME_MS_MAX);
    Instant now = clock.get();
    String id = token(18);
    String secret = token(SECRET_BYTES);
    Instant linkExpires = now.plusMillis(LINK_TTL_MS);
    return pool.preparedQuery(
            "INSERT INTO web_sessions (id, kind, user_id, return_url, created_by, created_at,"
                + " link_hash, link_expires_at, csrf_token, idle_ms, expires_at)"
                + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .execute(
            Tuple.from(
                new Object[] {
                  id,
                  kind,
                  userId,
                  returnUrl,
                  createdBy,
                  utc(now),
                  Buffer.buffer(ApiKeys.sha256(secret)),
                  utc(linkExpires),
                  token(SECRET_BYTES),
                  idleMs,
                  utc(linkExpires.plusMillis(lifetimeMs))
                }))
        .map(
            done ->
                new JsonObject()
                    .put("id", id)
                    .put("kind", kind)
                    .put("user_id", userId)
                    .put("link_token", id + "." + secret)
                    .put("link_expires_at", linkExpires.toString()));
  }

  /**
   * {@code {"kind","link_token"}} → the session ({@link #session}) with its {@code session_token},
   * once: a link used before, expired, of another kind or unknown is {@code unauthorized}.
   */
  Future<JsonObject> redeem(JsonObject request) {
    String kind = request.getString("kind");
    String[] parts = parts(request.getString("link_token"));
    if (parts == null || kind == null) {
      return Future.failedFuture(refused("link").toException());
    }
    Instant now = clock.get();
    String sessionSecret = token(SECRET_BYTES);
    return pool.preparedQuery(
            "UPDATE web_sessions SET redeemed_at = $3, last_seen_at = $3, session_hash = $4,"
                + " expires_at = LEAST(expires_at, $3 + (expires_at - link_expires_at))"
                + " WHERE id = $1 AND kind = $2 AND link_hash = $5 AND redeemed_at IS NULL"
                + " AND link_expires_at > $3 AND ended_at IS NULL"
                + " RETURNING id, kind, user_id, return_url, csrf_token, idle_ms, expires_at")
        .execute(
            Tuple.of(
                parts[0],
                kind,
                utc(now),
                Buffer.buffer(ApiKeys.sha256(sessionSecret)),
                Buffer.buffer(ApiKeys.sha256(parts[1]))))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw refused("link").toException();
              }
              return session(rows.iterator().next())
                  .put("session_token", parts[0] + "." + sessionSecret);
            });
  }

  /**
   * {@code {"kind","session_token"}} → the session, its idle time restarted; {@code unauthorized}
   * for a session that ended, idled out, expired or never was.
   */
  Future<JsonObject> touch(JsonObject request) {
    String kind = request.getString("kind");
    String[] parts = parts(request.getString("session_token"));
    if (parts == null || kind == null) {
      return Future.failedFuture(refused("session").toException());
    }
    Instant now = clock.get();
    return pool.preparedQuery(
            "UPDATE web_sessions SET last_seen_at = $3"
                + " WHERE id = $1 AND kind = $2 AND session_hash = $4 AND ended_at IS NULL"
                + " AND expires_at > $3 AND last_seen_at + idle_ms * interval '1 millisecond' > $3"
                + " RETURNING id, kind, user_id, return_url, csrf_token, idle_ms, expires_at")
        .execute(Tuple.of(parts[0], kind, utc(now), Buffer.buffer(ApiKeys.sha256(parts[1]))))
        .map(
            rows -> {
              if (rows.size() == 0) {
                throw refused("session").toException();
              }
              return session(rows.iterator().next());
            });
  }

  /** {@code {"session_token"}} → {@code {"ended": true|false}}: signs out. */
  Future<JsonObject> end(JsonObject request) {
    String[] parts = parts(request.getString("session_token"));
    if (parts == null) {
      return Future.succeededFuture(new JsonObject().put("ended", false));
    }
    return pool.preparedQuery(
            "UPDATE web_sessions SET ended_at = $2 WHERE id = $1 AND session_hash = $3"
                + " AND ended_at IS NULL")
        .execute(Tuple.of(parts[0], utc(clock.get()), Buffer.buffer(ApiKeys.sha256(parts[1]))))
        .map(rows -> new JsonObject().put("ended", rows.rowCount() == 1));
  }

  private static JsonObject session(Row row) {
    return new JsonObject()
        .put("id", row.getString("id"))
        .put("kind", row.getString("kind"))
        .put("user_id", row.getString("user_id"))
        .put("return_url", row.getString("return_url"))
        .put("csrf_token", row.getString("csrf_token"))
        .put("idle_ms", row.getLong("idle_ms"))
        .put("expires_at", row.getOffsetDateTime("expires_at").toInstant().toString());
  }

  private static Failure refused(String what) {
    return Failure.of(
        ErrorCode.UNAUTHORIZED, "the " + what + " is unknown, used already, expired or ended");
  }

  private static String[] parts(String token) {
    if (token == null || token.length() > 200) {
      return null;
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot == token.length() - 1 || token.indexOf('.', dot + 1) >= 0) {
      return null;
    }
    return new String[] {token.substring(0, dot), token.substring(dot + 1)};
  }

  static boolean returnUrl(String url) {
    if (url.length() > RETURN_URL_LENGTH_MAX || url.chars().anyMatch(Character::isISOControl)) {
      return false;
    }
    try {
      java.net.URI uri = new java.net.URI(url);
      return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
          && uri.getHost() != null
          && uri.getRawUserInfo() == null;
    } catch (java.net.URISyntaxException bad) {
      return false;
    }
  }

  private static long bounded(JsonObject request, String field, long max) {
    Object value = request.getValue(field);
    if (!(value instanceof Number number)
        || number.longValue() < 60_000
        || number.longValue() > max) {
      throw Failure.invalid(field, field + " must be between 60000 and " + max).toException();
    }
    return number.longValue();
  }

  private String token(int bytes) {
    byte[] raw = new byte[bytes];
    random.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  private static OffsetDateTime utc(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
