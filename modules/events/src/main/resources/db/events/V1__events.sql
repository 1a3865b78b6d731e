-- Events: what happened, written in the same transaction as the fact itself (an outbox), so an
-- event exists if and only if its fact committed. Webhook endpoints, their deliveries and every
-- delivery attempt.

CREATE TABLE events (
    -- stable, derived from the fact: evt_<type>_<fact>
    id             TEXT        PRIMARY KEY,
    -- the transaction that wrote it. Readers take only events of finished transactions (xid below
    -- the oldest one still running) in (xid, seq) order: that order never gains a row behind a
    -- reader's position, as a plain sequence would when transactions commit out of order.
    xid            XID8        NOT NULL DEFAULT pg_current_xact_id(),
    seq            BIGSERIAL   NOT NULL,
    type           TEXT        NOT NULL,
    -- the wallet the event concerns, if any, and the sequence number of its newest entry then
    user_id        TEXT,
    currency       CHAR(3),
    wallet_seq     BIGINT,
    created_at     TIMESTAMPTZ NOT NULL,
    -- the event's data.object, JSON text, embedded as it is in every delivery
    object         TEXT        NOT NULL
);

CREATE INDEX events_in_order ON events (xid, seq);
CREATE INDEX events_of_user ON events (user_id, xid, seq) WHERE user_id IS NOT NULL;

-- An instant as Java's Instant.toString() writes it (RFC 3339, UTC, the fraction in groups of
-- three digits, none when zero), for event objects built in SQL.
CREATE FUNCTION events_instant_text(t TIMESTAMPTZ) RETURNS TEXT
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN date_part('microseconds', t)::BIGINT % 1000000 = 0 THEN ''
                WHEN date_part('microseconds', t)::BIGINT % 1000 = 0
                    THEN to_char(t AT TIME ZONE 'UTC', '.MS')
                ELSE to_char(t AT TIME ZONE 'UTC', '.US') END
        || 'Z'
$$;

CREATE TABLE webhook_endpoints (
    id                     TEXT        PRIMARY KEY,
    -- creation order (endpoints created in the same millisecond are listed as created)
    position               BIGSERIAL   NOT NULL,
    url                    TEXT        NOT NULL,
    description            TEXT,
    -- event types delivered, or {*} for all
    enabled_events         TEXT[]      NOT NULL,
    -- whsec_<base64 key>; while a secret rotates, the previous one keeps signing until
    -- previous_secret_until
    secret                 TEXT        NOT NULL,
    previous_secret        TEXT,
    previous_secret_until  TIMESTAMPTZ,
    status                 TEXT        NOT NULL CHECK (status IN ('enabled', 'disabled')),
    disabled_reason        TEXT,
    -- the newest event handed to this endpoint's deliveries, in (xid, seq) order
    cursor_xid             XID8        NOT NULL,
    cursor_seq             BIGINT      NOT NULL,
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL
);

-- One row per event and endpoint: whether it arrived, and when it is tried next.
CREATE TABLE webhook_deliveries (
    endpoint_id      TEXT        NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id         TEXT        NOT NULL,
    event_seq        BIGINT      NOT NULL,
    status           TEXT        NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         INT         NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ,
    -- an attempt under way in some process until then (real time)
    lease_until      TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (endpoint_id, event_id)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint_id, next_attempt_at, event_seq)
    WHERE status = 'pending';

-- Every attempt: when, what the endpoint answered (or why nothing), how long it took.
CREATE TABLE webhook_attempts (
    id             BIGSERIAL   PRIMARY KEY,
    endpoint_id    TEXT        NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id       TEXT        NOT NULL,
    attempt        INT         NOT NULL,
    attempted_at   TIMESTAMPTZ NOT NULL,
    status_code    INT,
    error          TEXT,
    latency_ms     INT         NOT NULL,
    -- the first kilobyte of the answer
    response_body  TEXT
);

CREATE INDEX webhook_attempts_of_endpoint ON webhook_attempts (endpoint_id, id DESC);
