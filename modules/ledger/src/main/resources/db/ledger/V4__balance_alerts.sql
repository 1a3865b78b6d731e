-- A wallet's own balance threshold for wallet.balance_low (null: the currency's default from
-- alerts.balance_low_minor). Read with the wallet's lock by every batch that moves it.
ALTER TABLE ledger_accounts ADD COLUMN balance_low_minor BIGINT
    CHECK (balance_low_minor IS NULL OR balance_low_minor >= 0);
