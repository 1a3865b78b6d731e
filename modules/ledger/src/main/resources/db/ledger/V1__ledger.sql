-- The ledger's tables. Double entry, TigerBeetle style: every row of ledger_entries is one
-- transfer between a user wallet and a system account (revenue, adjustments, gateway clearing),
-- so the balances of all accounts of a currency always sum to zero.

CREATE TABLE ledger_accounts (
    id             BIGSERIAL   PRIMARY KEY,
    -- 'wallet' (a user's balance, guarded) or 'system' (revenue, adjustments, gateway:<id>)
    account_kind   TEXT        NOT NULL CHECK (account_kind IN ('wallet', 'system')),
    -- the user id for wallets, the system account's name otherwise
    name           TEXT        NOT NULL,
    currency       CHAR(3)     NOT NULL,
    balance_minor  BIGINT      NOT NULL DEFAULT 0,
    -- sequence number and hash of the wallet's newest entry (the head of its hash chain)
    entry_count    BIGINT      NOT NULL DEFAULT 0,
    last_hash      BYTEA,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- The balance guard, enforced a second time by the database itself.
    CONSTRAINT wallet_never_negative CHECK (account_kind <> 'wallet' OR balance_minor >= 0),
    CONSTRAINT one_account_per_currency UNIQUE (account_kind, name, currency)
);

CREATE TABLE ledger_entries (
    -- assigned after the wallet is locked, so a wallet's entries are numbered in commit order
    id                  BIGSERIAL   PRIMARY KEY,
    wallet_id           BIGINT      NOT NULL REFERENCES ledger_accounts (id),
    counter_account_id  BIGINT      NOT NULL REFERENCES ledger_accounts (id),
    -- denormalized from the accounts (entries never change, so neither do these copies)
    user_id             TEXT        NOT NULL,
    currency            CHAR(3)     NOT NULL,
    counter_account     TEXT        NOT NULL,
    -- signed from the wallet's side: positive credited it, negative debited it
    amount_minor        BIGINT      NOT NULL CHECK (amount_minor <> 0),
    balance_after_minor BIGINT      NOT NULL CHECK (balance_after_minor >= 0),
    kind                TEXT        NOT NULL,
    reason              TEXT        NOT NULL,
    reference           TEXT,
    -- the caller's key; a repeat of the same command returns this entry
    idempotency_key     TEXT        NOT NULL,
    request_hash        BYTEA       NOT NULL,
    -- position in the wallet's chain, the previous entry's hash and this entry's hash
    seq                 BIGINT      NOT NULL,
    prev_hash           BYTEA       NOT NULL,
    hash                BYTEA       NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    CONSTRAINT one_entry_per_idempotency_key UNIQUE (idempotency_key),
    CONSTRAINT one_entry_per_chain_position UNIQUE (wallet_id, seq)
);

CREATE INDEX ledger_entries_by_user ON ledger_entries (user_id, id DESC);
CREATE INDEX ledger_entries_by_counter_account ON ledger_entries (counter_account_id);

-- Entries are append-only: the database refuses to change or remove one, whoever asks.
CREATE FUNCTION ledger_entries_are_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER ledger_entries_no_update_or_delete
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_are_append_only();

CREATE TRIGGER ledger_entries_no_truncate
    BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_are_append_only();
