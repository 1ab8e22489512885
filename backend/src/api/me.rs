//! The signed-in user's own account.

use actix_web::{delete, get, patch, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::client_address;
use crate::api::extract::ValidJson;
use crate::api::fields;
use crate::api::sign_ins::forget_cookie;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::responses::{AuthErrors, BodyErrors};
use crate::error::{ApiError, Problem};
use crate::users::{self, ProfileUpdate, User};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "email": "asha@example.com", "display_name": "Asha",
    "base_currency": "EUR", "created_at": "2026-11-21T09:30:00Z"
}))]
pub struct UserResponse {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    /// ISO 4217 code that totals are reported in.
    pub base_currency: String,
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        UserResponse {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            base_currency: user.base_currency,
            created_at: user.created_at.and_utc(),
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Asha R.", "base_currency": "INR"}))]
pub struct UpdateMeRequest {
    #[validate(custom(function = "fields::Name::check"))]
    #[schema(value_type = Option<fields::Name>)]
    pub display_name: Option<String>,
    #[validate(custom(function = "fields::CurrencyCode::check"))]
    #[schema(value_type = Option<fields::CurrencyCode>)]
    pub base_currency: Option<String>,
    /// Required with `new_password`.
    pub current_password: Option<String>,
    /// Changing it ends every other sign-in at once (their sessions and tokens stop working).
    #[validate(custom(function = "fields::NewPassword::check"))]
    #[schema(value_type = Option<fields::NewPassword>)]
    pub new_password: Option<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[schema(example = json!({"password": "correct horse battery"}))]
pub struct DeleteMeRequest {
    pub password: String,
}

/// The signed-in user.
#[utoipa::path(tag = "me", responses((status = 200, body = UserResponse), AuthErrors),
    security(("bearer" = []), ("session" = [])))]
#[get("/me")]
pub async fn get_me(user: CurrentUser) -> HttpResponse {
    HttpResponse::Ok().json(UserResponse::from(user.user))
}

/// Change the display name, base currency or password.
#[utoipa::path(tag = "me", request_body = UpdateMeRequest, responses(
    (status = 200, body = UserResponse),
    (status = 429, description = "Too many wrong current passwords", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
    BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[patch("/me")]
pub async fn update_me(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<UpdateMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req);
    let update = ProfileUpdate {
        display_name: body.display_name,
        base_currency: body.base_currency,
        password: match (body.current_password, body.new_password) {
            (Some(current), Some(new)) => Some((current, new)),
            (None, Some(_)) => {
                return Err(ApiError::validation(
                    "current_password",
                    "is required to change the password",
                ))
            }
            (_, None) => None,
        },
    };
    let updated = state
        .db(move |conn| users::update_profile(conn, &user.user, update, &address, user.sign_in))
        .await?;
    Ok(HttpResponse::Ok().json(UserResponse::from(updated)))
}

/// Delete the account and everything it owns. Needs the password.
#[utoipa::path(tag = "me", request_body = DeleteMeRequest, responses(
    (status = 204, description = "The account and all its data are gone"),
    (status = 429, description = "Too many wrong passwords", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
    BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[delete("/me")]
pub async fn delete_me(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<DeleteMeRequest>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req);
    let app = state.clone();
    state
        .db(move |conn| {
            users::delete_account(conn, &app.storage, &user.user, &body.password, &address)
        })
        .await?;
    forget_cookie(&req);
    Ok(HttpResponse::NoContent().finish())
}
