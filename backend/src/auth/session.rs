//! The SPA's cookie session (actix-identity over an encrypted cookie) and its CSRF token.
//! The session lives entirely in the cookie, so any instance can serve any request.

use actix_identity::IdentityMiddleware;
use actix_session::config::PersistentSession;
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::cookie::{time, Key, SameSite};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;

use crate::error::ApiError;

pub const COOKIE_NAME: &str = "dhana_session";
pub const CSRF_HEADER: &str = "X-CSRF-Token";
const CSRF_KEY: &str = "csrf";
const SESSION_DAYS: i64 = 14;

pub fn session_middleware(key: &[u8], secure: bool) -> SessionMiddleware<CookieSessionStore> {
    SessionMiddleware::builder(CookieSessionStore::default(), Key::from(key))
        .cookie_name(COOKIE_NAME.to_owned())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_secure(secure)
        .session_lifecycle(
            PersistentSession::default().session_ttl(time::Duration::days(SESSION_DAYS)),
        )
        .build()
}

pub fn identity_middleware() -> IdentityMiddleware {
    IdentityMiddleware::builder()
        .login_deadline(Some(std::time::Duration::from_secs(
            SESSION_DAYS as u64 * 24 * 3600,
        )))
        .build()
}

/// Puts a fresh CSRF token into the session and returns it.
pub fn issue_csrf_token(session: &Session) -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    session
        .insert(CSRF_KEY, &token)
        .map_err(|e| ApiError::Internal(format!("session: {e}")))?;
    Ok(token)
}

pub fn csrf_token(session: &Session) -> Option<String> {
    session.get::<String>(CSRF_KEY).ok().flatten()
}

/// Constant-time comparison, so the token cannot be guessed byte by byte from timings.
pub fn csrf_matches(expected: &str, presented: &str) -> bool {
    expected.len() == presented.len()
        && expected
            .bytes()
            .zip(presented.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}
