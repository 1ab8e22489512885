use actix_web::{get, web, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::analytics::dashboard::{self, Dashboard};
use crate::analytics::period::{month_label, Period, PeriodQuery};
use crate::analytics::sums;
use crate::api::extract::ValidQuery;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::responses::AuthErrors;
use crate::error::{ApiError, Problem};
use crate::ledger::accounts;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// Only this account.
    pub account_id: Option<i64>,
}

/// Income, spending and net of a month, a year or a range of days against the period before,
/// by category and over time, with top merchants, largest expenses and budget alerts. Amounts
/// are in your base currency; other currencies are listed apart. Transfers between your own
/// accounts are left out, and refunds reduce their category's spending; refunds beyond it are
/// listed apart (`refunds_by_category`), never as negative spending. Without a period it shows
/// the current month, or, when that has no transactions yet, the latest month that has and
/// says so in `fell_back_from`.
#[utoipa::path(tag = "dashboard", params(PeriodQuery, AccountQuery), responses(
    (status = 200, body = Dashboard),
    (status = 422, description = "The period or account is invalid", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/dashboard")]
pub async fn get_dashboard(
    user: CurrentUser,
    state: web::Data<AppState>,
    period: ValidQuery<PeriodQuery>,
    account: ValidQuery<AccountQuery>,
) -> Result<HttpResponse, ApiError> {
    let today = Utc::now().date_naive();
    let asked = period.is_given();
    let period = period.period(today)?;
    let account_id = account.account_id;
    let report = state
        .db(move |conn| {
            if let Some(id) = account_id {
                accounts::get(conn, user.user.id, id).map_err(|_| {
                    ApiError::validation("account_id", "is not one of your accounts")
                })?;
            }
            let (period, fell_back_from) = if asked {
                (period, None)
            } else {
                let (month, from) = sums::opening_month(conn, user.user.id, account_id, today)?;
                (Period::month(month), from)
            };
            let mut report = dashboard::build(
                conn,
                user.user.id,
                &user.user.base_currency,
                account_id.as_slice(),
                period,
                today,
            )?;
            report.fell_back_from = fell_back_from.map(month_label);
            Ok(report)
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}
