//! The ledger: accounts, categories, transactions and categorization rules. Plain Rust over a
//! `DbConn`; every function takes the owner's id and never touches another user's rows.

pub mod accounts;
pub mod amount_order;
pub mod cache;
pub mod categories;
pub mod export;
pub mod fingerprint;
pub mod merchants;
pub mod rules;
pub mod search;
pub mod transactions;

use crate::error::ApiError;

/// Income and expenses leave out transfers between the user's own accounts.
pub const INCOME: &str =
    "CASE WHEN transactions.amount > 0 AND NOT transactions.is_transfer THEN transactions.amount ELSE 0 END";
pub const EXPENSES: &str =
    "CASE WHEN transactions.amount < 0 AND NOT transactions.is_transfer THEN transactions.amount ELSE 0 END";

/// What a lookup of someone else's (or a missing) row answers: the same 404 either way, so ids
/// do not leak whether they exist.
pub fn not_found(what: &str, id: i64) -> ApiError {
    ApiError::NotFound(format!("there is no {what} with id {id}"))
}

/// Whether an insert of something recorded once wrote it: `false` when a unique constraint found
/// it already there (a concurrent request recorded the same fact); other errors pass.
pub fn inserted_once(result: diesel::QueryResult<usize>) -> Result<bool, ApiError> {
    match result {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        other => Ok(other? > 0),
    }
}

/// A write refused by a unique constraint is a 409 saying `conflict`; other errors pass.
pub fn unique<T>(result: diesel::QueryResult<T>, conflict: &str) -> Result<T, ApiError> {
    match result {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(ApiError::Conflict(conflict.to_owned())),
        other => Ok(other?),
    }
}
