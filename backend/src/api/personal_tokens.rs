//! Personal access tokens for scripts and mobile clients: created (shown once), listed with last
//! use, revoked.

use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::extract::ValidJson;
use crate::api::fields;
use crate::app::AppState;
use crate::auth::personal_tokens::{self, Scope};
use crate::auth::sign_ins::{self, SignInRow};
use crate::auth::CurrentUser;
use crate::error::responses::{AuthErrors, BodyErrors, NotFound};
use crate::error::ApiError;

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "nightly import", "scopes": ["read", "import"], "expires_in_days": 90}))]
pub struct CreateTokenRequest {
    /// What the token is for, shown in the list.
    #[validate(custom(function = "fields::Name::check"))]
    #[schema(value_type = fields::Name)]
    pub name: String,
    /// At least one of `read`, `write`, `import`.
    #[validate(length(min = 1, max = 3, message = "must name one to three scopes"))]
    #[schema(min_items = 1, max_items = 3)]
    pub scopes: Vec<Scope>,
    /// Days until the token stops working; without it, it works until revoked.
    #[validate(range(min = 1, max = 3650, message = "must be 1 to 3650 days"))]
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<u32>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 12, "name": "nightly import", "scopes": ["read", "import"],
    "created_at": "2026-11-29T08:00:00Z", "last_used_at": "2026-11-29T08:00:00Z",
    "expires_at": "2027-02-27T08:00:00Z"
}))]
pub struct TokenResponse {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    /// Updated at most once a minute.
    pub last_used_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<SignInRow> for TokenResponse {
    fn from(row: SignInRow) -> Self {
        TokenResponse {
            id: row.id,
            scopes: personal_tokens::scopes_of(&row),
            name: row.name.unwrap_or_default(),
            created_at: row.created_at.and_utc(),
            last_used_at: row.last_used_at.and_utc(),
            expires_at: row.expires_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 12, "name": "nightly import", "scopes": ["read", "import"],
    "created_at": "2026-11-29T08:00:00Z", "last_used_at": "2026-11-29T08:00:00Z",
    "expires_at": null, "token": "dhana_pat_k3Jx0W7w2c2bq1o8J9hS0uJ3oM8aWQ2c6l7n5mF0a1E"
}))]
pub struct CreatedToken {
    #[serde(flatten)]
    pub details: TokenResponse,
    /// Send as `Authorization: Bearer <token>`. Shown this once: only its hash is kept.
    pub token: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenList {
    /// Most recently used first; the tokens themselves are never shown again.
    pub items: Vec<TokenResponse>,
}

/// Create a personal access token. The answer is the only time the token is shown.
#[utoipa::path(tag = "me", request_body = CreateTokenRequest, responses(
    (status = 201, body = CreatedToken), AuthErrors, BodyErrors),
    security(("bearer" = []), ("session" = [])))]
#[post("/me/tokens")]
pub async fn create_personal_token(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<CreateTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let user_id = user.user.id;
    let (row, token) = state
        .db(move |conn| {
            personal_tokens::create(
                conn,
                user_id,
                &body.name,
                &body.scopes,
                body.expires_in_days,
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedToken {
        details: row.into(),
        token,
    }))
}

/// Your personal access tokens, with their scopes and last use.
#[utoipa::path(tag = "me", responses((status = 200, body = TokenList), AuthErrors),
    security(("bearer" = []), ("session" = [])))]
#[get("/me/tokens")]
pub async fn list_personal_tokens(
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let user_id = user.user.id;
    let rows = state
        .db(move |conn| sign_ins::list(conn, user_id, true))
        .await?;
    Ok(HttpResponse::Ok().json(TokenList {
        items: rows.into_iter().map(Into::into).collect(),
    }))
}

/// Revoke a personal access token: it stops working at once.
#[utoipa::path(tag = "me", params(("id" = i64, Path, description = "The token")), responses(
    (status = 204, description = "Revoked"), NotFound, AuthErrors),
    security(("bearer" = []), ("session" = [])))]
#[delete("/me/tokens/{id}")]
pub async fn revoke_personal_token(
    user: CurrentUser,
    id: web::Path<i64>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (user_id, id) = (user.user.id, id.into_inner());
    state
        .db(move |conn| sign_ins::revoke(conn, user_id, id, true))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
