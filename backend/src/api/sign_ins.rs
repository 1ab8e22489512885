//! The signed-in user's active sign-ins (browsers and token clients), each revocable.

use actix_identity::IdentityExt;
use actix_web::{delete, get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::sign_ins::{self, SignInKind, SignInRow};
use crate::auth::CurrentUser;
use crate::error::responses::{AuthErrors, NotFound};
use crate::error::ApiError;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "kind": "session", "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
    "created_at": "2026-11-29T08:00:00Z", "last_used_at": "2026-11-29T09:12:00Z", "current": true
}))]
pub struct SignInResponse {
    pub id: i64,
    pub kind: SignInKind,
    /// The `User-Agent` the client signed in with (empty when it sent none).
    pub user_agent: String,
    pub created_at: DateTime<Utc>,
    /// Updated at most once a minute.
    pub last_used_at: DateTime<Utc>,
    /// Whether this is the sign-in making the request.
    pub current: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SignInList {
    /// Most recently used first.
    pub items: Vec<SignInResponse>,
}

fn response(row: SignInRow, current: i64) -> SignInResponse {
    SignInResponse {
        id: row.id,
        kind: row.kind(),
        current: row.id == current,
        user_agent: row.user_agent,
        created_at: row.created_at.and_utc(),
        last_used_at: row.last_used_at.and_utc(),
    }
}

/// The browsers and token clients signed in to this account.
#[utoipa::path(tag = "me", responses((status = 200, body = SignInList), AuthErrors),
    security(("bearer" = []), ("session" = [])))]
#[get("/me/sign-ins")]
pub async fn list_sign_ins(
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = user.user.id;
    let rows = state.db(move |conn| sign_ins::list(conn, user_id)).await?;
    Ok(HttpResponse::Ok().json(SignInList {
        items: rows
            .into_iter()
            .map(|row| response(row, user.sign_in))
            .collect(),
    }))
}

/// End one sign-in: its session cookie or tokens stop working at once.
#[utoipa::path(tag = "me", params(("id" = i64, Path, description = "The sign-in")), responses(
    (status = 204, description = "The sign-in has ended"), NotFound, AuthErrors),
    security(("bearer" = []), ("session" = [])))]
#[delete("/me/sign-ins/{id}")]
pub async fn revoke_sign_in(
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user_id = user.user.id;
    state
        .db(move |conn| sign_ins::revoke(conn, user_id, id))
        .await?;
    if id == user.sign_in {
        forget_cookie(&req);
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Sign out everywhere: every sign-in of the account ends, this one included.
#[utoipa::path(tag = "me", responses((status = 204, description = "Every sign-in has ended"), AuthErrors),
    security(("bearer" = []), ("session" = [])))]
#[delete("/me/sign-ins")]
pub async fn revoke_all_sign_ins(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = user.user.id;
    state
        .db(move |conn| sign_ins::revoke_all(conn, user_id, None))
        .await?;
    forget_cookie(&req);
    Ok(HttpResponse::NoContent().finish())
}

/// Clears a browser's cookie whose sign-in has just ended, so it does not keep a dead one.
pub fn forget_cookie(req: &HttpRequest) {
    if let Ok(identity) = req.get_identity() {
        identity.logout();
    }
}
