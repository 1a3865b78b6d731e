-- A wallet's pending run is written for every wallet a run charges and read back only when a run
-- did not finish: it is kept as the JSON text it was written as, instead of being parsed into
-- jsonb at every write (at 500 wallets a chunk, that parse was a large part of storing the plans).
-- The run id, which ending a run compares, gets a column of its own.
ALTER TABLE billing_wallets ADD COLUMN pending_run_id TEXT;
UPDATE billing_wallets SET pending_run_id = pending_run ->> 'run_id' WHERE pending_run IS NOT NULL;
ALTER TABLE billing_wallets ALTER COLUMN pending_run TYPE TEXT USING pending_run::text;
