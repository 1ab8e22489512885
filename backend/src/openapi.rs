//! The OpenAPI document. Paths and schemas are collected from the registered handlers by
//! utoipa-actix-web, so a route cannot be served without being documented.

use actix_web::App;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::auth::session::COOKIE_NAME;
use crate::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Dhana API",
        description = "Self-hosted personal finance tracker. Money is always an integer count of \
            minor units (cents) next to an ISO 4217 currency code. Errors are RFC 9457 \
            `application/problem+json` documents.\n\n\
            Scripts and mobile clients: get a token pair at `POST /api/v1/auth/token` and send \
            `Authorization: Bearer <access_token>`. Browsers: sign in at \
            `POST /api/v1/auth/session` and send the returned CSRF token as `X-CSRF-Token` on \
            every change.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&SecuritySchemes),
    tags(
        (name = "auth", description = "Registration, tokens and browser sessions"),
        (name = "me", description = "The signed-in user's account"),
        (name = "accounts", description = "Bank accounts, cards, cash and loans"),
        (name = "categories", description = "What money is spent on or comes from"),
        (name = "transactions", description = "Money in and out, with filters, totals and export"),
        (name = "rules", description = "Your own categorization rules"),
        (name = "imports", description = "Bank files in: preview, commit, undo"),
        (name = "dashboard", description = "Where the money went, by period"),
        (name = "reports", description = "PDF, Excel and CSV reports of any period, saved"),
        (name = "budgets", description = "Monthly limits and how each month stands"),
        (name = "debts", description = "What you owe and the plan to pay it off"),
        (name = "goals", description = "Savings goals and how they progress"),
        (name = "badges", description = "Good habits made visible"),
        (name = "forecast", description = "Recurring bills and income, upcoming bills and forecasts, each with how sure it is"),
        (name = "summaries", description = "Weekly and monthly email summaries: settings, preview, unsubscribe"),
        (name = "insights", description = "Anomalies in your spending and plain-language insights, each with the numbers it rests on"),
        (name = "categorizer", description = "Category suggestions that learn from your corrections"),
        (name = "health", description = "Probes for orchestrators and load balancers"),
    )
)]
pub struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                COOKIE_NAME,
                "Set by POST /api/v1/auth/session; changes also need the X-CSRF-Token header",
            ))),
        );
    }
}

/// The whole document, as served at `/api/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::api::routes)
        .split_for_parts()
        .1;
    complete(&mut doc);
    doc
}

/// What the collected document needs besides the routes' own parts; the served document goes
/// through it too.
pub fn complete(doc: &mut utoipa::openapi::OpenApi) {
    crate::api::fields::control_free_requests(doc);
}

/// What `dhana openapi` prints and `openapi.yaml` holds.
pub fn yaml() -> String {
    document()
        .to_yaml()
        .expect("the OpenAPI document always serializes")
}
