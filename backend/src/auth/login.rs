//! Checking a password, for signing in and for confirming sensitive changes.

use crate::auth::password;
use crate::auth::rate_limit::{self, Scopes};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::users::{self, User};

pub const WRONG_CREDENTIALS: &str = "the email or password is wrong";

/// The user behind `email` if `password` is theirs. Every failure counts against the client
/// address and the account, and a full bucket answers 429 before the password is even looked at.
pub fn authenticate(
    conn: &mut DbConn,
    email: &str,
    password: &str,
    client_address: &str,
) -> Result<User, ApiError> {
    let scopes = Scopes::new(client_address, &users::email_key(email));
    rate_limit::check(conn, &scopes)?;
    let user = users::find_by_email(conn, email)?;
    let matches = match &user {
        Some(u) => password::verify(password, &u.password_hash),
        None => {
            password::verify_against_nothing(password);
            false
        }
    };
    match user {
        Some(user) if matches => {
            rate_limit::clear_account(conn, &scopes)?;
            Ok(user)
        }
        _ => {
            rate_limit::record_failure(conn, &scopes)?;
            Err(ApiError::Unauthorized(WRONG_CREDENTIALS.into()))
        }
    }
}

/// Confirms a signed-in user's password before a sensitive change; a wrong one is reported on
/// `field` and throttled like a failed sign-in.
pub fn confirm_password(
    conn: &mut DbConn,
    user: &User,
    password: &str,
    field: &str,
    client_address: &str,
) -> Result<(), ApiError> {
    match authenticate(conn, &user.email, password, client_address) {
        Err(ApiError::Unauthorized(_)) => Err(ApiError::validation(field, "is not your password")),
        other => other.map(drop),
    }
}
