use actix_web::{get, put, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::extract::ValidJson;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::badges::{self, BadgeView};
use crate::error::responses::{AuthErrors, BodyErrors};
use crate::error::ApiError;

#[derive(Serialize, ToSchema)]
pub struct BadgeProgress {
    pub current: i64,
    pub target: i64,
}

#[derive(Serialize, ToSchema)]
pub struct BadgeResponse {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    /// How it is earned.
    pub how: &'static str,
    pub earned: bool,
    pub earned_on: Option<NaiveDate>,
    /// The fact that earned it.
    pub fact: Option<String>,
    /// Towards a badge not yet earned, where that means something.
    pub progress: Option<BadgeProgress>,
}

impl From<BadgeView> for BadgeResponse {
    fn from(view: BadgeView) -> Self {
        BadgeResponse {
            key: view.badge.key,
            name: view.badge.name,
            description: view.badge.description,
            how: view.badge.how,
            earned: view.earned.is_some(),
            earned_on: view.earned.as_ref().map(|(on, _)| *on),
            fact: view.earned.map(|(_, fact)| fact),
            progress: view
                .progress
                .map(|(current, target)| BadgeProgress { current, target }),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"enabled": true, "items": [
    {"key": "first_import", "name": "First import", "description": "Your bank's history is in.",
     "how": "Commit an import of a bank file.", "earned": true, "earned_on": "2026-11-02",
     "fact": "imported bank.csv", "progress": null},
    {"key": "saved_three_months", "name": "Saver", "description": "Money saved three months in a row.",
     "how": "Have income above spending in three consecutive months.", "earned": false,
     "earned_on": null, "fact": null, "progress": {"current": 2, "target": 3}}
]}))]
pub struct BadgeList {
    /// `false` when you turned badges off: nothing is evaluated or listed.
    pub enabled: bool,
    /// Every badge, earned or not, in a fixed order.
    pub items: Vec<BadgeResponse>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": false}))]
pub struct BadgeSettings {
    pub enabled: bool,
}

async fn badge_list(state: &AppState, user: CurrentUser) -> Result<BadgeList, ApiError> {
    let today = Utc::now().date_naive();
    state
        .db(move |conn| {
            let user = &user.user;
            if !badges::enabled(conn, user.id)? {
                return Ok(BadgeList {
                    enabled: false,
                    items: Vec::new(),
                });
            }
            let items = badges::list(conn, user.id, &user.base_currency, today)?;
            Ok(BadgeList {
                enabled: true,
                items: items.into_iter().map(BadgeResponse::from).collect(),
            })
        })
        .await
}

/// Your badges: earned ones with the day and the fact that earned them, the others with how to
/// earn them and progress where it means something. Badges only celebrate; none is ever lost for
/// failing, only when the facts that earned it are undone.
#[utoipa::path(tag = "badges", responses((status = 200, body = BadgeList), AuthErrors),
    security(("bearer" = []), ("session" = [])))]
#[get("/badges")]
pub async fn list_badges(
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(badge_list(&state, user).await?))
}

/// Turn badges on or off.
#[utoipa::path(tag = "badges", request_body = BadgeSettings, responses(
    (status = 200, body = BadgeList), AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[put("/badges/settings")]
pub async fn set_badges(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<BadgeSettings>,
) -> Result<HttpResponse, ApiError> {
    let id = user.user.id;
    state
        .db(move |conn| badges::set_enabled(conn, id, body.enabled))
        .await?;
    Ok(HttpResponse::Ok().json(badge_list(&state, user).await?))
}
