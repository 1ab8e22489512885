//! SQLite: what the insert triggers keep in step with the transactions (the text index,
//! `monthly_sums`, `merchant_sums`, `ledger_versions`), written for an import's rows by
//! set-based statements instead of once per row by the triggers, which skip rows carrying an
//! import id (migration `import_rows_kept_per_batch`): the sums once per batch, the text index
//! and the ledger version once per import. Each statement is its trigger's arithmetic over the
//! rows, grouped, so the results are the same; they run in the commit's transaction, so nothing
//! is ever half-written. PostgreSQL needs none of this: its triggers already run once per
//! statement (per COPY).

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::SqliteConnection;

#[derive(QueryableByName)]
struct LastId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The greatest transaction id so far: the rows a batch then inserts all have greater ones
/// (`INTEGER PRIMARY KEY` without AUTOINCREMENT takes the greatest plus one, and the commit
/// holds the only write lock).
pub fn last_id(c: &mut SqliteConnection) -> QueryResult<i64> {
    diesel::sql_query("SELECT COALESCE(MAX(id), 0) AS id FROM transactions")
        .get_result::<LastId>(c)
        .map(|l| l.id)
}

/// The rows written: this import's, after `last_id` as it was before them.
const BATCH: &str = "FROM transactions WHERE id > ?1 AND import_id = ?2";

/// Adds up the rows of `import_id` inserted after id `after`, as the
/// `transactions_monthly_sums_insert` and `transactions_merchant_sums_insert` triggers would
/// have row by row.
pub fn batch_written(c: &mut SqliteConnection, import_id: i64, after: i64) -> QueryResult<()> {
    let statements = [
        format!(
            "INSERT INTO monthly_sums (account_id, month, category_id, inflow, outflow, count) \
             SELECT account_id, strftime('%Y-%m-01', date), category_id, \
                    SUM(MAX(amount, 0)), SUM(MIN(amount, 0)), COUNT(*) \
             {BATCH} AND NOT is_transfer \
             GROUP BY 1, 2, 3 \
             ON CONFLICT (account_id, month, COALESCE(category_id, 0)) DO UPDATE SET \
                 inflow = inflow + excluded.inflow, \
                 outflow = outflow + excluded.outflow, \
                 count = count + excluded.count"
        ),
        format!(
            "INSERT INTO merchant_sums (account_id, month, merchant_key, merchant, outflow, count) \
             SELECT account_id, strftime('%Y-%m-01', date), merchant_key, merchant, \
                    SUM(amount), COUNT(*) \
             {BATCH} AND NOT is_transfer AND amount < 0 AND merchant_key <> '' \
             GROUP BY 1, 2, 3, 4 \
             ON CONFLICT (account_id, month, merchant_key, (merchant IS NULL), \
                          COALESCE(merchant, '')) DO UPDATE SET \
                 outflow = outflow + excluded.outflow, \
                 count = count + excluded.count"
        ),
    ];
    for sql in &statements {
        diesel::sql_query(sql)
            .bind::<BigInt, _>(after)
            .bind::<BigInt, _>(import_id)
            .execute(c)?;
    }
    Ok(())
}

/// Indexes the rows of `import_id` inserted after id `after` (every batch of the import), as
/// `transactions_fts_insert` would have row by row. Once per import, not per batch: FTS5 writes
/// its pending entries out as a new segment at the end of each statement and merges segments
/// as they pile up, so one statement for the whole import writes each entry about half as
/// often (docs/BENCHMARKS.md, "SQLite's own floor for an import, and the text index written
/// once per import").
pub fn text_indexed(c: &mut SqliteConnection, import_id: i64, after: i64) -> QueryResult<()> {
    // In rowid order, as FTS5 appends best.
    diesel::sql_query(format!(
        "INSERT INTO transactions_fts (rowid, description, merchant, notes) \
         SELECT id, description, merchant, notes {BATCH} ORDER BY id"
    ))
    .bind::<BigInt, _>(after)
    .bind::<BigInt, _>(import_id)
    .execute(c)?;
    Ok(())
}

/// One new ledger version for the whole import (the trigger made one a row): what a cache
/// keyed by it needs is that it changes in the transaction that wrote, as it does here. A user
/// who never wrote starts at a random number, as in `transactions_ledger_versions_insert`.
pub fn ledger_written(c: &mut SqliteConnection, user_id: i64) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO ledger_versions (user_id, version) \
         SELECT ?1, abs(random() / 4) WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1) \
         ON CONFLICT (user_id) DO UPDATE SET version = version + 1",
    )
    .bind::<BigInt, _>(user_id)
    .execute(c)?;
    Ok(())
}
