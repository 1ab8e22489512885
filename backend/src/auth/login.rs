//! Checking a password, for signing in and for confirming sensitive changes.

use crate::auth::password;
use crate::auth::rate_limit::PasswordAttempt;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::users::{self, User};

pub const WRONG_CREDENTIALS: &str = "the email or password is wrong";

/// The user behind `email` if `password` is theirs. Every attempt takes a slot per
/// address-and-account and per account first; a full bucket answers 429 before the password is
/// looked at, and the right password frees the slots again.
pub fn authenticate(
    conn: &mut DbConn,
    email: &str,
    password: &str,
    client_address: &str,
) -> Result<User, ApiError> {
    let attempt = PasswordAttempt::new(client_address, &users::email_key(email));
    attempt.admit(conn)?;
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
            attempt.succeeded(conn)?;
            Ok(user)
        }
        _ => Err(ApiError::Unauthorized(WRONG_CREDENTIALS.into())),
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
