-- Sign-in for Kopek's pages: the customer portal (for one user, opened from a link a merchant's
-- backend asked for) and the operator console (for one administrator). A row starts as a
-- one-time link and, once the link is used, is the browser's session.

CREATE TABLE web_sessions (
    -- the public half of the link's and the session's tokens (<id>.<secret>)
    id               TEXT        PRIMARY KEY,
    kind             TEXT        NOT NULL CHECK (kind IN ('portal', 'console')),
    -- the portal's user, or the console's administrator
    user_id          TEXT        NOT NULL,
    -- where the portal's "back" link goes (the merchant's site), if given
    return_url       TEXT,
    -- who asked for the link: an administrator's user id or api_key:<id>
    created_by       TEXT        NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    -- SHA-256 of the link's secret; the link works once, until link_expires_at
    link_hash        BYTEA       NOT NULL,
    link_expires_at  TIMESTAMPTZ NOT NULL,
    redeemed_at      TIMESTAMPTZ,
    -- SHA-256 of the session cookie's secret, set when the link is used
    session_hash     BYTEA,
    -- the token every form and htmx request of the session carries (CSRF)
    csrf_token       TEXT        NOT NULL,
    last_seen_at     TIMESTAMPTZ,
    -- the session ends after idle_ms without a request, or at expires_at, or when signed out
    idle_ms          BIGINT      NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL,
    ended_at         TIMESTAMPTZ
);

CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
