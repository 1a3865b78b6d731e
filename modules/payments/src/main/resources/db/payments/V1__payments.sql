-- Top-ups: payments taken through a provider and credited to a wallet exactly once.

CREATE TABLE payments (
    -- derived from (user_id, idempotency_key), so a retried request reaches the provider with
    -- the same payment id and the provider's own idempotency returns the same payment
    id                  TEXT        PRIMARY KEY,
    user_id             TEXT        NOT NULL,
    gateway             TEXT        NOT NULL,
    amount_minor        BIGINT      NOT NULL CHECK (amount_minor > 0),
    currency            CHAR(3)     NOT NULL,
    status              TEXT        NOT NULL
        CHECK (status IN ('pending', 'succeeded', 'failed', 'expired', 'flagged', 'refunded')),
    decline_code        TEXT,
    flag_reason         TEXT,
    provider_reference  TEXT,
    client_secret       TEXT,
    redirect_url        TEXT,
    return_url          TEXT,
    -- the hosted checkout page's capability: unguessable, expiring, for this payment only
    checkout_token      TEXT        NOT NULL UNIQUE,
    checkout_expires_at TIMESTAMPTZ NOT NULL,
    idempotency_key     TEXT        NOT NULL,
    request_hash        BYTEA       NOT NULL,
    ledger_entry_id     BIGINT,
    refunded_minor      BIGINT      NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
    -- reconciliation: when to ask the provider next, and how often it was asked
    next_poll_at        TIMESTAMPTZ,
    poll_attempts       INT         NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    completed_at        TIMESTAMPTZ,
    CONSTRAINT one_payment_per_idempotency_key UNIQUE (user_id, idempotency_key),
    CONSTRAINT refunds_within_amount CHECK (refunded_minor <= amount_minor)
);

CREATE INDEX payments_by_user ON payments (user_id, created_at DESC, id DESC);
CREATE INDEX payments_by_reference ON payments (gateway, provider_reference);
CREATE INDEX payments_to_poll ON payments (next_poll_at) WHERE status = 'pending';

-- Every verified provider event, once: a redelivered event is acknowledged and ignored.
CREATE TABLE payment_events (
    gateway           TEXT        NOT NULL,
    provider_event_id TEXT        NOT NULL,
    event_type        TEXT        NOT NULL,
    payment_id        TEXT,
    received_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (gateway, provider_event_id)
);

CREATE TABLE payment_refunds (
    id                 TEXT        PRIMARY KEY,
    payment_id         TEXT        NOT NULL REFERENCES payments (id),
    amount_minor       BIGINT      NOT NULL CHECK (amount_minor > 0),
    idempotency_key    TEXT        NOT NULL UNIQUE,
    provider_reference TEXT,
    ledger_entry_id    BIGINT,
    created_by         TEXT        NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL
);
