//! Failed sign-ins are throttled per client address and per account. Failures are rows in the
//! database rather than counters in memory, so every instance behind a load balancer agrees.

use chrono::Duration;
use diesel::prelude::*;

use crate::db::schema::login_failures;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::users::now;
use crate::with_conn;

pub const WINDOW: Duration = Duration::minutes(15);
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
/// Higher than per account: several people may share one address (a household behind NAT).
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// The buckets one sign-in attempt counts against.
pub struct Scopes {
    address: String,
    account: String,
}

impl Scopes {
    pub fn new(client_address: &str, email_key: &str) -> Self {
        Scopes {
            address: format!("ip:{client_address}"),
            account: format!("account:{email_key}"),
        }
    }

    fn with_limits(&self) -> [(&str, i64); 2] {
        [
            (&self.address, MAX_FAILURES_PER_ADDRESS),
            (&self.account, MAX_FAILURES_PER_ACCOUNT),
        ]
    }
}

/// Refuses the attempt while either bucket is full, saying when to come back.
pub fn check(conn: &mut DbConn, scopes: &Scopes) -> Result<(), ApiError> {
    let since = now() - WINDOW;
    for (scope, limit) in scopes.with_limits() {
        let recent: Vec<chrono::NaiveDateTime> = with_conn!(conn, c => login_failures::table
            .filter(login_failures::scope.eq(scope))
            .filter(login_failures::failed_at.gt(since))
            .order(login_failures::failed_at.asc())
            .select(login_failures::failed_at)
            .load(c))?;
        if recent.len() as i64 >= limit {
            // The bucket frees up when enough of its oldest failures leave the window.
            let freed_at = recent[recent.len() - limit as usize] + WINDOW;
            let retry_after = (freed_at - now()).num_seconds().max(1) as u64;
            return Err(ApiError::TooManyRequests { retry_after });
        }
    }
    Ok(())
}

pub fn record_failure(conn: &mut DbConn, scopes: &Scopes) -> Result<(), ApiError> {
    let now = now();
    let rows: Vec<_> = scopes
        .with_limits()
        .iter()
        .map(|(scope, _)| {
            (
                login_failures::scope.eq(scope.to_string()),
                login_failures::failed_at.eq(now),
            )
        })
        .collect();
    with_conn!(conn, c => {
        diesel::delete(login_failures::table.filter(login_failures::failed_at.le(now - WINDOW)))
            .execute(c)?;
        diesel::insert_into(login_failures::table).values(&rows).execute(c)
    })?;
    Ok(())
}

/// A successful sign-in forgives the account's earlier failures (not the address's).
pub fn clear_account(conn: &mut DbConn, scopes: &Scopes) -> Result<(), ApiError> {
    with_conn!(conn, c => diesel::delete(
        login_failures::table.filter(login_failures::scope.eq(&scopes.account)),
    )
    .execute(c))?;
    Ok(())
}
