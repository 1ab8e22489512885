DROP TRIGGER accounts_ledger_versions_delete ON accounts;
DROP TRIGGER accounts_ledger_versions_update ON accounts;
DROP TRIGGER accounts_ledger_versions_insert ON accounts;
DROP TRIGGER transactions_ledger_versions_delete ON transactions;
DROP TRIGGER transactions_ledger_versions_update ON transactions;
DROP TRIGGER transactions_ledger_versions_insert ON transactions;
DROP FUNCTION ledger_versions_bump();
DROP TABLE ledger_versions;
