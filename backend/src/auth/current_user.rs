//! The `CurrentUser` extractor: a bearer token, or else the session cookie plus, for unsafe
//! methods, the CSRF token. Either names a sign-in that must still exist.

use actix_identity::IdentityExt;
use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::app::AppState;
use crate::auth::session::{self, CSRF_HEADER};
use crate::auth::sign_ins;
use crate::error::ApiError;
use crate::users::User;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    Bearer,
    Session,
}

#[derive(Debug)]
pub struct CurrentUser {
    pub user: User,
    pub method: AuthMethod,
    /// The id of the sign-in this request came through.
    pub sign_in: i64,
}

/// Who the credentials claim to be: the sign-in handle and, for tokens, the user id inside.
struct Claimed {
    handle: String,
    user_id: Option<i64>,
    method: AuthMethod,
}

fn credentials(req: &HttpRequest, state: &AppState) -> Result<Claimed, ApiError> {
    if let Some(header) = req.headers().get(AUTHORIZATION) {
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::Unauthorized(
                    "the Authorization header must be `Bearer <access token>`".into(),
                )
            })?;
        let (id, family) = state.jwt.verify(token.trim())?;
        return Ok(Claimed {
            handle: family,
            user_id: Some(id),
            method: AuthMethod::Bearer,
        });
    }
    let handle = req
        .get_identity()
        .ok()
        .and_then(|identity| identity.id().ok())
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "not signed in: send `Authorization: Bearer <access token>` or sign in at \
                 /api/v1/auth/session"
                    .into(),
            )
        })?;
    if !req.method().is_safe() {
        let expected = session::csrf_token(&req.get_session()).unwrap_or_default();
        let presented = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        if expected.is_empty() || !session::csrf_matches(&expected, presented) {
            return Err(ApiError::Forbidden(format!(
                "a signed-in browser request that changes data needs the {CSRF_HEADER} header \
                 with the token from the sign-in"
            )));
        }
    }
    Ok(Claimed {
        handle,
        user_id: None,
        method: AuthMethod::Session,
    })
}

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
            return Box::pin(async { Err(ApiError::Internal("no app state".into())) });
        };
        let credentials = credentials(req, &state);
        Box::pin(async move {
            let claimed = credentials?;
            let handle = claimed.handle;
            let (sign_in, user) = state
                .db(move |conn| sign_ins::resolve(conn, &handle))
                .await?
                .filter(|(sign_in, _)| claimed.user_id.is_none_or(|id| id == sign_in.user_id))
                .ok_or_else(|| {
                    ApiError::Unauthorized(
                        "this sign-in has ended (signed out, revoked or the password changed); \
                         sign in again"
                            .into(),
                    )
                })?;
            Ok(CurrentUser {
                user,
                method: claimed.method,
                sign_in: sign_in.id,
            })
        })
    }
}
