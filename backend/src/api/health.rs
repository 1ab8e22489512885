use std::time::Duration;

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::error::{ApiError, Problem};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers: safe to send traffic here.
#[utoipa::path(tag = "health", responses(
    (status = 200, body = Health),
    (status = 503, description = "The database is not reachable", body = Problem, content_type = "application/problem+json"),
))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let pool = state.pool.clone();
    // A probe must answer quickly, so wait for a connection far less than requests do.
    web::block(move || {
        pool.get_timeout(Some(Duration::from_secs(2)))
            .map_err(ApiError::from)?
            .ping()
            .map_err(|e| {
                tracing::error!(error = %e, "readiness check failed");
                ApiError::Unavailable("the database is not reachable right now".into())
            })
    })
    .await??;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}
