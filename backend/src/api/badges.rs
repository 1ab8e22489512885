use actix_web::{get, post, put, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::extract::ValidJson;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::badges::{self, BadgeView, UnseenMilestone};
use crate::error::responses::{AuthErrors, BodyErrors, NotFound};
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

#[derive(Serialize, ToSchema)]
pub struct MilestoneToCelebrate {
    /// The milestone's id, to mark it seen.
    pub id: i64,
    pub goal_id: i64,
    pub goal_name: String,
    /// 25, 50, 75 or 100.
    pub percent: i32,
    pub reached_on: NaiveDate,
}

impl From<UnseenMilestone> for MilestoneToCelebrate {
    fn from(m: UnseenMilestone) -> Self {
        MilestoneToCelebrate {
            id: m.id,
            goal_id: m.goal_id,
            goal_name: m.goal_name,
            percent: m.percent,
            reached_on: m.reached_on,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "badges": [{"key": "first_budget", "name": "First budget", "description": "A plan for your spending.",
        "how": "Set a budget.", "earned": true, "earned_on": "2026-11-29", "fact": "set a budget", "progress": null}],
    "milestones": [{"id": 7, "goal_id": 3, "goal_name": "Holiday", "percent": 50, "reached_on": "2026-11-29"}]
}))]
pub struct Celebrations {
    /// Badges earned and not yet celebrated (none while badges are off), oldest first.
    pub badges: Vec<BadgeResponse>,
    /// Goal milestones reached and not yet celebrated, oldest first.
    pub milestones: Vec<MilestoneToCelebrate>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"badges": ["first_budget"], "milestones": [7]}))]
pub struct CelebrationsSeen {
    /// Keys of the badges celebrated.
    #[serde(default)]
    #[validate(length(max = 100, message = "at most 100 keys"))]
    pub badges: Vec<String>,
    /// Ids of the goal milestones celebrated.
    #[serde(default)]
    #[validate(length(max = 1000, message = "at most 1000 ids"))]
    pub milestones: Vec<i64>,
}

/// What there is to celebrate: badges earned and goal milestones reached since the app last
/// marked them seen, whichever write earned them (the web app, a script, an import). The web app
/// asks after its writes and shows a short celebration, then marks them seen.
#[utoipa::path(tag = "badges", responses((status = 200, body = Celebrations), AuthErrors),
    security(("bearer" = []), ("session" = [])))]
#[get("/celebrations")]
pub async fn list_celebrations(
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let id = user.user.id;
    let (badges, milestones) = state.db(move |conn| badges::unseen(conn, id)).await?;
    Ok(HttpResponse::Ok().json(Celebrations {
        badges: badges.into_iter().map(BadgeResponse::from).collect(),
        milestones: milestones
            .into_iter()
            .map(MilestoneToCelebrate::from)
            .collect(),
    }))
}

/// Mark badges and goal milestones as celebrated, so they are not shown again. Marking one
/// already seen changes nothing; a milestone id that is not yours answers 404 and marks nothing.
#[utoipa::path(tag = "badges", request_body = CelebrationsSeen, responses(
    (status = 204, description = "Marked seen"), NotFound, AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/celebrations/seen")]
pub async fn mark_celebrations_seen(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<CelebrationsSeen>,
) -> Result<HttpResponse, ApiError> {
    let id = user.user.id;
    state
        .db(move |conn| badges::mark_seen(conn, id, &body.badges, &body.milestones))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
