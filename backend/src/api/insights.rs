use actix_web::{get, patch, web, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::extract::{ValidJson, ValidQuery};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::responses::{AuthErrors, BodyErrors, NotFound, QueryErrors};
use crate::error::ApiError;
use crate::insights::insight_store::{self, Insight};
use crate::insights::sentences::InsightNotYet;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InsightQuery {
    /// Also list the ones you dismissed.
    pub include_dismissed: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct InsightList {
    /// Most severe first.
    pub items: Vec<Insight>,
    /// The kinds that cannot be said yet, each with what it needs.
    pub not_enough_data: Vec<InsightNotYet>,
}

/// Short sentences from your numbers: a category budget this month's forecast overruns (the
/// pace so far plus the bills still to come), category changes against last month and your
/// usual month, the savings rate, subscriptions' monthly total and price rises, large bills due
/// in the next 14 days, an account's projected low point, and this month's anomalies. Each states
/// its figures (minor units and currency), its period and its links; thresholds are shares of
/// your own usual month. In your base currency. Composed from your ledger as it is now: every
/// write is seen at once.
#[utoipa::path(tag = "insights", params(InsightQuery), responses(
    (status = 200, body = InsightList), AuthErrors, QueryErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/insights")]
pub async fn list_insights(
    user: CurrentUser,
    state: web::Data<AppState>,
    query: ValidQuery<InsightQuery>,
) -> Result<HttpResponse, ApiError> {
    let today = Utc::now().date_naive();
    let include_dismissed = query.include_dismissed.unwrap_or(false);
    let ledgers = state.ledgers.clone();
    let listed = state
        .db(move |conn| {
            insight_store::list(
                conn,
                &ledgers,
                user.user.id,
                &user.user.base_currency,
                today,
                include_dismissed,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(InsightList {
        items: listed.items,
        not_enough_data: listed.not_enough_data,
    }))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"dismissed": true}))]
pub struct UpdateInsight {
    /// `true` hides it for its period; `false` shows it again.
    pub dismissed: bool,
}

/// Dismiss an insight (or bring it back); kept for its period.
#[utoipa::path(tag = "insights", params(("id" = i64, Path)), request_body = UpdateInsight,
    responses((status = 200, body = Insight), NotFound, AuthErrors, BodyErrors),
    security(("bearer" = []), ("session" = [])))]
#[patch("/insights/{id}")]
pub async fn update_insight(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<UpdateInsight>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let today = Utc::now().date_naive();
    let ledgers = state.ledgers.clone();
    let updated = state
        .db(move |conn| {
            insight_store::decide(
                conn,
                &ledgers,
                user.user.id,
                &user.user.base_currency,
                id,
                body.dismissed,
                today,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(updated))
}
