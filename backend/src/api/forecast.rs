use actix_web::{get, web, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::analytics::period::parse_month;
use crate::api::extract::ValidQuery;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::responses::AuthErrors;
use crate::error::{ApiError, Problem};
use crate::forecast::outlook::{self, AccountProjection, Outlook};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForecastQuery {
    /// `YYYY-MM`: the month in progress or the next one (the default).
    #[param(example = "2026-12")]
    pub month: Option<String>,
}

/// Next month's (or this month's) spending per expense category and in total, income and net
/// savings, each with an 80% interval, the baseline served and every baseline's backtest
/// error; recurring bills expected in the month are counted as known. For the month in
/// progress also the pace so far. In your base currency. With too little history each figure
/// says "not enough data yet" instead.
#[utoipa::path(tag = "forecast", params(ForecastQuery), responses(
    (status = 200, body = Outlook),
    (status = 422, description = "`month` is neither this month nor the next", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/forecast")]
pub async fn get_forecast(
    user: CurrentUser,
    state: web::Data<AppState>,
    query: ValidQuery<ForecastQuery>,
) -> Result<HttpResponse, ApiError> {
    let today = Utc::now().date_naive();
    let month = match query.month.as_deref() {
        None => None,
        Some(m) => Some(
            parse_month(m)
                .ok_or_else(|| ApiError::validation("month", "must be a month as YYYY-MM"))?,
        ),
    };
    let target = outlook::target_month(today, month)
        .ok_or_else(|| ApiError::validation("month", "forecasts are for this month or the next"))?;
    let found = state
        .db(move |conn| {
            outlook::for_user(conn, user.user.id, &user.user.base_currency, today, target)
        })
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BalanceQuery {
    /// How many days ahead, 1 to 366; 90 by default.
    #[param(value_type = Option<u32>, example = 90)]
    pub days: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BalanceProjection {
    /// One per open account.
    pub items: Vec<AccountProjection>,
}

/// Each account's balance day by day for the next days (90 by default): recurring bills and
/// income on their expected dates, the rest of the last 90 days' flow spread evenly, with the
/// lowest point and the day it happens.
#[utoipa::path(tag = "forecast", params(BalanceQuery), responses(
    (status = 200, body = BalanceProjection),
    (status = 422, description = "`days` is not a whole number from 1 to 366", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/forecast/balance")]
pub async fn get_balance(
    user: CurrentUser,
    state: web::Data<AppState>,
    query: ValidQuery<BalanceQuery>,
) -> Result<HttpResponse, ApiError> {
    let days = super::recurring::days_param(query.days.as_deref(), 90)?;
    let today = Utc::now().date_naive();
    let items = state
        .db(move |conn| outlook::balances(conn, user.user.id, today, days))
        .await?;
    Ok(HttpResponse::Ok().json(BalanceProjection { items }))
}
