-- Recurring billing: plans, subscriptions cut into segments, and one timer of record per wallet.

CREATE TABLE billing_plans (
    code         TEXT        PRIMARY KEY,
    name         TEXT        NOT NULL,
    price_minor  BIGINT      NOT NULL CHECK (price_minor > 0),
    currency     CHAR(3)     NOT NULL,
    -- the ISO-8601 duration as given, and its exact length
    period       TEXT        NOT NULL,
    period_ms    BIGINT      NOT NULL CHECK (period_ms >= 1000),
    retired_at   TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE billing_subscriptions (
    id                    TEXT        PRIMARY KEY,
    user_id               TEXT        NOT NULL,
    currency              CHAR(3)     NOT NULL,
    plan_code             TEXT        NOT NULL REFERENCES billing_plans (code),
    status                TEXT        NOT NULL CHECK (status IN ('active', 'suspended', 'cancelled')),
    -- the current segment: number, start, the price it runs at, and what it was charged so far
    segment               INT         NOT NULL,
    anchor                TIMESTAMPTZ NOT NULL,
    price_minor           BIGINT      NOT NULL,
    period_ms             BIGINT      NOT NULL,
    periods_charged       BIGINT      NOT NULL DEFAULT 0,
    segment_charged_minor BIGINT      NOT NULL DEFAULT 0,
    -- usage is settled up to here (the seed's last billing time)
    billed_through        TIMESTAMPTZ NOT NULL,
    suspended_at          TIMESTAMPTZ,
    cancelled_at          TIMESTAMPTZ,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);

CREATE INDEX billing_subscriptions_by_wallet ON billing_subscriptions (user_id, currency)
    WHERE status <> 'cancelled';

-- One row per segment that ended: the audit trail of what each stretch of a subscription cost.
CREATE TABLE billing_segments (
    subscription_id TEXT        NOT NULL REFERENCES billing_subscriptions (id),
    segment         INT         NOT NULL,
    plan_code       TEXT        NOT NULL,
    anchor          TIMESTAMPTZ NOT NULL,
    ended_at        TIMESTAMPTZ NOT NULL,
    end_reason      TEXT        NOT NULL,
    charged_minor   BIGINT      NOT NULL,
    PRIMARY KEY (subscription_id, segment)
);

-- The timer of record per wallet with subscriptions. A run's plan is written here before its
-- entries are posted (pending_run), so a crash between the ledger and this table is completed by
-- reposting the same entries, which the ledger's idempotency turns into replays.
CREATE TABLE billing_wallets (
    user_id        TEXT        NOT NULL,
    currency       CHAR(3)     NOT NULL,
    next_charge_at TIMESTAMPTZ,
    pending_run    JSONB,
    lease_until    TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, currency)
);

CREATE INDEX billing_wallets_due ON billing_wallets (next_charge_at) WHERE next_charge_at IS NOT NULL;

-- Replies to subscription commands by idempotency key, so a retry gets the first reply.
CREATE TABLE billing_commands (
    user_id         TEXT        NOT NULL,
    idempotency_key TEXT        NOT NULL,
    request_hash    BYTEA       NOT NULL,
    reply           JSONB       NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);

-- The shared test clock (only used with billing.test_clock: true): one row, never moving back, so
-- every Kopek process on the database bills by the same simulated time.
CREATE TABLE billing_test_clock (
    id      INT         PRIMARY KEY CHECK (id = 1),
    now     TIMESTAMPTZ NOT NULL
);
