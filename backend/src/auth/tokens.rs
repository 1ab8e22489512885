//! Refresh tokens: opaque random strings, stored only as SHA-256 hashes, rotated on every use.
//! All tokens rotated from one sign-in form a family named by the sign-in's handle; presenting a
//! token that was already rotated means it leaked, so the whole sign-in is ended.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::auth::jwt::{JwtKeys, ACCESS_TOKEN_TTL};
use crate::auth::sign_ins::{self, SignInKind};
use crate::db::schema::refresh_tokens;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::users::now;
use crate::with_conn;

pub const REFRESH_TOKEN_TTL: Duration = Duration::days(30);

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    "refresh_token": "k3Jx0W7w2c2bq1o8J9hS0uJ3oM8aWQ2c6l7n5mF0a1E",
    "token_type": "Bearer",
    "expires_in": 900
}))]
pub struct TokenPair {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Single use: exchange it at `/api/v1/auth/refresh` for a new pair.
    pub refresh_token: String,
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
struct StoredToken {
    id: i64,
    user_id: i64,
    family: String,
    expires_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
}

fn digest(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// Starts a token sign-in for the user and returns its first pair.
pub fn sign_in(
    conn: &mut DbConn,
    keys: &JwtKeys,
    user_id: i64,
    user_agent: &str,
) -> Result<TokenPair, ApiError> {
    conn.transaction(|conn| {
        let family = sign_ins::start(
            conn,
            user_id,
            SignInKind::Token,
            user_agent,
            sign_ins::random_handle(),
        )?;
        issue(conn, keys, user_id, &family)
    })
}

/// A new access/refresh pair continuing the sign-in `family`.
fn issue(
    conn: &mut DbConn,
    keys: &JwtKeys,
    user_id: i64,
    family: &str,
) -> Result<TokenPair, ApiError> {
    let refresh_token = sign_ins::random_handle();
    let now = now();
    let row = (
        refresh_tokens::user_id.eq(user_id),
        refresh_tokens::family.eq(family),
        refresh_tokens::token_hash.eq(digest(&refresh_token)),
        refresh_tokens::created_at.eq(now),
        refresh_tokens::expires_at.eq(now + REFRESH_TOKEN_TTL),
    );
    with_conn!(conn, c => diesel::insert_into(refresh_tokens::table).values(row).execute(c))?;
    Ok(TokenPair {
        access_token: keys.issue(user_id, family)?,
        refresh_token,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_TTL.num_seconds(),
    })
}

fn find(conn: &mut DbConn, token: &str) -> Result<StoredToken, ApiError> {
    let hash = digest(token);
    with_conn!(conn, c => refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(&hash))
        .select(StoredToken::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| ApiError::Unauthorized("the refresh token is not valid".into()))
}

fn reused(conn: &mut DbConn, family: &str) -> ApiError {
    if let Err(e) = sign_ins::end(conn, family) {
        return e;
    }
    tracing::warn!("a rotated refresh token was presented again; its sign-in is ended");
    ApiError::Unauthorized(
        "the refresh token was already used, so every token from that sign-in is now revoked; \
         sign in again"
            .into(),
    )
}

/// Exchanges a refresh token for a new pair, retiring the old token.
pub fn rotate(conn: &mut DbConn, keys: &JwtKeys, token: &str) -> Result<TokenPair, ApiError> {
    let stored = find(conn, token)?;
    if stored.revoked_at.is_some() {
        return Err(reused(conn, &stored.family));
    }
    if stored.expires_at <= now() {
        return Err(ApiError::Unauthorized(
            "the refresh token has expired; sign in again".into(),
        ));
    }
    let rotated = conn.transaction(|conn| {
        // Guarded on `revoked_at IS NULL`: of two concurrent refreshes with one token, one wins.
        let retired = with_conn!(conn, c => diesel::update(
            refresh_tokens::table
                .find(stored.id)
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(now()))
        .execute(c))?;
        if retired == 0 {
            return Ok(None);
        }
        issue(conn, keys, stored.user_id, &stored.family).map(Some)
    })?;
    rotated.ok_or_else(|| reused(conn, &stored.family))
}

/// Ends the sign-in the token belongs to.
pub fn revoke(conn: &mut DbConn, token: &str) -> Result<(), ApiError> {
    let stored = find(conn, token)?;
    sign_ins::end(conn, &stored.family)
}
