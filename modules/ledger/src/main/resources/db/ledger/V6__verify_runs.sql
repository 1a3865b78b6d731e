-- Every run of the ledger's self-check (kopek.ledger.verify): when, and what it found. The
-- operator console shows the newest.
CREATE TABLE ledger_verify_runs (
    id              BIGSERIAL   PRIMARY KEY,
    ran_at          TIMESTAMPTZ NOT NULL,
    ok              BOOLEAN     NOT NULL,
    wallets_checked BIGINT      NOT NULL,
    entries_checked BIGINT      NOT NULL,
    broken          JSONB
);
