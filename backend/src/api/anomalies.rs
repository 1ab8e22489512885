use actix_web::{get, patch, web, HttpResponse};
use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::analytics::period::PeriodQuery;
use crate::api::extract::{ValidJson, ValidQuery};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::responses::{AuthErrors, BodyErrors, NotFound};
use crate::error::{ApiError, Problem};
use crate::forecast::NotEnoughData;
use crate::insights::anomaly_store::{self, Anomaly};

/// The longest period one list covers: with at most a few anomalies a month, a bounded list.
const MAX_DAYS: i64 = 366;
/// Without a period: the last 90 days.
const DEFAULT_DAYS: i64 = 90;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnomalyQuery {
    /// `YYYY-MM`: one month.
    #[param(example = "2026-11")]
    pub month: Option<String>,
    /// First day, `YYYY-MM-DD` (with `to`); at most 366 days before `to`.
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    /// Last day (with `from`).
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
    /// Also list the ones you marked "this is fine".
    pub include_dismissed: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct AnomalyList {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Most severe first, at most 4 per calendar month; the dismissed ones (when asked for)
    /// last.
    pub items: Vec<Anomaly>,
    /// How many were not raised because you marked a similar one "this is fine".
    pub silenced: usize,
    /// Set while the history is too short for most kinds (duplicates are still found).
    pub not_enough_data: Option<NotEnoughData>,
}

/// Payments and months that are unusual for you: an amount far above the merchant's (or the
/// category's) own history, a possible duplicate charge, a large first payment to a new
/// merchant, a recurring bill missing or risen, a category's month far above its usual. Each
/// with its reason in numbers and a severity; at most 4 per month. The last 90 days by default,
/// or `month`, or `from` and `to` (at most 366 days). Computed from your ledger as it is now:
/// every write is seen at once.
#[utoipa::path(tag = "insights", params(AnomalyQuery), responses(
    (status = 200, body = AnomalyList),
    (status = 422, description = "`month`, `from` or `to` is invalid, or the period is longer than 366 days", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/anomalies")]
pub async fn list_anomalies(
    user: CurrentUser,
    state: web::Data<AppState>,
    query: ValidQuery<AnomalyQuery>,
) -> Result<HttpResponse, ApiError> {
    let today = Utc::now().date_naive();
    let query = query.into_inner();
    let date = |field: &str, value: Option<&str>| {
        value
            .map(|v| {
                v.parse::<NaiveDate>()
                    .map_err(|_| ApiError::validation(field, "must be a date as YYYY-MM-DD"))
            })
            .transpose()
    };
    let period = PeriodQuery {
        month: query.month,
        year: None,
        from: date("from", query.from.as_deref())?,
        to: date("to", query.to.as_deref())?,
    };
    let (from, to) = if period.is_given() {
        let p = period.period(today)?;
        if p.days() > MAX_DAYS {
            return Err(ApiError::validation(
                "to",
                "the period may cover at most 366 days",
            ));
        }
        (p.from, p.to.min(today))
    } else {
        (today - Duration::days(DEFAULT_DAYS - 1), today)
    };
    let include_dismissed = query.include_dismissed.unwrap_or(false);
    let listed = if from > to {
        // A period wholly in the future has nothing in it yet.
        anomaly_store::Listed {
            items: Vec::new(),
            silenced: 0,
            not_enough_data: None,
        }
    } else {
        let ledgers = state.ledgers.clone();
        state
            .db(move |conn| {
                anomaly_store::list(conn, &ledgers, user.user.id, from, to, include_dismissed)
            })
            .await?
    };
    Ok(HttpResponse::Ok().json(AnomalyList {
        from,
        to,
        items: listed.items,
        silenced: listed.silenced,
        not_enough_data: listed.not_enough_data,
    }))
}

/// One anomaly, as detection sees it now.
#[utoipa::path(tag = "insights", params(("id" = i64, Path)), responses(
    (status = 200, body = Anomaly), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/anomalies/{id}")]
pub async fn get_anomaly(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let today = Utc::now().date_naive();
    let ledgers = state.ledgers.clone();
    let found = state
        .db(move |conn| anomaly_store::get(conn, &ledgers, user.user.id, id, today))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"dismissed": true}))]
pub struct UpdateAnomaly {
    /// `true`: "this is fine" — it and similar ones (same kind and merchant, series or
    /// category, up to 1.25 times its amount) stop being raised; `false` raises them again.
    pub dismissed: bool,
}

/// Mark an anomaly "this is fine" (or undo that); the choice is kept across detection runs.
#[utoipa::path(tag = "insights", params(("id" = i64, Path)), request_body = UpdateAnomaly,
    responses((status = 200, body = Anomaly), NotFound, AuthErrors, BodyErrors),
    security(("bearer" = []), ("session" = [])))]
#[patch("/anomalies/{id}")]
pub async fn update_anomaly(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<UpdateAnomaly>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let today = Utc::now().date_naive();
    let ledgers = state.ledgers.clone();
    let updated = state
        .db(move |conn| {
            anomaly_store::decide(conn, &ledgers, user.user.id, id, body.dismissed, today)
        })
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}
