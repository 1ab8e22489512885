//! HTTP handlers, one module per resource. They parse, authorize, call the domain modules and
//! respond; the rules live elsewhere.

pub mod accounts;
pub mod anomalies;
pub mod auth;
pub mod badges;
pub mod budgets;
pub mod categories;
pub mod categorizer;
pub mod dashboard;
pub mod debts;
pub mod extract;
pub mod fields;
pub mod forecast;
pub mod goals;
pub mod health;
pub mod home;
pub mod imports;
pub mod insights;
pub mod me;
pub mod personal_tokens;
pub mod recurring;
pub mod reports;
mod routes;
pub mod rules;
pub mod sign_ins;
pub mod spa;
pub mod summaries;
pub mod transactions;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa_actix_web::{scope, service_config::ServiceConfig};

use crate::api::extract::{control_character, has_control_character};
use crate::app::AppState;
use crate::error::ApiError;
pub use routes::RouteTable;

/// A page of a list ordered by id, newest first: `?limit=` (1–100, default 20) and `?cursor=`,
/// the `next_cursor` of the page before (the id to continue below).
pub struct IdPage {
    pub limit: i64,
    pub before: Option<i64>,
}

impl IdPage {
    pub fn of(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, ApiError> {
        let limit = limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(ApiError::validation("limit", "must be between 1 and 100"));
        }
        let before = cursor
            .map(|c| {
                c.parse::<i64>().map_err(|_| {
                    ApiError::validation("cursor", "is not a cursor this list returned")
                })
            })
            .transpose()?;
        Ok(IdPage { limit, before })
    }

    /// Drops the one row past the page (loaded as `limit + 1` rows) and names where the next
    /// page starts, if there is one.
    pub fn next_cursor<T>(rows: &mut Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> Option<String> {
        if rows.len() as i64 <= limit {
            return None;
        }
        rows.truncate(limit as usize);
        rows.last().map(|r| id(r).to_string())
    }
}

/// Every API route; what is registered here is also what the OpenAPI document describes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(
            scope("/api/v1")
                .service(auth::register)
                .service(auth::create_token)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::create_session)
                .service(auth::get_session)
                .service(auth::delete_session)
                .service(me::get_me)
                .service(me::update_me)
                .service(me::delete_me)
                .service(summaries::get_summary_settings)
                .service(summaries::put_summary_settings)
                .service(summaries::summary_preview)
                .service(summaries::unsubscribe_page)
                .service(summaries::unsubscribe)
                .service(sign_ins::list_sign_ins)
                .service(sign_ins::revoke_all_sign_ins)
                .service(sign_ins::revoke_sign_in)
                .service(personal_tokens::create_personal_token)
                .service(personal_tokens::list_personal_tokens)
                .service(personal_tokens::revoke_personal_token)
                .service(accounts::list_accounts)
                .service(accounts::create_account)
                .service(accounts::get_account)
                .service(accounts::update_account)
                .service(accounts::delete_account)
                .service(categories::list_categories)
                .service(categories::create_category)
                .service(categories::get_category)
                .service(categories::update_category)
                .service(categories::delete_category)
                // Fixed paths before `/transactions/{id}`, which would otherwise claim them.
                .service(transactions::export_transactions)
                .service(transactions::transaction_totals)
                .service(transactions::bulk_categorize)
                .service(transactions::bulk_delete)
                .service(transactions::list_transactions)
                .service(transactions::create_transaction)
                .service(transactions::get_transaction)
                .service(transactions::update_transaction)
                .service(transactions::delete_transaction)
                .service(rules::rule_from_transaction)
                .service(rules::apply_rules)
                .service(rules::preview_rule)
                .service(rules::list_rules)
                .service(rules::create_rule)
                .service(rules::get_rule)
                .service(rules::replace_rule)
                .service(rules::delete_rule)
                .service(imports::upload_import)
                .service(imports::list_imports)
                .service(imports::get_import)
                .service(imports::preview_import)
                .service(imports::commit_import)
                .service(imports::undo_import)
                .service(dashboard::get_dashboard)
                .service(reports::create_report)
                .service(reports::list_reports)
                .service(reports::get_report)
                .service(reports::download_report)
                .service(reports::delete_report)
                // Before `/budgets/{id}`, which would otherwise claim it.
                .service(budgets::recommendations)
                .service(budgets::apply_recommendation)
                .service(budgets::month_budgets)
                .service(budgets::list_budgets)
                .service(budgets::create_budget)
                .service(budgets::get_budget)
                .service(budgets::update_budget)
                .service(budgets::delete_budget)
                .service(budgets::set_month)
                .service(budgets::clear_month)
                .service(debts::plan_debts)
                .service(debts::list_debts)
                .service(debts::create_debt)
                .service(debts::get_debt)
                .service(debts::replace_debt)
                .service(debts::delete_debt)
                .service(goals::list_goals)
                .service(goals::create_goal)
                .service(goals::get_goal)
                .service(goals::update_goal)
                .service(goals::delete_goal)
                .service(goals::list_contributions)
                .service(goals::add_contribution)
                .service(goals::delete_contribution)
                .service(badges::list_badges)
                .service(badges::set_badges)
                .service(badges::list_celebrations)
                .service(badges::mark_celebrations_seen)
                .service(categorizer::categorize)
                .service(categorizer::list_models)
                .service(recurring::list_recurring)
                .service(recurring::get_recurring)
                .service(recurring::update_recurring)
                .service(recurring::upcoming_bills)
                .service(forecast::get_forecast)
                .service(forecast::get_balance)
                .service(anomalies::list_anomalies)
                .service(anomalies::get_anomaly)
                .service(anomalies::update_anomaly)
                .service(insights::list_insights)
                .service(insights::update_insight),
        );
}

/// Query parameters are text from the client like a JSON body: one with a control character is
/// refused (422 naming it) before any handler or database sees it.
pub async fn refuse_control_characters_in_query(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if let Ok(pairs) = web::Query::<Vec<(String, String)>>::from_query(req.query_string()) {
        if let Some((name, _)) = pairs
            .iter()
            .find(|(name, value)| has_control_character(name) || has_control_character(value))
        {
            return Err(control_character(name.escape_default().to_string()).into());
        }
    }
    next.call(req).await
}

/// A path parameter that does not parse is a path that does not exist (404), unless a fixed path
/// of that name does under other methods (`PUT /rules/apply` reaches `PUT /rules/{id}`): 405.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|e, req| {
        let allow = req
            .app_data::<web::Data<AppState>>()
            .map(|state| state.routes.literal_methods_for(req.path()))
            .unwrap_or_default();
        if allow.is_empty() {
            ApiError::NotFound(format!("no such resource: {e}")).into()
        } else {
            ApiError::MethodNotAllowed {
                method: req.method().clone(),
                allow,
            }
            .into()
        }
    })
}

/// Unmatched requests: 405 with `Allow` when the path exists under other methods, else 404.
pub async fn fallback(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let allow = state.routes.methods_for(req.path());
    Err(if allow.is_empty() {
        ApiError::NotFound(format!("there is nothing at {}", req.path()))
    } else {
        ApiError::MethodNotAllowed {
            method: req.method().clone(),
            allow,
        }
    })
}

/// The client's own description of itself, to tell sign-ins apart in the list.
pub fn user_agent(req: &HttpRequest) -> String {
    req.headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The address sign-in attempts and registrations are counted against: the TCP peer, or the
/// forwarded client behind a proxy in `DHANA_TRUSTED_PROXIES`.
pub fn client_address(req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return "unknown".into();
    };
    let trusted = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.trusted_proxies.as_slice())
        .unwrap_or_default();
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|h| h.to_str().ok());
    crate::auth::client_address::resolve(peer, forwarded, trusted).to_string()
}
