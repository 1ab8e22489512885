//! One error type for the whole API, rendered as RFC 9457 `application/problem+json`.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "the request has invalid fields",
    "errors": [{"field": "password", "message": "must be 10 to 128 characters long"}]
}))]
pub struct Problem {
    /// `about:blank` for plain HTTP errors, or a `/problems/...` reference that scripts can match on.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The fields that failed validation (422 only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The offending field, as a JSON path (`password`, `items[2].amount`).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("the access token has expired")]
    TokenExpired,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{method} is not allowed here")]
    MethodNotAllowed { method: Method, allow: Vec<Method> },
    #[error("{0}")]
    Conflict(String),
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("too many failed attempts; try again in {retry_after} seconds")]
    TooManyRequests { retry_after: u64 },
    /// Too much of one kind of work is running (imports); try again after `retry_after`.
    #[error("{message}")]
    Busy { retry_after: u64, message: String },
    #[error("{0}")]
    Unavailable(String),
    /// The cause goes to the log, never to the client.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    fn kind(&self) -> &'static str {
        match self {
            ApiError::TokenExpired => "/problems/token-expired",
            ApiError::Validation(_) => "/problems/validation",
            ApiError::TooManyRequests { .. } => "/problems/rate-limited",
            ApiError::Busy { .. } => "/problems/busy",
            ApiError::Forbidden(_) => "/problems/forbidden",
            _ => "about:blank",
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        Problem {
            kind: self.kind(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            errors: match self {
                ApiError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) | ApiError::TokenExpired => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } | ApiError::Busy { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        match self {
            ApiError::Unauthorized(_) | ApiError::TokenExpired => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                let allow = allow
                    .iter()
                    .map(Method::as_str)
                    .collect::<Vec<_>>()
                    .join(", ");
                if let Ok(value) = HeaderValue::from_str(&allow) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            ApiError::TooManyRequests { retry_after } | ApiError::Busy { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::Error::DatabaseError;
        match &e {
            // Inputs are bounded so that sums stay far inside 64 bits; should a sum still
            // overflow in the database (PostgreSQL's `bigint out of range`, SQLite's `integer
            // overflow`), that is the client's data being too large, not a server fault.
            DatabaseError(_, info)
                if info.message().contains("out of range")
                    || info.message().contains("integer overflow") =>
            {
                crate::limits::too_large()
            }
            // SQLite's write lock held past the busy timeout (a long import committing): the
            // request can simply be repeated.
            DatabaseError(_, info) if info.message().contains("database is locked") => {
                ApiError::Unavailable(
                    "the database is busy with a long write; try again in a moment".into(),
                )
            }
            _ => ApiError::Internal(format!("database: {e}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        tracing::error!(error = %e, "no database connection");
        ApiError::Unavailable("the database is not reachable right now".into())
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(format!("blocking task: {e}"))
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut fields: Vec<FieldError> = errors
            .field_errors()
            .into_iter()
            .flat_map(|(field, errs)| {
                errs.iter().map(move |e| {
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| format!("is invalid ({})", e.code));
                    FieldError::new(field.to_string(), message)
                })
            })
            .collect();
        fields.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(fields)
    }
}

/// Error responses shared by many operations, for the OpenAPI document.
pub mod responses {
    use super::Problem;
    use utoipa::IntoResponses;

    /// What any JSON body can be refused for.
    #[derive(IntoResponses)]
    #[allow(dead_code)]
    pub enum BodyErrors {
        #[response(
            status = 400,
            description = "The body is not valid JSON",
            content_type = "application/problem+json"
        )]
        Malformed(Problem),
        #[response(
            status = 413,
            description = "The body is larger than 64 KiB",
            content_type = "application/problem+json"
        )]
        TooLarge(Problem),
        #[response(
            status = 415,
            description = "The body is not `application/json`",
            content_type = "application/problem+json"
        )]
        NotJson(Problem),
        #[response(
            status = 422,
            description = "Fields are missing or invalid; `errors` names each",
            content_type = "application/problem+json"
        )]
        Invalid(Problem),
    }

    /// What any signed-in operation can be refused for.
    #[derive(IntoResponses)]
    #[allow(dead_code)]
    pub enum AuthErrors {
        #[response(
            status = 401,
            description = "No credentials, or an expired or invalid token (`type` is `/problems/token-expired` when refreshing will help)",
            content_type = "application/problem+json"
        )]
        Unauthorized(Problem),
        #[response(
            status = 403,
            description = "A cookie-authenticated change without a valid `X-CSRF-Token` header, or a personal access token without the scope this needs (`read`, `write`, `import`)",
            content_type = "application/problem+json"
        )]
        Csrf(Problem),
    }

    /// What query parameters can be refused for.
    #[derive(IntoResponses)]
    #[allow(dead_code)]
    pub enum QueryErrors {
        #[response(
            status = 422,
            description = "A query parameter is invalid (`include_archived=null`, a number out of range); `errors` names it",
            content_type = "application/problem+json"
        )]
        Invalid(Problem),
    }

    /// A path id that is not one of yours.
    #[derive(IntoResponses)]
    #[allow(dead_code)]
    pub enum NotFound {
        #[response(
            status = 404,
            description = "No such item among yours (another user's ids answer the same)",
            content_type = "application/problem+json"
        )]
        Missing(Problem),
    }

    /// An import refused because the user, or the server, runs as many as allowed at once.
    #[derive(IntoResponses)]
    #[allow(dead_code)]
    pub enum ImportBusy {
        #[response(status = 429, description = "You (or the server) already run as many imports as allowed at once (`DHANA_IMPORT_MAX_PER_USER`, `DHANA_IMPORT_MAX_RUNNING`); nothing was read; see `Retry-After`", content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait")))]
        Busy(Problem),
    }

    /// What a password check can be refused for.
    #[derive(IntoResponses)]
    #[allow(dead_code)]
    pub enum LoginErrors {
        #[response(
            status = 401,
            description = "The email or password is wrong",
            content_type = "application/problem+json"
        )]
        WrongCredentials(Problem),
        #[response(status = 429, description = "Too many failed attempts from this address or for this account; see `Retry-After`", content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait")))]
        Throttled(Problem),
    }
}
