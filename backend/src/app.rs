//! Builds the actix application (routes, middleware, shared state) and runs the HTTP server.
//! `main` and the integration tests both start Dhana through `Application`.

use crate::bankfile::Limits;
use crate::imports::Gate;
use std::net::{SocketAddr, TcpListener};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, App, HttpMessage, HttpServer, ResponseError};
use futures_util::FutureExt;
use ipnet::IpNet;
use tracing_actix_web::{RequestId, TracingLogger};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::spa::{self, Frontend};
use crate::api::{self, RouteTable};
use crate::auth::jwt::JwtKeys;
use crate::auth::session;
use crate::config::Config;
use crate::db::{DbConn, DbError, Pool};
use crate::error::ApiError;
use crate::forecast::bills::{self, Ledgers};
use crate::imports::{Claims, Progress, Runner};
use crate::ml::registry::Categorizer;
use crate::openapi::ApiDoc;
use crate::reports;
use crate::storage::Storage;
use crate::summaries::send::Summaries;

/// What every request handler can reach.
pub struct AppState {
    pub pool: Pool,
    pub jwt: JwtKeys,
    pub routes: RouteTable,
    pub storage: Storage,
    pub progress: Progress,
    pub claims: Claims,
    pub max_upload_bytes: usize,
    pub import_limits: Limits,
    pub import_gate: Gate,
    pub categorizer: Categorizer,
    pub trusted_proxies: Vec<IpNet>,
    /// Names this process in the report claims it writes (see `reports::worker`).
    pub report_instance: String,
    pub report_background_above: i64,
    pub summaries: Arc<Summaries>,
    /// What the forecasts, bills, anomalies and insights compute from each user's ledger.
    pub ledgers: Arc<Ledgers>,
}

impl AppState {
    pub fn runner(&self) -> Runner<'_> {
        Runner {
            storage: &self.storage,
            progress: &self.progress,
            categorizer: &self.categorizer,
            claims: &self.claims,
            limits: &self.import_limits,
        }
    }

    /// Runs blocking database work on the thread pool, never on the async executor.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || f(&mut pool.get()?)).await?
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("cannot listen on {bind}: {source}")]
    Bind {
        bind: String,
        source: std::io::Error,
    },
}

pub struct Application {
    server: Server,
    addr: SocketAddr,
    state: web::Data<AppState>,
}

impl Application {
    /// Connects and migrates the database and binds the listener; the server runs once awaited.
    pub fn build(config: Config) -> Result<Self, StartupError> {
        let pool = Pool::connect(&config.database)?;
        let claims = Claims::new(&config.instance_id, config.import_claim_ttl_seconds);
        release_dead_claims(&pool, &claims);
        let bind_error = |source| StartupError::Bind {
            bind: config.bind.clone(),
            source,
        };
        let listener = TcpListener::bind(&config.bind).map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let run = crate::config::run_tag(&config.instance_id);
        let ledgers = Arc::new(Ledgers::new(bills::CACHED_LINES));
        let summaries = Arc::new(Summaries::new(
            &config.email,
            config.jwt_secret.clone(),
            run.clone(),
            ledgers.clone(),
        ));
        if let Some(reason) = summaries.unavailable() {
            tracing::info!(reason, "email summaries are off");
        }
        let state = web::Data::new(AppState {
            pool: pool.clone(),
            jwt: JwtKeys::new(config.jwt_secret.expose()),
            routes: RouteTable::from_openapi(&crate::openapi::document()),
            storage: Storage::new(config.data_dir.join("files")),
            progress: Progress::default(),
            claims,
            max_upload_bytes: config.max_upload_bytes,
            import_limits: config.import_limits,
            import_gate: Gate::new(config.import_caps),
            categorizer: Categorizer::embedded(config.categorizer_min_confidence),
            trusted_proxies: config.trusted_proxies.clone(),
            report_instance: run,
            report_background_above: config.report_background_above,
            summaries: summaries.clone(),
            ledgers,
        });
        let worker_state = state.clone();
        let session_key = config.session_key.clone();
        let cookie_secure = config.cookie_secure;
        let frontend = Frontend::open(&config.frontend_dir);
        let mut server = HttpServer::new(move || {
            let (app, mut openapi) = App::new()
                .into_utoipa_app()
                .openapi(<ApiDoc as utoipa::OpenApi>::openapi())
                .app_data(state.clone())
                .app_data(api::path_config())
                .configure(api::routes)
                .split_for_parts();
            crate::openapi::complete(&mut openapi);
            let app = match &frontend {
                Some(frontend) => app.app_data(web::Data::new(frontend.clone())),
                None => app.service(api::home::index),
            };
            app.service(SwaggerUi::new("/docs/{_:.*}").url("/api/openapi.json", openapi))
                .default_service(web::to(spa::serve))
                .wrap(session::identity_middleware())
                .wrap(session::session_middleware(
                    session_key.expose(),
                    cookie_secure,
                ))
                .wrap(from_fn(api::refuse_control_characters_in_query))
                .wrap(from_fn(request_context))
                .wrap(TracingLogger::default())
        })
        .listen(listener)
        .map_err(bind_error)?;
        if let Some(workers) = config.workers {
            server = server.workers(workers);
        }
        Ok(Application {
            server: server.run(),
            addr,
            state: worker_state,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server (and with it the background tasks) from elsewhere.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves, makes queued reports and sends the email summaries that fall due while it does.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let reports = actix_web::rt::spawn(make_reports(self.state.clone()));
        let scheduler = self.state.summaries.unavailable().is_none().then(|| {
            actix_web::rt::spawn(send_summaries(
                self.state.summaries.clone(),
                self.state.pool.clone(),
            ))
        });
        let result = self.server.await;
        reports.abort();
        if let Some(scheduler) = scheduler {
            scheduler.abort();
        }
        result
    }
}

/// The summary scheduler: one round per interval, on the blocking pool. A failed round is logged
/// and the next one tries again.
async fn send_summaries(summaries: Arc<Summaries>, pool: Pool) {
    let mut ticks = actix_web::rt::time::interval(summaries.interval);
    loop {
        ticks.tick().await;
        let (summaries, pool) = (summaries.clone(), pool.clone());
        match web::block(move || summaries.run_once(&pool, chrono::Utc::now())).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "summary round failed"),
            Err(e) => tracing::error!(error = %e, "summary round did not run"),
        }
    }
}

/// The report worker: one round right away (which also recovers reports a stopped server left
/// running), then one whenever the last found nothing to do and a second has passed.
async fn make_reports(state: web::Data<AppState>) {
    loop {
        let app = state.clone();
        let made = web::block(move || {
            reports::worker::round(&app.pool, &app.storage, &app.ledgers, &app.report_instance)
        })
        .await;
        match made {
            Ok(Ok(true)) => continue,
            Ok(Ok(false)) => {}
            Ok(Err(error)) => tracing::warn!(error = ?error, "the report worker failed a round"),
            Err(error) => tracing::warn!(%error, "the report worker could not run"),
        }
        actix_web::rt::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}

/// Imports left `committing` by a commit that died go back to `previewed`. A failure here (say,
/// SQLite busy with another instance's commit) only delays that until a claim expires.
fn release_dead_claims(pool: &Pool, claims: &Claims) {
    match pool
        .get()
        .map_err(ApiError::from)
        .and_then(|mut c| claims.sweep(&mut c))
    {
        Ok(0) => {}
        Ok(released) => tracing::warn!(released, "returned imports of dead commits to previewed"),
        Err(e) => tracing::warn!(error = %e, "could not sweep dead import claims"),
    }
}

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Sent with every response, errors included. The policy allows only our own scripts, styles,
/// images and API calls (the web app bundles everything; Swagger UI loads its own files), plus
/// inline styles, which Swagger UI and the API home page use; no page may be framed.
pub const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
];

/// Returns the request id that every log line of the request carries, so a user can quote it,
/// adds the security headers to every response, and turns a panicking handler into a logged 500 for that request while the worker keeps
/// serving. Errors leave as `InternalError`s that already hold their finished response, because
/// the request itself (needed to build a `ServiceResponse`) is gone by then.
async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .and_then(|id| HeaderValue::from_str(&id.to_string()).ok());
    let tag = |headers: &mut HeaderMap| {
        if let Some(id) = &request_id {
            headers.insert(HeaderName::from_static(REQUEST_ID_HEADER), id.clone());
        }
        for (name, value) in SECURITY_HEADERS {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
    };
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(Ok(mut res)) => {
            tag(res.headers_mut());
            Ok(res)
        }
        Ok(Err(error)) => {
            let mut response = error.error_response();
            tag(response.headers_mut());
            Err(InternalError::from_response(error, response).into())
        }
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let mut response =
                ApiError::Internal(format!("handler panicked: {message}")).error_response();
            tag(response.headers_mut());
            Err(InternalError::from_response("handler panicked", response).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Over real HTTP: a panic answers 500 problem+json with the request id, and the same
    /// single worker answers the next request.
    #[actix_web::test]
    async fn a_panicking_handler_is_a_500_and_the_worker_keeps_serving() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = HttpServer::new(|| {
            App::new()
                .route("/boom", web::get().to(|| async { panic!("boom") as &str }))
                .route("/fine", web::get().to(|| async { "fine" }))
                .wrap(from_fn(api::refuse_control_characters_in_query))
                .wrap(from_fn(request_context))
                .wrap(TracingLogger::default())
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        actix_web::rt::spawn(server);

        let client = reqwest::Client::new();
        for _ in 0..2 {
            let res = client.get(format!("{base}/boom")).send().await.unwrap();
            assert_eq!(res.status(), 500);
            assert_eq!(res.headers()["content-type"], "application/problem+json");
            assert_eq!(res.headers()[REQUEST_ID_HEADER].len(), 36);
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(
                body["detail"], "internal error",
                "the cause stays in the log"
            );

            let res = client.get(format!("{base}/fine")).send().await.unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.text().await.unwrap(), "fine");
        }
    }
}
