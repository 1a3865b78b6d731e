package dev.kopek.payments;

/** Every SQL statement of the payments module, named verb-first; {@code $n} placeholders only. */
final class PaymentsSql {

  private PaymentsSql() {}

  private static final String RETURNING = " RETURNING " + PaymentRow.COLUMNS;

  static final String INSERT_PAYMENT = """
      INSERT INTO payments (id, user_id, gateway, amount_minor, currency, status,
                            provider_reference, client_secret, redirect_url, return_url,
                            checkout_token, checkout_expires_at, idempotency_key, request_hash,
                            next_poll_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
      ON CONFLICT ON CONSTRAINT one_payment_per_idempotency_key DO NOTHING
      """ + RETURNING;

  static final String SELECT_BY_IDEMPOTENCY_KEY =
      "SELECT " + PaymentRow.COLUMNS + " FROM payments WHERE user_id = $1 AND idempotency_key = $2";

  static final String SELECT_BY_ID = "SELECT " + PaymentRow.COLUMNS + " FROM payments WHERE id = $1";

  static final String SELECT_BY_TOKEN =
      "SELECT " + PaymentRow.COLUMNS + " FROM payments WHERE checkout_token = $1";

  static final String SELECT_BY_REFERENCE = "SELECT " + PaymentRow.COLUMNS
      + " FROM payments WHERE gateway = $1 AND provider_reference = $2";

  /** A user's top-ups, newest first, after the cursor payment when one is given. */
  static final String SELECT_PAGE = "SELECT " + PaymentRow.COLUMNS + """
       FROM payments p
      WHERE p.user_id = $1
        AND ($2::text IS NULL OR (p.created_at, p.id) < (
             SELECT c.created_at, c.id FROM payments c WHERE c.id = $2 AND c.user_id = $1))
      ORDER BY p.created_at DESC, p.id DESC
      LIMIT $3
      """;

  static final String UPDATE_REFERENCE = """
      UPDATE payments SET provider_reference = $2, updated_at = $3
       WHERE id = $1 AND provider_reference IS NULL
      """;

  /** Succeeded is final: a later decline or expiry never overrides it. */
  static final String UPDATE_SUCCEEDED = """
      UPDATE payments SET status = 'succeeded', ledger_entry_id = $2, decline_code = NULL,
                          next_poll_at = NULL, completed_at = $3, updated_at = $3
       WHERE id = $1 AND status IN ('pending', 'failed', 'expired')
      """ + RETURNING;

  static final String UPDATE_FAILED = """
      UPDATE payments SET status = 'failed', decline_code = $2, next_poll_at = NULL,
                          completed_at = $3, updated_at = $3
       WHERE id = $1 AND status = 'pending'
      """ + RETURNING;

  static final String UPDATE_EXPIRED = """
      UPDATE payments SET status = 'expired', next_poll_at = NULL, completed_at = $2, updated_at = $2
       WHERE id = $1 AND status = 'pending'
      """ + RETURNING;

  static final String UPDATE_FLAGGED = """
      UPDATE payments SET status = 'flagged', flag_reason = $2, next_poll_at = NULL, updated_at = $3
       WHERE id = $1 AND status IN ('pending', 'failed', 'expired')
      """ + RETURNING;

  /**
   * Claims pending payments whose poll is due, pushing their next poll out with exponential
   * backoff ($3 first wait, $4 cap, in milliseconds). SKIP LOCKED lets several Kopek processes
   * share the work without polling one payment twice at once.
   */
  static final String CLAIM_DUE_FOR_POLL = """
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
      """ + RETURNING;

  static final String SELECT_EVENT =
      "SELECT 1 FROM payment_events WHERE gateway = $1 AND provider_event_id = $2";

  static final String INSERT_EVENT = """
      INSERT INTO payment_events (gateway, provider_event_id, event_type, payment_id, received_at)
      VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT DO NOTHING
      """;

  static final String SELECT_REFUND_BY_KEY =
      "SELECT id, payment_id, amount_minor, provider_reference, ledger_entry_id FROM payment_refunds"
          + " WHERE idempotency_key = $1";

  static final String INSERT_REFUND = """
      INSERT INTO payment_refunds (id, payment_id, amount_minor, idempotency_key, provider_reference,
                                   ledger_entry_id, created_by, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT (idempotency_key) DO NOTHING
      """;

  static final String UPDATE_REFUNDED = """
      UPDATE payments SET refunded_minor = refunded_minor + $2,
                          status = CASE WHEN refunded_minor + $2 = amount_minor THEN 'refunded'
                                        ELSE status END,
                          updated_at = $3
       WHERE id = $1 AND status = 'succeeded'
      """ + RETURNING;
}
