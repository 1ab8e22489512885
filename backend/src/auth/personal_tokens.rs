//! Personal access tokens for scripts and mobile clients: named, scoped, optionally expiring,
//! shown once and stored only as a SHA-256 hash. A token is a sign-in row whose handle is that
//! hash, so it is checked by the same single lookup as sessions and access tokens.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::auth::sign_ins::{self, SignInRow, PERSONAL_TOKEN};
use crate::db::schema::sign_ins as table;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::users::now;
use crate::with_conn;

/// Every personal access token starts with this, so that it is told from a JWT at a glance
/// (and by secret scanners).
pub const PREFIX: &str = "dhana_pat_";

/// What a token may do. Reading is any GET; writing is any other method outside imports;
/// importing is uploading, previewing, committing and undoing bank files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Read,
    Write,
    Import,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Import => "import",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [Scope::Read, Scope::Write, Scope::Import]
            .into_iter()
            .find(|scope| scope.as_str() == s)
    }

    /// The scope a request needs: by method, and imports apart from other writes.
    pub fn needed(method: &actix_web::http::Method, path: &str) -> Scope {
        if method.is_safe() {
            Scope::Read
        } else if path.starts_with("/api/v1/imports") {
            Scope::Import
        } else {
            Scope::Write
        }
    }
}

/// The scopes stored on a token row, space-separated.
pub fn scopes_of(row: &SignInRow) -> Vec<Scope> {
    row.scopes
        .as_deref()
        .unwrap_or_default()
        .split(' ')
        .filter_map(Scope::parse)
        .collect()
}

pub fn digest(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// Creates a token and returns its row and the token itself, which is never shown again.
pub fn create(
    conn: &mut DbConn,
    user_id: i64,
    name: &str,
    scopes: &[Scope],
    expires_in_days: Option<u32>,
) -> Result<(SignInRow, String), ApiError> {
    let token = format!("{PREFIX}{}", sign_ins::random_handle());
    let mut scopes = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    let scopes: Vec<&str> = scopes.into_iter().map(Scope::as_str).collect();
    let now = now();
    let expires_at = expires_in_days.map(|days| now + Duration::days(days.into()));
    let row = (
        table::user_id.eq(user_id),
        table::handle.eq(digest(&token)),
        table::kind.eq(PERSONAL_TOKEN),
        table::user_agent.eq(""),
        table::created_at.eq(now),
        table::last_used_at.eq(now),
        table::name.eq(name.trim()),
        table::scopes.eq(scopes.join(" ")),
        table::expires_at.eq(expires_at),
    );
    let stored = with_conn!(conn, c => diesel::insert_into(table::table)
        .values(row)
        .returning(SignInRow::as_returning())
        .get_result(c))?;
    Ok((stored, token))
}

/// Refuses a token past its expiry, without the scope the request needs, or reaching for the
/// account's credentials (a leaked script token must not mint tokens or change the password).
pub fn authorize(
    row: &SignInRow,
    method: &actix_web::http::Method,
    path: &str,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    let needed = Scope::needed(method, path);
    if row.expires_at.is_some_and(|expiry| expiry <= at) {
        return Err(ApiError::Unauthorized(
            "this personal access token has expired; create a new one in the settings".into(),
        ));
    }
    let credentials = path.starts_with("/api/v1/me/")
        || (path.starts_with("/api/v1/me") && needed != Scope::Read);
    if credentials {
        return Err(ApiError::Forbidden(
            "a personal access token cannot manage the account, its sign-ins or its tokens; \
             sign in with the password for that"
                .into(),
        ));
    }
    if !scopes_of(row).contains(&needed) {
        return Err(ApiError::Forbidden(format!(
            "this personal access token lacks the `{}` scope this request needs",
            needed.as_str()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::Method;

    #[test]
    fn requests_need_the_scope_of_what_they_do() {
        assert_eq!(
            Scope::needed(&Method::GET, "/api/v1/imports/3"),
            Scope::Read
        );
        assert_eq!(
            Scope::needed(&Method::POST, "/api/v1/imports"),
            Scope::Import
        );
        assert_eq!(
            Scope::needed(&Method::DELETE, "/api/v1/imports/3"),
            Scope::Import
        );
        assert_eq!(
            Scope::needed(&Method::PATCH, "/api/v1/transactions/3"),
            Scope::Write
        );
    }
}
