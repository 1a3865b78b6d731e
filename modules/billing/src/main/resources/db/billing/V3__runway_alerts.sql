-- wallet.runway_low: the smallest runway threshold (ms) already announced for the wallet since its
-- runway was last above it (null: none), and the instant its balance was projected to run out at
-- its last run (to tell a crossing that came with time from one a change brought).
ALTER TABLE billing_wallets ADD COLUMN runway_alerted_ms BIGINT;
ALTER TABLE billing_wallets ADD COLUMN runout_at TIMESTAMPTZ;
