-- Access: API keys for merchant backends, and the audit log of administrative actions.
-- Owned by the access verticle (kopek.access.*); nothing else reads or writes these tables.

CREATE TABLE api_keys (
    -- kpk_<id>_<secret>: the id is lowercase letters and digits, never an underscore
    id                     TEXT        PRIMARY KEY,
    name                   TEXT        NOT NULL,
    scopes                 TEXT[]      NOT NULL,
    -- SHA-256 of the secret (32 random bytes, so a plain hash is enough: nothing to guess)
    secret_hash            BYTEA       NOT NULL,
    -- after a roll: the previous secret's hash, valid until previous_expires_at
    previous_secret_hash   BYTEA,
    previous_expires_at    TIMESTAMPTZ,
    created_at             TIMESTAMPTZ NOT NULL,
    -- who created it: an administrator's user id
    created_by             TEXT        NOT NULL,
    expires_at             TIMESTAMPTZ,
    revoked_at             TIMESTAMPTZ,
    -- to within a minute: written at most once a minute per key
    last_used_at           TIMESTAMPTZ,
    -- listing order
    seq                    BIGSERIAL   NOT NULL
);

CREATE INDEX api_keys_in_order ON api_keys (seq);

-- Who did what, when, and what came of it. Append-only, like the ledger's entries.
CREATE TABLE audit_log (
    id           BIGSERIAL   PRIMARY KEY,
    at           TIMESTAMPTZ NOT NULL,
    -- user (a token's user id) or api_key (a key's id)
    actor_type   TEXT        NOT NULL CHECK (actor_type IN ('user', 'api_key')),
    actor        TEXT        NOT NULL,
    -- method and route template, e.g. "POST /v1/admin/topups/{id}/refund"
    action       TEXT        NOT NULL,
    -- what the action named: path parameters and the body's user_id, code, ...
    targets      JSONB       NOT NULL,
    request_id   TEXT        NOT NULL,
    status       INT         NOT NULL
);

CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
CREATE INDEX audit_log_by_action ON audit_log (action, id);
CREATE INDEX audit_log_by_time ON audit_log (at);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_log_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

CREATE TRIGGER audit_log_no_truncate
    BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
