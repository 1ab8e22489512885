use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::analytics::period::{first_of_month, month_label, parse_month};
use crate::analytics::sums;
use crate::api::extract::{ValidJson, ValidQuery};
use crate::api::fields;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::badges;
use crate::budgets::{self, BudgetChange, MonthStatus, NewBudget, WithOverrides};
use crate::error::responses::{AuthErrors, BodyErrors, NotFound};
use crate::error::{ApiError, Problem};
use crate::forecast::outlook;
use crate::forecast::recommend::{self, Recommendation};

#[derive(Serialize, ToSchema)]
pub struct MonthLimit {
    /// `YYYY-MM`.
    pub month: String,
    pub amount: i64,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 2, "category_id": 7, "amount": 40000, "currency": "EUR", "rollover": true,
    "starts": "2026-01", "overrides": [{"month": "2026-12", "amount": 60000}]
}))]
pub struct BudgetResponse {
    pub id: i64,
    /// `null`: the overall budget for all spending.
    pub category_id: Option<i64>,
    /// The monthly limit (minor units of `currency`).
    pub amount: i64,
    /// Your base currency: budgets count spending in it.
    pub currency: String,
    pub rollover: bool,
    /// The first month it applies, `YYYY-MM`.
    pub starts: String,
    /// Months with a different limit.
    pub overrides: Vec<MonthLimit>,
}

impl BudgetResponse {
    fn new((budget, overrides): WithOverrides, currency: String) -> Self {
        BudgetResponse {
            id: budget.id,
            category_id: budget.category_id,
            amount: budget.amount,
            currency,
            rollover: budget.rollover,
            starts: month_label(budget.starts_on),
            overrides: overrides
                .into_iter()
                .map(|(month, amount)| MonthLimit {
                    month: month_label(month),
                    amount,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BudgetMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Set when no month was asked for and the current month (this one, `YYYY-MM`) has no
    /// transactions yet: `month` is then the latest month that has.
    #[schema(example = "2026-11")]
    pub fell_back_from: Option<String>,
    pub currency: String,
    /// One per category budget, by name.
    pub items: Vec<MonthStatus>,
    /// The overall budget, if you set one.
    pub overall: Option<MonthStatus>,
}

fn month(value: &str) -> Result<(), ValidationError> {
    parse_month(value).map(drop).ok_or_else(|| {
        ValidationError::new("month")
            .with_message("must be a month as YYYY-MM, from 1900-01 to 2999-12".into())
    })
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category_id": 7, "amount": 40000, "rollover": true}))]
pub struct CreateBudget {
    /// An expense category; `null` or absent for the overall budget.
    pub category_id: Option<i64>,
    #[validate(custom(function = "fields::PositiveAmount::check"))]
    #[schema(value_type = fields::PositiveAmount)]
    pub amount: i64,
    #[serde(default)]
    pub rollover: bool,
    /// First month, `YYYY-MM`; defaults to the current month.
    #[validate(custom(function = "month"))]
    #[schema(value_type = Option<fields::YearMonth>)]
    pub starts: Option<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBudget {
    #[validate(custom(function = "fields::PositiveAmount::check"))]
    #[schema(value_type = Option<fields::PositiveAmount>)]
    pub amount: Option<i64>,
    pub rollover: Option<bool>,
    #[validate(custom(function = "month"))]
    #[schema(value_type = Option<fields::YearMonth>)]
    pub starts: Option<String>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonthAmount {
    #[validate(custom(function = "fields::PositiveAmount::check"))]
    #[schema(value_type = fields::PositiveAmount)]
    pub amount: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthQuery {
    /// `YYYY-MM`; by default the current month, or the latest month with transactions when
    /// the current one has none yet.
    pub month: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BudgetList {
    pub items: Vec<BudgetResponse>,
}

fn month_param(value: Option<&str>, field: &str) -> Result<NaiveDate, ApiError> {
    match value {
        None => Ok(first_of_month(Utc::now().date_naive())),
        Some(m) => parse_month(m).ok_or_else(|| {
            ApiError::validation(field, "must be a month as YYYY-MM, from 1900-01 to 2999-12")
        }),
    }
}

/// Each budget's standing in a month: the limit after rollover, spent, remaining, percent,
/// status (`ok`, `warning` from 80%, `over`) and the month's projected spending.
#[utoipa::path(tag = "budgets", params(MonthQuery), responses(
    (status = 200, body = BudgetMonth),
    (status = 422, description = "`month` is not YYYY-MM", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/budgets")]
pub async fn month_budgets(
    user: CurrentUser,
    state: web::Data<AppState>,
    query: ValidQuery<MonthQuery>,
) -> Result<HttpResponse, ApiError> {
    let asked = query
        .month
        .as_deref()
        .map(|m| month_param(Some(m), "month"))
        .transpose()?;
    let today = Utc::now().date_naive();
    let currency = user.user.base_currency.clone();
    let (month, fell_back_from, (items, overall)) = state
        .db(move |conn| {
            let (month, fell_back_from) = match asked {
                Some(month) => (month, None),
                None => sums::opening_month(conn, user.user.id, None, today)?,
            };
            let status =
                budgets::month_status(conn, user.user.id, &user.user.base_currency, month, today)?;
            Ok((month, fell_back_from, status))
        })
        .await?;
    Ok(HttpResponse::Ok().json(BudgetMonth {
        month: month_label(month),
        fell_back_from: fell_back_from.map(month_label),
        currency,
        items,
        overall,
    }))
}

/// Your budgets as set (limits, rollover, overrides).
#[utoipa::path(tag = "budgets", responses((status = 200, body = BudgetList), AuthErrors),
    security(("bearer" = []), ("session" = [])))]
#[get("/budgets/limits")]
pub async fn list_budgets(
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let currency = user.user.base_currency.clone();
    let found = state
        .db(move |conn| budgets::list(conn, user.user.id))
        .await?;
    Ok(HttpResponse::Ok().json(BudgetList {
        items: found
            .into_iter()
            .map(|b| BudgetResponse::new(b, currency.clone()))
            .collect(),
    }))
}

/// Set a monthly limit for an expense category, or (without a category) for all spending.
#[utoipa::path(tag = "budgets", request_body = CreateBudget, responses(
    (status = 201, body = BudgetResponse),
    (status = 409, description = "The category already has a budget", body = Problem, content_type = "application/problem+json"),
    AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/budgets")]
pub async fn create_budget(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<CreateBudget>,
) -> Result<HttpResponse, ApiError> {
    let new = NewBudget {
        category_id: body.category_id,
        amount: body.amount,
        rollover: body.rollover,
        starts_on: month_param(body.starts.as_deref(), "starts")?,
    };
    let currency = user.user.base_currency.clone();
    let created = state
        .db(move |conn| {
            let done = budgets::create(conn, user.user.id, new);
            badges::after(conn, &user.user, done)
        })
        .await?;
    let response = BudgetResponse::new(created, currency);
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/budgets/{}", response.id)))
        .json(response))
}

/// One budget.
#[utoipa::path(tag = "budgets", params(("id" = i64, Path)), responses(
    (status = 200, body = BudgetResponse), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/budgets/{id}")]
pub async fn get_budget(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let currency = user.user.base_currency.clone();
    let found = state
        .db(move |conn| budgets::get(conn, user.user.id, id))
        .await?;
    Ok(HttpResponse::Ok().json(BudgetResponse::new(found, currency)))
}

/// Change a budget's limit, rollover or first month.
#[utoipa::path(tag = "budgets", params(("id" = i64, Path)), request_body = UpdateBudget, responses(
    (status = 200, body = BudgetResponse), NotFound, AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[patch("/budgets/{id}")]
pub async fn update_budget(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<UpdateBudget>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let change = BudgetChange {
        amount: body.amount,
        rollover: body.rollover,
        starts_on: body
            .starts
            .as_deref()
            .map(|m| month_param(Some(m), "starts"))
            .transpose()?,
    };
    let currency = user.user.base_currency.clone();
    let updated = state
        .db(move |conn| {
            let done = budgets::update(conn, user.user.id, id, change);
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::Ok().json(BudgetResponse::new(updated, currency)))
}

/// Delete a budget.
#[utoipa::path(tag = "budgets", params(("id" = i64, Path)), responses(
    (status = 204, description = "Deleted"), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[delete("/budgets/{id}")]
pub async fn delete_budget(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .db(move |conn| {
            let done = budgets::delete(conn, user.user.id, id);
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Give one month a different limit.
#[utoipa::path(tag = "budgets", params(("id" = i64, Path), ("month" = String, Path, description = "`YYYY-MM`")),
    request_body = MonthAmount, responses(
    (status = 200, body = BudgetResponse), NotFound, AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[put("/budgets/{id}/months/{month}")]
pub async fn set_month(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    ValidJson(body): ValidJson<MonthAmount>,
) -> Result<HttpResponse, ApiError> {
    let (id, month) = path.into_inner();
    let month = month_param(Some(&month), "month")?;
    let currency = user.user.base_currency.clone();
    let updated = state
        .db(move |conn| {
            let done = budgets::set_override(conn, user.user.id, id, month, Some(body.amount));
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::Ok().json(BudgetResponse::new(updated, currency)))
}

/// Return one month to the recurring limit.
#[utoipa::path(tag = "budgets", params(("id" = i64, Path), ("month" = String, Path, description = "`YYYY-MM`")), responses(
    (status = 200, body = BudgetResponse), NotFound, AuthErrors,
    (status = 422, description = "`month` is not YYYY-MM", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = []), ("session" = [])))]
#[delete("/budgets/{id}/months/{month}")]
pub async fn clear_month(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, month) = path.into_inner();
    let month = month_param(Some(&month), "month")?;
    let currency = user.user.base_currency.clone();
    let updated = state
        .db(move |conn| {
            let done = budgets::set_override(conn, user.user.id, id, month, None);
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::Ok().json(BudgetResponse::new(updated, currency)))
}

#[derive(Serialize, ToSchema)]
pub struct Recommendations {
    /// The month the limits are for, `YYYY-MM`.
    pub month: String,
    /// One per expense category you spent in, largest first.
    pub items: Vec<Recommendation>,
}

fn forecast_month(value: Option<&str>, today: NaiveDate) -> Result<NaiveDate, ApiError> {
    let month = value
        .map(|m| {
            parse_month(m)
                .ok_or_else(|| ApiError::validation("month", "must be a month as YYYY-MM"))
        })
        .transpose()?;
    outlook::target_month(today, month)
        .ok_or_else(|| ApiError::validation("month", "suggestions are for this month or the next"))
}

/// A suggested monthly limit per expense category from your own history: the 80th percentile
/// of the last 6 months (months without spending counted, one-off months left out), raised to
/// the same month last year when that was higher, and scaled to fit your usual income; with the
/// reason in words and your current budget for the category.
#[utoipa::path(tag = "budgets", params(MonthQuery), responses(
    (status = 200, body = Recommendations),
    (status = 422, description = "`month` is neither this month nor the next", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/budgets/recommendations")]
pub async fn recommendations(
    user: CurrentUser,
    state: web::Data<AppState>,
    query: ValidQuery<MonthQuery>,
) -> Result<HttpResponse, ApiError> {
    let today = Utc::now().date_naive();
    let target = forecast_month(query.month.as_deref(), today)?;
    let ledgers = state.ledgers.clone();
    let items = state
        .db(move |conn| {
            recommend::for_user(
                conn,
                &ledgers,
                user.user.id,
                &user.user.base_currency,
                today,
                target,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(Recommendations {
        month: month_label(target),
        items,
    }))
}

/// Apply a category's suggestion as its budget from the month on (next month by default): a
/// new budget, or your existing budget's limit changed.
#[utoipa::path(tag = "budgets", params(("category_id" = i64, Path), MonthQuery), responses(
    (status = 200, body = BudgetResponse),
    (status = 422, description = "No suggestion for the category (too little history), or `month` is neither this month nor the next", body = Problem, content_type = "application/problem+json"),
    NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/budgets/recommendations/{category_id}/apply")]
pub async fn apply_recommendation(
    user: CurrentUser,
    state: web::Data<AppState>,
    category_id: web::Path<i64>,
    query: ValidQuery<MonthQuery>,
) -> Result<HttpResponse, ApiError> {
    let category_id = category_id.into_inner();
    let today = Utc::now().date_naive();
    let target = forecast_month(query.month.as_deref(), today)?;
    let currency = user.user.base_currency.clone();
    let ledgers = state.ledgers.clone();
    let applied = state
        .db(move |conn| {
            recommend::apply(
                conn,
                &ledgers,
                user.user.id,
                &user.user.base_currency,
                category_id,
                today,
                target,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(BudgetResponse::new(applied, currency)))
}
