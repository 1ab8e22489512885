//! The `CurrentUser` extractor: a bearer token, or else the session cookie plus, for unsafe
//! methods, the CSRF token.

use actix_identity::IdentityExt;
use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::app::AppState;
use crate::auth::session::{self, CSRF_HEADER};
use crate::error::ApiError;
use crate::users::{self, User};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    /// An access token, minted for the sign-in (refresh-token family) it names.
    Bearer {
        family: String,
    },
    Session,
}

#[derive(Debug)]
pub struct CurrentUser {
    pub user: User,
    pub method: AuthMethod,
}

impl CurrentUser {
    /// The refresh-token family of this request's sign-in, if it has one.
    pub fn family(&self) -> Option<&str> {
        match &self.method {
            AuthMethod::Bearer { family } => Some(family),
            AuthMethod::Session => None,
        }
    }
}

fn credentials(req: &HttpRequest, state: &AppState) -> Result<(i64, AuthMethod), ApiError> {
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
        return Ok((id, AuthMethod::Bearer { family }));
    }
    let id = req
        .get_identity()
        .ok()
        .and_then(|identity| identity.id().ok())
        .and_then(|id| id.parse().ok())
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
    Ok((id, AuthMethod::Session))
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
            let (id, method) = credentials?;
            let user = state
                .db(move |conn| users::find(conn, id))
                .await?
                .ok_or_else(|| ApiError::Unauthorized("this account no longer exists".into()))?;
            Ok(CurrentUser { user, method })
        })
    }
}
