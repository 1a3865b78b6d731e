-- The runs left pending by a process that died are found by this index, so that claiming due
-- wallets never scans every wallet: due timers are found by billing_wallets_due.
CREATE INDEX billing_wallets_pending ON billing_wallets (lease_until) WHERE pending_run IS NOT NULL;
