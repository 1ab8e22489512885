//! Registration, bearer tokens for scripts and mobile clients, and cookie sessions for the SPA.

use actix_identity::Identity;
use actix_session::Session;
use actix_web::{delete, get, post, web, HttpMessage, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::extract::{trimmed, ValidJson};
use crate::api::fields;
use crate::api::me::UserResponse;
use crate::api::sign_ins::forget_cookie;
use crate::api::{client_address, user_agent};
use crate::app::AppState;
use crate::auth::sign_ins::{self, SignInKind};
use crate::auth::tokens::{self, TokenPair};
use crate::auth::{login, rate_limit, session, AuthMethod, CurrentUser};
use crate::error::responses::{AuthErrors, BodyErrors, LoginErrors};
use crate::error::{ApiError, Problem};
use crate::users;

#[derive(Deserialize, Validate, ToSchema)]
#[schema(example = json!({"email": "asha@example.com", "password": "correct horse battery", "display_name": "Asha"}))]
pub struct RegisterRequest {
    #[serde(deserialize_with = "trimmed")]
    #[validate(email(message = "is not an email address"))]
    pub email: String,
    #[validate(custom(function = "fields::NewPassword::check"))]
    #[schema(value_type = fields::NewPassword)]
    pub password: String,
    #[validate(custom(function = "fields::Name::check"))]
    #[schema(value_type = fields::Name)]
    pub display_name: String,
}

#[derive(Deserialize, Validate, ToSchema)]
#[schema(example = json!({"email": "asha@example.com", "password": "correct horse battery"}))]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

#[derive(Deserialize, Validate, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionResponse {
    /// Send back as the `X-CSRF-Token` header on every POST, PUT, PATCH and DELETE.
    pub csrf_token: String,
    pub user: UserResponse,
}

/// Create an account.
#[utoipa::path(tag = "auth", request_body = RegisterRequest, responses(
    (status = 201, description = "The account was created", body = UserResponse),
    (status = 409, description = "An account with this email already exists", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "Too many registrations from this address (10 an hour); see `Retry-After`", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait"))),
    BodyErrors,
))]
#[post("/auth/register")]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req);
    let user = state
        .db(move |conn| {
            rate_limit::admit_registration(conn, &address)?;
            users::create(conn, &body.email, &body.display_name, &body.password)
        })
        .await?;
    Ok(HttpResponse::Created().json(UserResponse::from(user)))
}

/// Sign in with email and password and receive an access token and a refresh token.
#[utoipa::path(tag = "auth", request_body = Credentials, responses(
    (status = 200, body = TokenPair),
    LoginErrors,
    BodyErrors,
))]
#[post("/auth/token")]
pub async fn create_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req);
    let agent = user_agent(&req);
    let app = state.clone();
    let pair = state
        .db(move |conn| {
            let user = login::authenticate(conn, &body.email, &body.password, &address)?;
            tokens::sign_in(conn, &app.jwt, user.id, &agent)
        })
        .await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Exchange a refresh token for a new pair. The old refresh token stops working; presenting it
/// again revokes every token of that sign-in.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, body = TokenPair),
    (status = 401, description = "The refresh token is unknown, expired, revoked or reused", body = Problem, content_type = "application/problem+json"),
    BodyErrors,
))]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let app = state.clone();
    let pair = state
        .db(move |conn| tokens::rotate(conn, &app.jwt, &body.refresh_token))
        .await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Sign out a token client: the refresh token, every token rotated from the same sign-in and
/// their access tokens stop working at once.
#[utoipa::path(tag = "auth", request_body = RefreshRequest, responses(
    (status = 204, description = "Signed out"),
    (status = 401, description = "The refresh token is unknown", body = Problem, content_type = "application/problem+json"),
    BodyErrors,
))]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    state
        .db(move |conn| tokens::revoke(conn, &body.refresh_token))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sign in the browser: sets the `dhana_session` cookie and returns the CSRF token.
#[utoipa::path(tag = "auth", request_body = Credentials, responses(
    (status = 200, body = SessionResponse, headers(("Set-Cookie" = String, description = "The HttpOnly session cookie"))),
    LoginErrors,
    BodyErrors,
))]
#[post("/auth/session")]
pub async fn create_session(
    req: HttpRequest,
    session: Session,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let address = client_address(&req);
    let agent = user_agent(&req);
    let (user, handle) = state
        .db(move |conn| {
            let user = login::authenticate(conn, &body.email, &body.password, &address)?;
            let handle = sign_ins::start(
                conn,
                user.id,
                SignInKind::Session,
                &agent,
                sign_ins::random_handle(),
            )?;
            Ok((user, handle))
        })
        .await?;
    Identity::login(&req.extensions(), handle)
        .map_err(|e| ApiError::Internal(format!("session: {e}")))?;
    let csrf_token = session::issue_csrf_token(&session)?;
    Ok(HttpResponse::Ok().json(SessionResponse {
        csrf_token,
        user: user.into(),
    }))
}

/// The signed-in browser's user and CSRF token, for a page that was reloaded.
#[utoipa::path(tag = "auth", responses((status = 200, body = SessionResponse), AuthErrors),
    security(("session" = [])))]
#[get("/auth/session")]
pub async fn get_session(user: CurrentUser, session: Session) -> Result<HttpResponse, ApiError> {
    session_only(&user)?;
    let csrf_token = match session::csrf_token(&session) {
        Some(token) => token,
        None => session::issue_csrf_token(&session)?,
    };
    Ok(HttpResponse::Ok().json(SessionResponse {
        csrf_token,
        user: user.user.into(),
    }))
}

/// Sign the browser out: its sign-in ends, so a copy of the cookie stops working too.
#[utoipa::path(tag = "auth", responses((status = 204, description = "Signed out"), AuthErrors),
    security(("session" = [])))]
#[delete("/auth/session")]
pub async fn delete_session(
    user: CurrentUser,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    session_only(&user)?;
    state
        .db(move |conn| sign_ins::revoke(conn, user.user.id, user.sign_in, false))
        .await?;
    forget_cookie(&req);
    Ok(HttpResponse::NoContent().finish())
}

/// The browser-session routes are declared for the cookie alone; a token client has
/// `/auth/logout` and `/me` instead.
fn session_only(user: &CurrentUser) -> Result<(), ApiError> {
    match user.method {
        AuthMethod::Session => Ok(()),
        _ => Err(ApiError::Unauthorized(
            "this route is for browser sessions (the dhana_session cookie); token clients use \
             /api/v1/auth/logout and /api/v1/me"
                .into(),
        )),
    }
}
