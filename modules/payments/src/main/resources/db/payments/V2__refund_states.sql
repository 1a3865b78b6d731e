-- Refunds as a durable state machine, provider objects matched by the id Kopek stored, and
-- top-ups whose start at the provider had an unknown outcome.

-- A refund's life, written before each step so that a crash or a lost answer at any point
-- leaves a state that says what to do next:
--   requested  the refund is accepted; its debit may or may not be in the ledger yet (posting
--              it again under the same ledger key is safe)
--   debited    the wallet is debited; the provider has not been asked
--   sent       the provider is being asked; until its answer is recorded the outcome is open
--   unknown    the provider's answer was lost (timeout, unreadable answer, connection lost):
--              resolved by looking the refund up at the provider or sending it again with the
--              same provider idempotency key, never by reversing the debit
--   succeeded  the provider refunded (final)
--   refused    the provider refused for certain; the debit's reversal is being written
--   reversed   refused, and the debit reversed (final for this attempt; a retry with the same
--              key starts a new attempt with a new debit)
--   rejected   the wallet could not be debited (insufficient funds): nothing was sent (final for
--              this attempt, like reversed)
-- Every refund made before this migration was recorded only once the provider had refunded.
ALTER TABLE payment_refunds
    ADD COLUMN status            TEXT        NOT NULL DEFAULT 'succeeded'
        CHECK (status IN ('requested', 'debited', 'sent', 'unknown', 'succeeded', 'refused',
                          'reversed', 'rejected')),
    -- the attempt counter: each attempt debits under its own ledger key
    ADD COLUMN attempt           INT         NOT NULL DEFAULT 1 CHECK (attempt >= 1),
    -- what the request asked for (null: everything refundable), to tell a replay from a reuse
    ADD COLUMN requested_minor   BIGINT,
    ADD COLUMN reversal_entry_id BIGINT,
    ADD COLUMN failure_code      TEXT,
    ADD COLUMN failure_message   TEXT,
    -- who drives the refund now (a request or a janitor round), and until when
    ADD COLUMN lease_until       TIMESTAMPTZ,
    -- when the janitor next looks at an unfinished refund
    ADD COLUMN next_attempt_at   TIMESTAMPTZ,
    ADD COLUMN resolve_attempts  INT         NOT NULL DEFAULT 0,
    ADD COLUMN updated_at        TIMESTAMPTZ;

UPDATE payment_refunds SET updated_at = created_at WHERE updated_at IS NULL;
ALTER TABLE payment_refunds ALTER COLUMN updated_at SET NOT NULL;

CREATE INDEX payment_refunds_by_payment ON payment_refunds (payment_id);
CREATE INDEX payment_refunds_to_resolve ON payment_refunds (next_attempt_at)
    WHERE status IN ('requested', 'debited', 'sent', 'unknown', 'refused');

-- A top-up whose start at the provider had an unknown outcome is stored as pending with
-- checkout_started false; the retry with the same key, the checkout page and the janitor start
-- it again with the same provider idempotency key.
ALTER TABLE payments ADD COLUMN checkout_started BOOLEAN NOT NULL DEFAULT true;

-- Money the provider reports as received that no Kopek payment accounts for: an object Kopek
-- never created, or a second paid object for a payment already settled. Never credited, never
-- dropped: an operator settles each one with the provider (refund it there, or credit the user
-- by an adjustment).
CREATE TABLE unmatched_provider_payments (
    id                 TEXT        PRIMARY KEY,
    gateway            TEXT        NOT NULL,
    provider_reference TEXT        NOT NULL,
    -- the Kopek payment the object's metadata names, if any (unverified)
    claimed_payment_id TEXT,
    amount_minor       BIGINT      NOT NULL,
    currency           TEXT,
    reason             TEXT        NOT NULL,
    source             TEXT        NOT NULL,
    first_event_id     TEXT,
    received_at        TIMESTAMPTZ NOT NULL,
    CONSTRAINT one_record_per_provider_object UNIQUE (gateway, provider_reference)
);

CREATE INDEX unmatched_provider_payments_open ON unmatched_provider_payments (received_at DESC, id DESC);
