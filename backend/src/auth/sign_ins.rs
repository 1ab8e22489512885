//! Sign-ins: the server-side record behind every browser session and every token pair. A
//! session cookie and an access token only name a sign-in by its random handle; each request
//! looks the handle up (one indexed join with the user), so ending a sign-in ends its session or
//! tokens at once rather than when they expire.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use rand::RngCore;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{refresh_tokens, sign_ins, users};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::users::{now, User};
use crate::with_conn;

/// `last_used_at` is refreshed at most this often, so most requests only read.
const TOUCH_EVERY: Duration = Duration::minutes(1);
const MAX_USER_AGENT_CHARS: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignInKind {
    /// A browser signed in with the session cookie.
    Session,
    /// A client holding an access and refresh token pair.
    Token,
}

impl SignInKind {
    fn as_str(self) -> &'static str {
        match self {
            SignInKind::Session => "session",
            SignInKind::Token => "token",
        }
    }

    fn parse(s: &str) -> Self {
        if s == "session" {
            SignInKind::Session
        } else {
            SignInKind::Token
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = sign_ins)]
pub struct SignInRow {
    pub id: i64,
    pub user_id: i64,
    pub handle: String,
    pub kind: String,
    pub user_agent: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
}

impl SignInRow {
    pub fn kind(&self) -> SignInKind {
        SignInKind::parse(&self.kind)
    }
}

/// A fresh random handle; also used as the refresh-token family of token sign-ins.
pub fn random_handle() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Control characters would only garble the list of sign-ins; the length is capped because the
/// header is the client's to choose.
fn clean_user_agent(user_agent: &str) -> String {
    user_agent
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_USER_AGENT_CHARS)
        .collect()
}

/// Records a new sign-in and returns its handle.
pub fn start(
    conn: &mut DbConn,
    user_id: i64,
    kind: SignInKind,
    user_agent: &str,
    handle: String,
) -> Result<String, ApiError> {
    let now = now();
    let row = (
        sign_ins::user_id.eq(user_id),
        sign_ins::handle.eq(&handle),
        sign_ins::kind.eq(kind.as_str()),
        sign_ins::user_agent.eq(clean_user_agent(user_agent)),
        sign_ins::created_at.eq(now),
        sign_ins::last_used_at.eq(now),
    );
    with_conn!(conn, c => diesel::insert_into(sign_ins::table).values(row).execute(c))?;
    Ok(handle)
}

/// The live sign-in behind `handle` and its user, noting the use.
pub fn resolve(conn: &mut DbConn, handle: &str) -> Result<Option<(SignInRow, User)>, ApiError> {
    let found: Option<(SignInRow, User)> = with_conn!(conn, c => sign_ins::table
        .inner_join(users::table)
        .filter(sign_ins::handle.eq(handle))
        .select((SignInRow::as_select(), User::as_select()))
        .first(c)
        .optional())?;
    if let Some((sign_in, _)) = &found {
        let now = now();
        if sign_in.last_used_at + TOUCH_EVERY <= now {
            with_conn!(conn, c => diesel::update(sign_ins::table.find(sign_in.id))
                .set(sign_ins::last_used_at.eq(now))
                .execute(c))?;
        }
    }
    Ok(found)
}

/// The user's sign-ins, most recently used first.
pub fn list(conn: &mut DbConn, user_id: i64) -> Result<Vec<SignInRow>, ApiError> {
    Ok(with_conn!(conn, c => sign_ins::table
        .filter(sign_ins::user_id.eq(user_id))
        .order((sign_ins::last_used_at.desc(), sign_ins::id.desc()))
        .select(SignInRow::as_select())
        .load(c))?)
}

/// Ends the sign-ins chosen by `filter` and revokes their refresh tokens, in one transaction.
/// The revoked tokens stay known, so presenting one again is recognised rather than unknown.
fn end_where<F>(conn: &mut DbConn, filter: F) -> Result<usize, ApiError>
where
    F: Fn(&mut DbConn) -> Result<Vec<String>, ApiError>,
{
    let now = now();
    conn.transaction(|conn| {
        let handles = filter(conn)?;
        with_conn!(conn, c => {
            diesel::update(
                refresh_tokens::table
                    .filter(refresh_tokens::family.eq_any(&handles))
                    .filter(refresh_tokens::revoked_at.is_null()),
            )
            .set(refresh_tokens::revoked_at.eq(now))
            .execute(c)?;
            diesel::delete(sign_ins::table.filter(sign_ins::handle.eq_any(&handles))).execute(c)
        })
        .map_err(ApiError::from)
    })
}

/// Ends the sign-in behind `handle` (logout). Ending one that is already gone is not an error.
pub fn end(conn: &mut DbConn, handle: &str) -> Result<(), ApiError> {
    end_where(conn, |_| Ok(vec![handle.to_owned()]))?;
    Ok(())
}

/// Ends one of the user's sign-ins by id; another user's id is 404 like a missing one.
pub fn revoke(conn: &mut DbConn, user_id: i64, id: i64) -> Result<(), ApiError> {
    let ended = end_where(conn, |conn| {
        Ok(with_conn!(conn, c => sign_ins::table
            .filter(sign_ins::user_id.eq(user_id))
            .filter(sign_ins::id.eq(id))
            .select(sign_ins::handle)
            .load(c))?)
    })?;
    if ended == 0 {
        return Err(ApiError::NotFound(format!("you have no sign-in {id}")));
    }
    Ok(())
}

/// Ends every sign-in of the user except `keep` (the caller's own, when it should survive).
pub fn revoke_all(conn: &mut DbConn, user_id: i64, keep: Option<i64>) -> Result<(), ApiError> {
    end_where(conn, |conn| {
        Ok(with_conn!(conn, c => sign_ins::table
            .filter(sign_ins::user_id.eq(user_id))
            .filter(sign_ins::id.ne(keep.unwrap_or(0)))
            .select(sign_ins::handle)
            .load(c))?)
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_lose_control_characters_and_excess_length() {
        assert_eq!(clean_user_agent("curl/8.5\0\n\u{7}"), "curl/8.5");
        assert_eq!(clean_user_agent(&"é".repeat(500)).chars().count(), 200);
    }
}
