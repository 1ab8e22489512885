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
    (status = 200, body = Outlook, example = json!({
        "month": "2026-12", "currency": "USD", "history_months": 14,
        "spending": {"category_id": null, "name": "Total", "amount": 268400, "low": 241900,
            "high": 297300, "known_amount": 152500, "method": "median",
            "basis": "the median of all months, the baseline with the smallest error on this series' own past; the 80% interval is its past errors' 10th–90th percentile × 1.24, the factor that made such intervals cover 80% of months on the synthetic households it was fitted on",
            "backtests": [{"method": "median", "origins": 12, "mae": 14210.3, "mase": 0.74},
                {"method": "mean3", "origins": 12, "mae": 16890.0, "mase": 0.88},
                {"method": "seasonal_naive", "origins": 2, "mae": 21400.5, "mase": 1.12},
                {"method": "naive", "origins": 12, "mae": 19120.8, "mase": 1.0}],
            "not_enough_data": null},
        "income": {"category_id": null, "name": "Income", "amount": 520000, "low": 520000,
            "high": 520000, "known_amount": 520000, "method": "median",
            "basis": "the median of all months, the baseline with the smallest error on this series' own past; the 80% interval is its past errors' 10th–90th percentile × 1.00, the factor that made such intervals cover 80% of months on the synthetic households it was fitted on",
            "backtests": [{"method": "median", "origins": 12, "mae": 0.0, "mase": null}],
            "not_enough_data": null},
        "net": {"category_id": null, "name": "Net savings", "amount": 251600, "low": 222700,
            "high": 278100, "known_amount": 367500, "method": "median",
            "basis": "the median of all months, the baseline with the smallest error on this series' own past; the 80% interval is its past errors' 10th–90th percentile × 1.24, the factor that made such intervals cover 80% of months on the synthetic households it was fitted on",
            "backtests": [{"method": "median", "origins": 12, "mae": 14210.3, "mase": 0.74}],
            "not_enough_data": null},
        "categories": [{"category_id": 4, "name": "Groceries", "amount": 61250, "low": 52400,
            "high": 70900, "known_amount": 0, "method": "mean3",
            "basis": "the learned model (ridge regression (smartcore) on 15 lag, rolling and calendar features, fitted as a ratio to the series' level), which beat the baselines for this kind of series on the synthetic households it was trained on; the 80% interval is its past errors' 10th–90th percentile × 1.31, the factor that made such intervals cover 80% of months on the synthetic households it was fitted on",
            "backtests": [{"method": "mean3", "origins": 12, "mae": 5120.4, "mase": 0.79}],
            "not_enough_data": null}],
        "pace": null, "not_enough_data": null
    })),
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
    let ledgers = state.ledgers.clone();
    let found = state
        .db(move |conn| {
            outlook::for_user(
                conn,
                &ledgers,
                user.user.id,
                &user.user.base_currency,
                today,
                target,
            )
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
    (status = 200, body = BalanceProjection, description = "Each open account's projection (the example is for `days=2`)", example = json!({
        "items": [{"account_id": 1, "name": "Everyday", "currency": "USD", "balance": 254300,
            "variable_per_day": -3850,
            "known": [{"series_id": 12, "name": "Oakwood Properties", "date": "2026-12-01",
                "amount": -145000}],
            "days": [{"date": "2026-11-29", "balance": 254300},
                {"date": "2026-11-30", "balance": 250450},
                {"date": "2026-12-01", "balance": 101600}],
            "low": {"date": "2026-12-01", "balance": 101600}}]
    })),
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
    let ledgers = state.ledgers.clone();
    let items = state
        .db(move |conn| outlook::balances(conn, &ledgers, user.user.id, today, days))
        .await?;
    Ok(HttpResponse::Ok().json(BalanceProjection { items }))
}
