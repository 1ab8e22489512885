use actix_web::{get, patch, web, HttpResponse};
use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::extract::{ValidJson, ValidQuery};
use crate::api::fields;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::responses::{AuthErrors, BodyErrors, NotFound, QueryErrors};
use crate::error::{ApiError, Problem};
use crate::forecast::bills::{self, Choice, Decision, RecurringSeries, Total, UpcomingBill};
use crate::forecast::NotEnoughData;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecurringQuery {
    /// Also list the series you dismissed.
    pub include_dismissed: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct RecurringList {
    /// Most confident first.
    pub items: Vec<RecurringSeries>,
    /// Set while the history is too short to find monthly series.
    pub not_enough_data: Option<NotEnoughData>,
}

/// Recurring bills, subscriptions and income found in your transactions: merchant, cadence,
/// typical amount, last and next payment, confidence, and changes (price changes, missing
/// payments). Computed from the last three years of your ledger as it is now: every write is
/// seen at once.
#[utoipa::path(tag = "forecast", params(RecurringQuery), responses(
    (status = 200, body = RecurringList), AuthErrors, QueryErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/recurring")]
pub async fn list_recurring(
    user: CurrentUser,
    state: web::Data<AppState>,
    query: ValidQuery<RecurringQuery>,
) -> Result<HttpResponse, ApiError> {
    let today = Utc::now().date_naive();
    let include_dismissed = query.include_dismissed.unwrap_or(false);
    let ledgers = state.ledgers.clone();
    let found = state
        .db(move |conn| bills::find(conn, &ledgers, user.user.id, today))
        .await?;
    Ok(HttpResponse::Ok().json(RecurringList {
        items: found
            .series
            .into_iter()
            .filter(|s| include_dismissed || s.choice != Choice::Dismissed)
            .collect(),
        not_enough_data: found.not_enough_data,
    }))
}

/// One recurring series.
#[utoipa::path(tag = "forecast", params(("id" = i64, Path)), responses(
    (status = 200, body = RecurringSeries), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/recurring/{id}")]
pub async fn get_recurring(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let today = Utc::now().date_naive();
    let ledgers = state.ledgers.clone();
    let found = state
        .db(move |conn| bills::get(conn, &ledgers, user.user.id, id, today))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Absent: unchanged; `null`: back to the merchant's name.
fn double_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"choice": "confirmed", "name": "Netflix (family plan)"}))]
pub struct UpdateRecurring {
    /// `confirmed`, `dismissed` (hidden, not counted as a bill) or `detected` (undo either).
    pub choice: Option<Choice>,
    /// Your name for the series; `null` returns to the merchant's.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<fields::Name>)]
    #[validate(custom(function = "fields::Name::check"))]
    pub name: Option<Option<String>>,
}

/// Confirm, rename or dismiss a series; the choice is kept across detection runs.
#[utoipa::path(tag = "forecast", params(("id" = i64, Path)), request_body = UpdateRecurring,
    responses((status = 200, body = RecurringSeries), NotFound, AuthErrors, BodyErrors),
    security(("bearer" = []), ("session" = [])))]
#[patch("/recurring/{id}")]
pub async fn update_recurring(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<UpdateRecurring>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let today = Utc::now().date_naive();
    let decision = Decision {
        choice: body.choice,
        name: body.name.map(|n| n.map(|n| n.trim().to_owned())),
    };
    let ledgers = state.ledgers.clone();
    let updated = state
        .db(move |conn| bills::decide(conn, &ledgers, user.user.id, id, decision, today))
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}

/// A `days` query parameter: 1 to 366, `default` when absent.
pub fn days_param(value: Option<&str>, default: i64) -> Result<i64, ApiError> {
    match value {
        None => Ok(default),
        Some(d) => d
            .parse::<i64>()
            .ok()
            .filter(|d| (1..=366).contains(d))
            .ok_or_else(|| ApiError::validation("days", "must be a whole number from 1 to 366")),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UpcomingQuery {
    /// How many days ahead, 1 to 366; 30 by default.
    #[param(value_type = Option<u32>, example = 30)]
    pub days: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UpcomingBills {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// By date.
    pub items: Vec<UpcomingBill>,
    /// The sum per currency (negative: money out).
    pub totals: Vec<Total>,
    pub not_enough_data: Option<NotEnoughData>,
}

/// Bills and subscriptions expected in the next days (30 by default), from the recurring
/// series that are active and not dismissed.
#[utoipa::path(tag = "forecast", params(UpcomingQuery), responses(
    (status = 200, body = UpcomingBills, example = json!({
        "from": "2026-11-29", "to": "2026-12-29",
        "items": [
            {"series_id": 12, "name": "Oakwood Properties", "category_id": 3,
                "date": "2026-12-01", "amount": -145000, "currency": "USD", "overdue": false,
                "confidence": 0.97},
            {"series_id": 7, "name": "Netflix.com", "category_id": 5, "date": "2026-12-14",
                "amount": -1799, "currency": "USD", "overdue": false, "confidence": 0.93}],
        "totals": [{"currency": "USD", "amount": -146799}],
        "not_enough_data": null
    })),
    (status = 422, description = "`days` is not a whole number from 1 to 366", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/bills/upcoming")]
pub async fn upcoming_bills(
    user: CurrentUser,
    state: web::Data<AppState>,
    query: ValidQuery<UpcomingQuery>,
) -> Result<HttpResponse, ApiError> {
    let days = days_param(query.days.as_deref(), 30)?;
    let today = Utc::now().date_naive();
    let to = today + Duration::days(days);
    let ledgers = state.ledgers.clone();
    let found = state
        .db(move |conn| bills::find(conn, &ledgers, user.user.id, today))
        .await?;
    let items = bills::upcoming(&found.series, today, to);
    let totals = bills::totals(&items);
    Ok(HttpResponse::Ok().json(UpcomingBills {
        from: today,
        to,
        items,
        totals,
        not_enough_data: found.not_enough_data,
    }))
}
