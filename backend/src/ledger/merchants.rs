//! Who a transaction is with, when the bank file does not say: the merchant key the categorizer
//! reads (`ml::text::merchant_key`), stored with each transaction so that reports can group by
//! it, and a readable name for it.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::schema::transactions;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::limits;
use crate::ml::text;
use crate::with_conn;

/// The longest key kept, in characters. Keys sit in index entries, which PostgreSQL holds to
/// 2,704 bytes, and a bank file's description may be a single long word; the migration
/// `category_index_with_merchant` cut the keys stored before to the same length.
pub const KEY_CHARS: usize = 100;

/// The merchant key of a transaction: from its merchant when it has one, else from its
/// description; empty when neither names anyone (only numbers and bank words). At most
/// `KEY_CHARS` characters.
pub fn key(merchant: Option<&str>, description: &str) -> String {
    let mut key = whole_key(merchant, description);
    limits::cut_to_chars(&mut key, KEY_CHARS);
    key
}

fn whole_key(merchant: Option<&str>, description: &str) -> String {
    match merchant.map(str::trim).filter(|m| !m.is_empty()) {
        Some(merchant) => {
            let key = text::merchant_key(merchant);
            if key.is_empty() {
                merchant.to_lowercase()
            } else {
                key
            }
        }
        None => text::merchant_key(description),
    }
}

/// A key as people write the name: `tesco stores` → `Tesco Stores`.
pub fn display(key: &str) -> String {
    key.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The name to show: the bank's merchant, else the derived one.
pub fn name(merchant: Option<&str>, key: Option<&str>) -> Option<String> {
    merchant
        .map(str::to_owned)
        .or_else(|| key.filter(|k| !k.is_empty()).map(display))
}

const BACKFILL_BATCH: i64 = 5_000;

/// Derives the key of every transaction stored before keys were (the migration adding the
/// column leaves them NULL): the derivation is Rust, not SQL. Rows sharing a key are updated in
/// one statement. Returns how many rows it filled.
pub fn backfill(conn: &mut DbConn) -> Result<usize, ApiError> {
    backfill_by(conn, BACKFILL_BATCH)
}

/// `backfill` in batches of `batch` rows.
pub fn backfill_by(conn: &mut DbConn, batch: i64) -> Result<usize, ApiError> {
    let mut filled = 0;
    // Batches walk the ids forwards, so none scans again the rows the ones before filled.
    let mut after = 0;
    loop {
        let rows: Vec<(i64, Option<String>, String)> = with_conn!(conn, c => transactions::table
            .filter(transactions::merchant_key.is_null())
            .filter(transactions::id.gt(after))
            .select((transactions::id, transactions::merchant, transactions::description))
            .order(transactions::id.asc())
            .limit(batch)
            .load(c))?;
        let Some((last, _, _)) = rows.last() else {
            return Ok(filled);
        };
        after = *last;
        let mut by_key: HashMap<String, Vec<i64>> = HashMap::new();
        for (id, merchant, description) in &rows {
            by_key
                .entry(key(merchant.as_deref(), description))
                .or_default()
                .push(*id);
        }
        conn.transaction(|conn| {
            for (key, ids) in &by_key {
                with_conn!(conn, c => diesel::update(
                    transactions::table.filter(transactions::id.eq_any(ids)),
                )
                .set(transactions::merchant_key.eq(key))
                .execute(c))?;
            }
            Ok::<_, ApiError>(())
        })?;
        filled += rows.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_merchant_column_wins_over_the_description() {
        assert_eq!(
            key(None, "POS 4821 TESCO STORES 3297 LONDON"),
            "tesco stores"
        );
        assert_eq!(key(Some("Luigi's"), "x"), "luigi");
        assert_eq!(key(Some("  "), "CARD PAYMENT SHELL 0042"), "shell");
        assert_eq!(key(None, "1234 5678"), "", "nothing names anyone");
        assert_eq!(
            key(Some("7-11"), "x"),
            "7-11",
            "a name of digits is still a name"
        );
        let long = "é".repeat(KEY_CHARS + 20);
        assert_eq!(
            key(None, &long),
            "é".repeat(KEY_CHARS),
            "cut on a character"
        );
        assert_eq!(key(Some(&long), "x").chars().count(), KEY_CHARS);
    }

    #[test]
    fn keys_read_as_names() {
        assert_eq!(display("tesco stores"), "Tesco Stores");
        assert_eq!(
            name(None, Some("blue bottle")).as_deref(),
            Some("Blue Bottle")
        );
        assert_eq!(name(Some("Tesco"), Some("tesco")).as_deref(), Some("Tesco"));
        assert_eq!(name(None, Some("")), None);
    }
}
