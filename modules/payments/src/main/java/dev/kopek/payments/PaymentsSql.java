package dev.kopek.payments;

/** Every SQL statement of the payments module, named verb-first; {@code $n} placeholders only. */
final class PaymentsSql {

  private PaymentsSql() {}

  private static final String RETURNING = " RETURNING " + PaymentRow.COLUMNS;

  static final String INSERT_PAYMENT =
      """
      INSERT INTO payments (id, user_id, gateway, amount_minor, currency, status,
                            provider_reference, client_secret, redirect_url, return_url,
                            checkout_token, checkout_expires_at, idempotency_key, request_hash,
                            next_poll_at, created_at, updated_at, checkout_started)
      VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15,
              $16)
      ON CONFLICT ON CONSTRAINT one_payment_per_idempotency_key DO NOTHING
      """
          + RETURNING;

  static final String SELECT_BY_IDEMPOTENCY_KEY =
      "SELECT " + PaymentRow.COLUMNS + " FROM payments WHERE user_id = $1 AND idempotency_key = $2";

  static final String SELECT_BY_ID =
      "SELECT " + PaymentRow.COLUMNS + " FROM payments WHERE id = $1";

  static final String SELECT_BY_TOKEN =
      "SELECT " + PaymentRow.COLUMNS + " FROM payments WHERE checkout_token = $1";

  static final String SELECT_BY_REFERENCE =
      "SELECT "
          + PaymentRow.COLUMNS
          + " FROM payments WHERE gateway = $1 AND provider_reference = $2";

  /** A user's top-ups, newest first, after the cursor payment when one is given. */
  static final String SELECT_PAGE =
      "SELECT "
          + PaymentRow.COLUMNS
          + """
       FROM payments p
      WHERE p.user_id = $1
        AND ($2::text IS NULL OR (p.created_at, p.id) < (
             SELECT c.created_at, c.id FROM payments c WHERE c.id = $2 AND c.user_id = $1))
      ORDER BY p.created_at DESC, p.id DESC
      LIMIT $3
      """;

  static final String UPDATE_REFERENCE =
      """
      UPDATE payments SET provider_reference = $2, updated_at = $3
       WHERE id = $1 AND provider_reference IS NULL
      """;

  /** The provider's object for a payment, as the provider itself reported it. */
  static final String UPDATE_BOUND_REFERENCE =
      """
      UPDATE payments SET provider_reference = $2, updated_at = $3 WHERE id = $1
      """;

  /** Succeeded is final: a later decline or expiry never overrides it. */
  static final String UPDATE_SUCCEEDED =
      """
      UPDATE payments SET status = 'succeeded', ledger_entry_id = $2, decline_code = NULL,
                          next_poll_at = NULL, completed_at = $3, updated_at = $3
       WHERE id = $1 AND status IN ('pending', 'failed', 'expired')
      """
          + RETURNING;

  static final String UPDATE_FAILED =
      """
      UPDATE payments SET status = 'failed', decline_code = $2, next_poll_at = NULL,
                          completed_at = $3, updated_at = $3
       WHERE id = $1 AND status = 'pending'
      """
          + RETURNING;

  static final String UPDATE_EXPIRED =
      """
      UPDATE payments SET status = 'expired', next_poll_at = NULL, completed_at = $2, updated_at = $2
       WHERE id = $1 AND status = 'pending'
      """
          + RETURNING;

  static final String UPDATE_FLAGGED =
      """
      UPDATE payments SET status = 'flagged', flag_reason = $2, next_poll_at = NULL, updated_at = $3
       WHERE id = $1 AND status IN ('pending', 'failed', 'expired')
      """
          + RETURNING;

  /**
   * Claims pending payments whose poll is due, pushing their next poll out with exponential backoff
   * ($3 first wait, $4 cap, in milliseconds). SKIP LOCKED lets several Kopek processes share the
   * work without polling one payment twice at once.
   */
  static final String CLAIM_DUE_FOR_POLL =
      """
      UPDATE payments p
         SET poll_attempts = p.poll_attempts + 1,
             next_poll_at = $1 + make_interval(secs =>
                 LEAST($3::double precision * power(2, p.poll_attempts), $4::double precision) / 1000),
             updated_at = $1
       WHERE p.id IN (SELECT id FROM payments
                       WHERE status = 'pending' AND next_poll_at <= $1
                       ORDER BY next_poll_at
                       LIMIT $2
                         FOR UPDATE SKIP LOCKED)
      """
          + RETURNING;

  static final String SELECT_EVENT =
      "SELECT 1 FROM payment_events WHERE gateway = $1 AND provider_event_id = $2";

  static final String INSERT_EVENT =
      """
      INSERT INTO payment_events (gateway, provider_event_id, event_type, payment_id, received_at)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT DO NOTHING
      """;

  private static final String REFUND_RETURNING = " RETURNING " + RefundRow.COLUMNS;

  static final String SELECT_REFUND_BY_KEY =
      "SELECT " + RefundRow.COLUMNS + " FROM payment_refunds WHERE idempotency_key = $1";

  static final String SELECT_REFUND_BY_ID =
      "SELECT " + RefundRow.COLUMNS + " FROM payment_refunds WHERE id = $1";

  /** Locks the payment while a refund is measured against it, so refunds never exceed it. */
  static final String LOCK_PAYMENT =
      "SELECT " + PaymentRow.COLUMNS + " FROM payments WHERE id = $1 FOR UPDATE";

  /** What other refunds of a payment hold: all but those that ended with nothing refunded. */
  static final String SELECT_REFUNDS_HELD =
      """
      SELECT COALESCE(SUM(amount_minor), 0) AS held FROM payment_refunds
       WHERE payment_id = $1 AND id <> $2 AND status NOT IN ('reversed', 'rejected')
      """;

  /** A new refund, leased to the request that opens it ($9) and due for the janitor after it. */
  static final String INSERT_REFUND =
      """
      INSERT INTO payment_refunds (id, payment_id, amount_minor, idempotency_key, requested_minor,
                                   created_by, created_at, updated_at, status, attempt,
                                   lease_until, next_attempt_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $7, 'requested', 1, $8, $8)
      ON CONFLICT (idempotency_key) DO NOTHING
      """
          + REFUND_RETURNING;

  /** Another attempt of a refund whose last attempt ended with nothing refunded. */
  static final String RESTART_REFUND =
      """
      UPDATE payment_refunds
         SET status = 'requested', attempt = attempt + 1, amount_minor = $2,
             ledger_entry_id = NULL, reversal_entry_id = NULL, provider_reference = NULL,
             failure_code = NULL, failure_message = NULL, lease_until = $3, next_attempt_at = $3,
             resolve_attempts = 0, updated_at = $4
       WHERE id = $1 AND status IN ('reversed', 'rejected')
      """
          + REFUND_RETURNING;

  /** Takes the lease of an unleased (or expired) refund; empty when somebody else holds it. */
  static final String LEASE_REFUND =
      """
      UPDATE payment_refunds SET lease_until = $2, updated_at = $3
       WHERE id = $1 AND (lease_until IS NULL OR lease_until < $3)
      """
          + REFUND_RETURNING;

  /**
   * Moves a refund from status $2 to $3 (a conditional update: a step taken by somebody else in the
   * meantime makes it a no-op), filling in what the step learned; $8 is the new lease (null
   * releases it) and $9 when the janitor should look next (null: never).
   */
  static final String MOVE_REFUND =
      """
      UPDATE payment_refunds
         SET status = $3,
             ledger_entry_id = COALESCE($4, ledger_entry_id),
             reversal_entry_id = COALESCE($5, reversal_entry_id),
             provider_reference = COALESCE($6, provider_reference),
             failure_code = COALESCE($7, failure_code),
             failure_message = COALESCE($10, failure_message),
             lease_until = $8, next_attempt_at = $9, updated_at = $11
       WHERE id = $1 AND status = $2
      """
          + REFUND_RETURNING;

  /**
   * Claims unfinished refunds due for the janitor whose lease is free, leasing them ($2) and
   * pushing their next look out with exponential backoff ($4 first wait, $5 cap, milliseconds).
   */
  static final String CLAIM_REFUNDS_DUE =
      """
      UPDATE payment_refunds r
         SET lease_until = $2, resolve_attempts = r.resolve_attempts + 1, updated_at = $1,
             next_attempt_at = $1 + make_interval(secs =>
                 LEAST($4::double precision * power(2, r.resolve_attempts), $5::double precision)
                 / 1000)
       WHERE r.id IN (SELECT id FROM payment_refunds
                       WHERE status IN ('requested', 'debited', 'sent', 'unknown', 'refused')
                         AND next_attempt_at <= $1
                         AND (lease_until IS NULL OR lease_until < $1)
                       ORDER BY next_attempt_at
                       LIMIT $3
                         FOR UPDATE SKIP LOCKED)
      """
          + REFUND_RETURNING;

  static final String UPDATE_REFUNDED =
      """
      UPDATE payments SET refunded_minor = refunded_minor + $2,
                          status = CASE WHEN refunded_minor + $2 = amount_minor THEN 'refunded'
                                        ELSE status END,
                          updated_at = $3
       WHERE id = $1 AND status = 'succeeded'
      """
          + RETURNING;

  static final String INSERT_UNMATCHED =
      """
      INSERT INTO unmatched_provider_payments (id, gateway, provider_reference, claimed_payment_id,
                                               amount_minor, currency, reason, source,
                                               first_event_id, received_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
      ON CONFLICT ON CONSTRAINT one_record_per_provider_object DO NOTHING
      """;

  /** Unmatched provider payments, newest first, after the cursor record when one is given. */
  static final String SELECT_UNMATCHED_PAGE =
      """
      SELECT id, gateway, provider_reference, claimed_payment_id, amount_minor, currency, reason,
             source, first_event_id, received_at
        FROM unmatched_provider_payments u
       WHERE ($1::text IS NULL OR (u.received_at, u.id) < (
              SELECT c.received_at, c.id FROM unmatched_provider_payments c WHERE c.id = $1))
       ORDER BY u.received_at DESC, u.id DESC
       LIMIT $2
      """;

  /** Starts, with the provider's answer, a payment whose start had an unknown outcome. */
  static final String UPDATE_STARTED =
      """
      UPDATE payments SET checkout_started = true, provider_reference = $2, client_secret = $3,
                          redirect_url = $4, updated_at = $5
       WHERE id = $1 AND NOT checkout_started
      """
          + RETURNING;
}
