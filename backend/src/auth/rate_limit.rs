//! Throttling of password guesses and registrations. Each bucket is one database row bumped by a
//! single upsert *before* the password is checked, so parallel attempts are ordered by the row
//! (or SQLite's write) lock and no more than the limit are ever checked. Counters live in the
//! database rather than in memory, so every instance behind a load balancer agrees.
//!
//! Password attempts count per address-and-account (one address cannot lock out anybody else's
//! account, which matters behind a proxy or NAT where many people share an address) and per
//! account across all addresses (a guesser spreading over many addresses is still stopped).

use chrono::{Duration, NaiveDateTime};
use diesel::dsl::case_when;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use crate::db::schema::login_throttle;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::users::now;
use crate::with_conn;

/// A bucket's rule: at most `max` attempts in a fixed window starting at its first attempt.
pub struct Limit {
    prefix: &'static str,
    pub max: i64,
    pub window: Duration,
}

pub const PER_ADDRESS_AND_ACCOUNT: Limit = Limit {
    prefix: "address-account",
    max: 5,
    window: Duration::minutes(15),
};
/// Higher than per address: it only has to stop guessing spread over many addresses, and every
/// address's own limit still applies.
pub const PER_ACCOUNT: Limit = Limit {
    prefix: "account",
    max: 20,
    window: Duration::minutes(15),
};
pub const REGISTRATIONS_PER_ADDRESS: Limit = Limit {
    prefix: "register",
    max: 10,
    window: Duration::hours(1),
};

impl Limit {
    fn scope(&self, key: &str) -> String {
        format!("{}:{key}", self.prefix)
    }
}

/// Counts one attempt in the bucket `limit` keeps for `key`; past the limit the answer is 429
/// with the seconds until the window ends.
fn take(conn: &mut DbConn, limit: &Limit, key: &str) -> Result<(), ApiError> {
    use login_throttle::dsl::{attempts, login_throttle as table, scope, window_started_at};
    let now = now();
    let expired = window_started_at.le(now - limit.window);
    let (count, started): (i64, NaiveDateTime) = with_conn!(conn, c => diesel::insert_into(table)
        .values((scope.eq(limit.scope(key)), window_started_at.eq(now), attempts.eq(1)))
        .on_conflict(scope)
        .do_update()
        .set((
            attempts.eq(case_when::<_, _, BigInt>(expired, 1i64).otherwise(attempts + 1)),
            window_started_at.eq(case_when::<_, _, Timestamp>(expired, now).otherwise(window_started_at)),
        ))
        .returning((attempts, window_started_at))
        .get_result(c))?;
    if count > limit.max {
        let retry_after = (started + limit.window - now).num_seconds().max(1) as u64;
        return Err(ApiError::TooManyRequests { retry_after });
    }
    Ok(())
}

fn forget(conn: &mut DbConn, limit: &Limit, key: &str) -> Result<(), ApiError> {
    with_conn!(conn, c => diesel::delete(
        login_throttle::table.filter(login_throttle::scope.eq(limit.scope(key))),
    )
    .execute(c))?;
    Ok(())
}

/// The buckets one password attempt counts against.
pub struct PasswordAttempt {
    address_and_account: String,
    account: String,
}

impl PasswordAttempt {
    pub fn new(client_address: &str, email_key: &str) -> Self {
        PasswordAttempt {
            address_and_account: format!("{client_address} {email_key}"),
            account: email_key.to_owned(),
        }
    }

    /// Takes a slot in both buckets; 429 when either is full, before any password is checked.
    pub fn admit(&self, conn: &mut DbConn) -> Result<(), ApiError> {
        take(conn, &PER_ADDRESS_AND_ACCOUNT, &self.address_and_account)?;
        take(conn, &PER_ACCOUNT, &self.account)
    }

    /// The right password was given: earlier attempts on this account are forgiven.
    pub fn succeeded(&self, conn: &mut DbConn) -> Result<(), ApiError> {
        forget(conn, &PER_ADDRESS_AND_ACCOUNT, &self.address_and_account)?;
        forget(conn, &PER_ACCOUNT, &self.account)
    }
}

/// Counts a registration from `client_address`; 429 past the limit.
pub fn admit_registration(conn: &mut DbConn, client_address: &str) -> Result<(), ApiError> {
    take(conn, &REGISTRATIONS_PER_ADDRESS, client_address)
}
