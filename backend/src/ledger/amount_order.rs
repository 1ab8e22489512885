//! Reading a user's rows in amount order through the amount index, on each backend.
//!
//! The index carries the three searched texts, so that a text search sorted by amount checks its
//! `LIKE` on the entries it walks and reads a table row only for a match. SQLite's holds every
//! row (migration `amount_index_with_text`). A PostgreSQL btree entry holds at most 2,704 bytes,
//! less than the texts may take, so there the index comes in two halves (migration
//! `amount_index_in_halves`): the rows whose texts fit, with them, and the rest without. The
//! planner reads a partial index only for a query whose conditions imply the index's, so a read
//! names each half's condition, exactly as the migration writes it, takes up to its limit from
//! each and merges the two by (amount, id).

use diesel::dsl::sql;
use diesel::expression::SqlLiteral;
use diesel::sql_types::Bool;

use crate::db::DbConn;

/// The halves' conditions, as the migration writes them.
pub const SHORT_TEXTS: &str = "octet_length(transactions.description) \
     + COALESCE(octet_length(transactions.merchant), 0) \
     + COALESCE(octet_length(transactions.notes), 0) <= 2000";
const LONG_TEXTS: &str = "octet_length(transactions.description) \
     + COALESCE(octet_length(transactions.merchant), 0) \
     + COALESCE(octet_length(transactions.notes), 0) > 2000";

/// The amount indexes a read in amount order goes through, each as the condition that selects
/// its rows: SQLite's one (no condition), PostgreSQL's two halves.
pub fn indexes(conn: &DbConn) -> Vec<Option<SqlLiteral<Bool>>> {
    match conn {
        DbConn::Sqlite(_) => vec![None],
        DbConn::Postgres(_) => vec![Some(sql(SHORT_TEXTS)), Some(sql(LONG_TEXTS))],
    }
}

/// The first `limit` of the rows read from each index, in the amount order (`key`: amount and
/// id; ties on the amount broken by id in the same direction).
pub fn merged<T>(
    read: Vec<Vec<T>>,
    key: impl Fn(&T) -> (i64, i64),
    descending: bool,
    limit: usize,
) -> Vec<T> {
    let mut rows: Vec<T> = read.into_iter().flatten().collect();
    match descending {
        true => rows.sort_by_key(|row| std::cmp::Reverse(key(row))),
        false => rows.sort_by_key(|row| key(row)),
    }
    rows.truncate(limit);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_merge_in_the_order_asked() {
        let halves = vec![vec![(-5, 1), (-5, 7), (3, 2)], vec![(-5, 4), (9, 3)]];
        assert_eq!(
            merged(halves.clone(), |k| *k, false, 4),
            [(-5, 1), (-5, 4), (-5, 7), (3, 2)]
        );
        assert_eq!(merged(halves, |k| *k, true, 3), [(9, 3), (3, 2), (-5, 7)]);
    }
}
