package dev.kopek.events;

/** Every SQL statement of events and webhooks; {@code $n} placeholders only. */
final class EventsSql {

  private EventsSql() {}

  static final String INSERT_EVENTS =
      """
      INSERT INTO events (id, type, user_id, currency, wallet_seq, created_at, object)
      SELECT id, ($2::text[])[i], ($3::text[])[i], ($4::text[])[i], ($5::bigint[])[i],
             ($6::timestamptz[])[i], ($7::text[])[i]
        FROM unnest($1::text[]) WITH ORDINALITY AS k(id, i)
       ORDER BY i
          ON CONFLICT (id) DO NOTHING
      """;

  static final String EVENT_COLUMNS =
      "e.id, e.xid::text AS xid, e.seq, e.type, e.user_id, e.currency, e.wallet_seq, e.created_at,"
          + " e.object";

  /**
   * The position below which the event order is final: every transaction with a lower id has ended,
   * and every new one gets a higher id.
   */
  static final String SELECT_HORIZON =
      "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xid";

  /** Events after a position, in order, of finished transactions only. */
  static final String SELECT_EVENTS_AFTER =
      "SELECT "
          + EVENT_COLUMNS
          + """
             FROM events e
            WHERE (e.xid, e.seq) > ($1::xid8, $2::bigint)
              AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY e.xid, e.seq
            LIMIT $3
          """;

  /** The feed: like {@link #SELECT_EVENTS_AFTER}, filtered by types and user. */
  static final String SELECT_FEED =
      "SELECT "
          + EVENT_COLUMNS
          + """
             FROM events e
            WHERE (e.xid, e.seq) > ($1::xid8, $2::bigint)
              AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
              AND ($3::text[] IS NULL OR e.type = ANY($3::text[]))
              AND ($4::text IS NULL OR e.user_id = $4::text)
            ORDER BY e.xid, e.seq
            LIMIT $5
          """;

  static final String SELECT_EVENT = "SELECT " + EVENT_COLUMNS + " FROM events e WHERE e.id = $1";

  static final String ENDPOINT_COLUMNS =
      """
      id, url, description, enabled_events, secret, previous_secret, previous_secret_until, status,
      disabled_reason, created_at, updated_at
      """;

  static final String INSERT_ENDPOINT =
      "INSERT INTO webhook_endpoints (id, url, description, enabled_events, secret, status,"
          + " cursor_xid, cursor_seq, created_at, updated_at)"
          + " VALUES ($1, $2, $3, $4, $5, 'enabled', pg_snapshot_xmin(pg_current_snapshot()), 0,"
          + " $6, $6) RETURNING "
          + ENDPOINT_COLUMNS;

  static final String SELECT_ENDPOINTS =
      "SELECT " + ENDPOINT_COLUMNS + " FROM webhook_endpoints ORDER BY position";

  static final String SELECT_ENDPOINT =
      "SELECT " + ENDPOINT_COLUMNS + " FROM webhook_endpoints WHERE id = $1";

  /**
   * Changes what is given (null keeps the value; an empty description clears it). Re-enabling
   * clears the reason it was disabled; its pending deliveries go out again.
   */
  static final String UPDATE_ENDPOINT =
      "UPDATE webhook_endpoints SET url = COALESCE($2, url),"
          + " description = CASE WHEN $3::text IS NULL THEN description"
          + " WHEN $3::text = '' THEN NULL ELSE $3::text END,"
          + " enabled_events = COALESCE($4, enabled_events),"
          + " status = COALESCE($5, status),"
          + " disabled_reason = CASE WHEN $5::text = 'enabled' THEN NULL"
          + " WHEN $5::text = 'disabled' THEN 'disabled by an administrator'"
          + " ELSE disabled_reason END,"
          + " updated_at = $6"
          + " FROM (SELECT id AS old_id, status AS previous_status FROM webhook_endpoints"
          + " WHERE id = $1 FOR UPDATE) old"
          + " WHERE id = old.old_id RETURNING previous_status, "
          + ENDPOINT_COLUMNS;

  static final String UPDATE_ENDPOINT_RESUME_DELIVERIES =
      """
      UPDATE webhook_deliveries SET next_attempt_at = $2, updated_at = $3
       WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at > $2
      """;

  static final String DELETE_ENDPOINT = "DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id";

  static final String ROTATE_SECRET =
      "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $3,"
          + " secret = $2, updated_at = $4 WHERE id = $1 RETURNING "
          + ENDPOINT_COLUMNS;

  /**
   * Disables an endpoint that is enabled; returns it only if this statement disabled it, with the
   * disabling transaction's id ({@code disabled_by}), which tells this disabling from any other.
   */
  static final String DISABLE_ENDPOINT =
      "UPDATE webhook_endpoints SET status = 'disabled', disabled_reason = $2, updated_at = $3"
          + " WHERE id = $1 AND status = 'enabled' RETURNING pg_current_xact_id()::text AS"
          + " disabled_by, "
          + ENDPOINT_COLUMNS;

  /**
   * The enabled endpoints no other process is handing events to right now, locked. NO KEY UPDATE:
   * the attempts being recorded meanwhile hold KEY SHARE locks on their endpoints, which this lock
   * does not wait for or skip.
   */
  static final String LOCK_ENDPOINTS_FOR_FANOUT =
      """
      SELECT id, enabled_events, cursor_xid::text AS cursor_xid, cursor_seq
        FROM webhook_endpoints
       WHERE status = 'enabled'
       ORDER BY id
         FOR NO KEY UPDATE SKIP LOCKED
      """;

  /**
   * Hands the next events (of finished transactions, in order) to one endpoint: a delivery for each
   * it subscribes to. Returns the position reached and how many were read.
   */
  static final String FAN_OUT =
      """
      WITH batch AS (
          SELECT e.id, e.xid, e.seq, e.type FROM events e
           WHERE (e.xid, e.seq) > ($2::xid8, $3::bigint)
             AND e.xid < pg_snapshot_xmin(pg_current_snapshot())
           ORDER BY e.xid, e.seq
           LIMIT $4),
      handed AS (
          INSERT INTO webhook_deliveries (endpoint_id, event_id, event_seq, status, next_attempt_at,
                                          created_at, updated_at)
          SELECT $1, b.id, b.seq, 'pending', $5, $6, $6 FROM batch b
           WHERE '*' = ANY($7::text[]) OR b.type = ANY($7::text[])
              ON CONFLICT DO NOTHING
          RETURNING 1)
      SELECT (SELECT count(*) FROM batch) AS read,
             (SELECT count(*) FROM handed) AS handed,
             last.xid::text AS xid, last.seq
        FROM (SELECT xid, seq FROM batch ORDER BY xid DESC, seq DESC LIMIT 1) last
      """;

  /**
   * An endpoint's deliveries waiting, counted up to $2: fan-out hands an endpoint only as many
   * events as its window has room for, so a backlog stays in the events table (written anyway)
   * instead of becoming a delivery row per event ahead of the delivery.
   */
  static final String COUNT_PENDING =
      """
      SELECT count(*) AS pending FROM (
          SELECT 1 FROM webhook_deliveries
           WHERE endpoint_id = $1 AND status = 'pending'
           LIMIT $2) p
      """;

  static final String UPDATE_CURSOR =
      "UPDATE webhook_endpoints SET cursor_xid = $2::xid8, cursor_seq = $3 WHERE id = $1";

  /**
   * Claims an endpoint's due deliveries (not under way in any process) for one attempt each: leased
   * in real time for the attempt's length, returned with their events.
   */
  static final String CLAIM_DELIVERIES =
      """
      WITH claimed AS (
          UPDATE webhook_deliveries d
             SET lease_until = now() + $4 * interval '1 millisecond'
           WHERE (d.endpoint_id, d.event_id) IN (
                 SELECT endpoint_id, event_id FROM webhook_deliveries
                  WHERE endpoint_id = $1 AND status = 'pending' AND next_attempt_at <= $2
                    AND (lease_until IS NULL OR lease_until < now())
                  ORDER BY next_attempt_at, event_seq
                  LIMIT $3
                    FOR UPDATE SKIP LOCKED)
          RETURNING d.event_id, d.attempts, d.event_seq, d.lease_until)
      -- The endpoint's URL and secrets as of the claim: a delivery claimed after a secret's
      -- rotation committed is signed with both, whatever this process last read of the endpoint.
      SELECT c.attempts, c.lease_until, e.id, e.type, e.user_id, e.currency, e.wallet_seq, e.created_at, e.object,
             w.url, w.secret, w.previous_secret, w.previous_secret_until
        FROM claimed c JOIN events e ON e.id = c.event_id
        JOIN webhook_endpoints w ON w.id = $1
       ORDER BY c.event_seq
      """;

  /** Records the outcome of attempts: one row per delivery. */
  static final String UPDATE_DELIVERIES =
      """
      -- Only under the lease the attempt was claimed with: a delivery queued again meanwhile
      -- (redelivered, or re-enabled) keeps its new state.
      UPDATE webhook_deliveries d
         SET status = r.status, attempts = r.attempts, next_attempt_at = r.next_attempt_at,
             lease_until = NULL, updated_at = $6
        FROM (SELECT k.endpoint_id, ($2::text[])[k.i] AS event_id, ($3::text[])[k.i] AS status,
                     ($4::int[])[k.i] AS attempts, ($5::timestamptz[])[k.i] AS next_attempt_at,
                     ($7::timestamptz[])[k.i] AS lease_until
                FROM unnest($1::text[]) WITH ORDINALITY AS k(endpoint_id, i)) r
       WHERE d.endpoint_id = r.endpoint_id AND d.event_id = r.event_id
         AND d.lease_until = r.lease_until
      """;

  /**
   * Records attempts, of the endpoints that still exist: an endpoint deleted while its deliveries
   * were under way has no history to keep, and its attempts must not fail the batch (the outcomes
   * of other endpoints' deliveries with them). The endpoints are locked against deletion until the
   * batch commits.
   */
  static final String INSERT_ATTEMPTS =
      """
      INSERT INTO webhook_attempts (endpoint_id, event_id, attempt, attempted_at, status_code, error,
                                    latency_ms, response_body)
      SELECT k.endpoint_id, ($2::text[])[k.i], ($3::int[])[k.i], ($4::timestamptz[])[k.i],
             ($5::int[])[k.i], ($6::text[])[k.i], ($7::int[])[k.i], ($8::text[])[k.i]
        FROM unnest($1::text[]) WITH ORDINALITY AS k(endpoint_id, i)
       WHERE k.endpoint_id IN (SELECT w.id FROM webhook_endpoints w
                                WHERE w.id = ANY($1::text[])
                                  FOR KEY SHARE)
      """;

  static final String SELECT_ATTEMPTS =
      """
      SELECT id, event_id, attempt, attempted_at, status_code, error, latency_ms, response_body
        FROM webhook_attempts
       WHERE endpoint_id = $1 AND ($2::bigint IS NULL OR id < $2) AND ($3::text IS NULL OR event_id = $3)
       ORDER BY id DESC
       LIMIT $4
      """;

  /** Queues an event again to the endpoints given, enabled ones only: a fresh first attempt. */
  static final String REDELIVER =
      """
      INSERT INTO webhook_deliveries AS d (endpoint_id, event_id, event_seq, status, attempts,
                                           next_attempt_at, created_at, updated_at)
      SELECT w.id, e.id, e.seq, 'pending', 0, $3, $4, $4
        FROM events e, webhook_endpoints w
       WHERE e.id = $1 AND w.status = 'enabled' AND ($2::text IS NULL OR w.id = $2)
         AND ($2::text IS NOT NULL OR '*' = ANY(w.enabled_events) OR e.type = ANY(w.enabled_events))
          ON CONFLICT (endpoint_id, event_id) DO UPDATE
         SET status = 'pending', attempts = 0, next_attempt_at = $3, lease_until = NULL,
             updated_at = $4
      RETURNING d.endpoint_id
      """;
}
