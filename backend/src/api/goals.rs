use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::analytics::period::{month_label, parse_month};
use crate::api::extract::{nullable, ValidJson, ValidQuery};
use crate::api::fields;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::badges;
use crate::debts::MAX_BALANCE;
use crate::error::responses::{AuthErrors, BodyErrors, NotFound, QueryErrors};
use crate::error::{ApiError, FieldError, Problem};
use crate::goals::progress::Progress;
use crate::goals::{self, Contribution, GoalChange, GoalInput, GoalState, GoalView};

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Earmark {
    pub account_id: i64,
    /// The part of the account's balance set aside for this goal, in minor units (positive).
    pub amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MonthSaved {
    /// `YYYY-MM`.
    pub month: String,
    /// Saved at the month's end (the current month: now).
    pub saved: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Milestone {
    /// 25, 50, 75 or 100.
    pub percent: i32,
    /// The day it was first seen reached.
    pub reached_on: NaiveDate,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 1, "name": "Emergency fund", "target_amount": 600000, "currency": "EUR",
    "target_date": "2027-06-30", "savings_share_bp": 2000, "state": "active", "starts": "2026-09",
    "accounts": [{"account_id": 4, "amount": 150000}],
    "progress": {"saved": 210000, "remaining": 390000, "percent": 35.0, "needed_per_month": 48750,
        "pace": 30000, "projection": {"expected": "2028-01", "earliest": "2027-08", "latest": null},
        "projection_note": null, "status": "behind"},
    "history": [{"month": "2026-09", "saved": 150000}, {"month": "2026-10", "saved": 180000}],
    "milestones": [{"percent": 25, "reached_on": "2026-10-03"}], "new_milestones": []
}))]
pub struct GoalResponse {
    pub id: i64,
    pub name: String,
    pub target_amount: i64,
    pub currency: String,
    pub target_date: Option<NaiveDate>,
    /// Basis points of each complete month's net savings allocated to the goal.
    pub savings_share_bp: Option<i64>,
    pub state: GoalState,
    /// The first month counted, `YYYY-MM`.
    pub starts: String,
    pub accounts: Vec<Earmark>,
    pub progress: Progress,
    pub history: Vec<MonthSaved>,
    pub milestones: Vec<Milestone>,
    /// Milestones recorded by this very request: the moment to celebrate.
    pub new_milestones: Vec<i32>,
}

impl From<GoalView> for GoalResponse {
    fn from(view: GoalView) -> Self {
        let g = view.goal;
        GoalResponse {
            id: g.id,
            name: g.name,
            target_amount: g.target_amount,
            currency: g.currency,
            target_date: g.target_date,
            savings_share_bp: g.savings_share_bp,
            state: GoalState::parse(&g.state),
            starts: month_label(g.starts_on),
            accounts: view
                .accounts
                .into_iter()
                .map(|(account_id, amount)| Earmark { account_id, amount })
                .collect(),
            progress: view.progress,
            history: view
                .history
                .into_iter()
                .map(|(month, saved)| MonthSaved {
                    month: month_label(month),
                    saved,
                })
                .collect(),
            milestones: view
                .milestones
                .into_iter()
                .map(|(percent, reached_on)| Milestone {
                    percent,
                    reached_on,
                })
                .collect(),
            new_milestones: view.new_milestones,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GoalList {
    /// By name.
    pub items: Vec<GoalResponse>,
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn earmarks(accounts: &[Earmark]) -> Result<Vec<(i64, i64)>, ApiError> {
    let bad: Vec<FieldError> = accounts
        .iter()
        .enumerate()
        .filter(|(_, e)| !(1..=MAX_BALANCE).contains(&e.amount))
        .map(|(i, _)| {
            FieldError::new(
                format!("accounts[{i}].amount"),
                "must be 1 to 10000000000000 minor units",
            )
        })
        .collect();
    if bad.is_empty() {
        Ok(accounts.iter().map(|e| (e.account_id, e.amount)).collect())
    } else {
        Err(ApiError::Validation(bad))
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Emergency fund", "target_amount": 600000, "target_date": "2027-06-30",
    "savings_share_bp": 2000, "accounts": [{"account_id": 4, "amount": 150000}]}))]
pub struct CreateGoal {
    #[validate(custom(function = "fields::Name::check"))]
    #[schema(value_type = fields::Name)]
    pub name: String,
    #[validate(range(min = 1, max = MAX_BALANCE, message = "must be 1 to 10000000000000 minor units"))]
    pub target_amount: i64,
    /// ISO 4217; default your base currency.
    #[validate(custom(function = "fields::CurrencyCode::check"))]
    #[schema(value_type = Option<fields::CurrencyCode>)]
    pub currency: Option<String>,
    #[validate(custom(function = "fields::DateInRange::check_optional"))]
    #[schema(value_type = Option<fields::DateInRange>)]
    pub target_date: Option<NaiveDate>,
    /// Share of each complete month's net savings, in basis points (1 to 10000).
    #[validate(range(min = 1, max = 10_000, message = "must be 1 to 10000 basis points"))]
    pub savings_share_bp: Option<i64>,
    /// Accounts in the goal's currency with the amount earmarked in each.
    #[serde(default)]
    pub accounts: Vec<Earmark>,
    /// The first month counted, `YYYY-MM`, up to the current one (default); an earlier month
    /// counts the share of savings and the pace from then.
    #[validate(custom(function = "month"))]
    #[schema(value_type = Option<fields::YearMonth>)]
    pub starts: Option<String>,
}

fn month(value: &str) -> Result<(), validator::ValidationError> {
    match parse_month(value) {
        Some(m) if m <= today() => Ok(()),
        _ => Err(validator::ValidationError::new("month")
            .with_message("must be a month as YYYY-MM, not after the current one".into())),
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"state": "paused"}))]
pub struct UpdateGoal {
    #[validate(custom(function = "fields::Name::check"))]
    #[schema(value_type = Option<fields::Name>)]
    pub name: Option<String>,
    #[validate(range(min = 1, max = MAX_BALANCE, message = "must be 1 to 10000000000000 minor units"))]
    pub target_amount: Option<i64>,
    /// `null` removes the date.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "fields::DateInRange::check_optional"))]
    #[schema(value_type = Option<fields::DateInRange>)]
    pub target_date: Option<Option<NaiveDate>>,
    /// `null` stops the allocation.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub savings_share_bp: Option<Option<i64>>,
    /// Replaces the linked accounts.
    pub accounts: Option<Vec<Earmark>>,
    /// Pause, resume (`active`), complete or archive. No share of savings is allocated in the
    /// months a goal is not active.
    pub state: Option<GoalState>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GoalQuery {
    /// Include archived goals.
    #[serde(default)]
    pub archived: bool,
}

/// Your goals with their progress: saved, remaining, percent, needed per month from now, pace over
/// the last three complete months, projected month with a range, status and monthly history.
#[utoipa::path(tag = "goals", params(GoalQuery), responses((status = 200, body = GoalList), AuthErrors, QueryErrors),
    security(("bearer" = []), ("session" = [])))]
#[get("/goals")]
pub async fn list_goals(
    user: CurrentUser,
    state: web::Data<AppState>,
    query: ValidQuery<GoalQuery>,
) -> Result<HttpResponse, ApiError> {
    let archived = query.archived;
    let found = state
        .db(move |conn| goals::list(conn, user.user.id, today(), archived))
        .await?;
    Ok(HttpResponse::Ok().json(GoalList {
        items: found.into_iter().map(GoalResponse::from).collect(),
    }))
}

/// Set a savings goal, funded by earmarks on accounts, contributions and/or a share of each
/// month's net savings.
#[utoipa::path(tag = "goals", request_body = CreateGoal, responses(
    (status = 201, body = GoalResponse),
    (status = 409, description = "You already have a goal with this name", body = Problem, content_type = "application/problem+json"),
    AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/goals")]
pub async fn create_goal(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<CreateGoal>,
) -> Result<HttpResponse, ApiError> {
    let input = GoalInput {
        accounts: earmarks(&body.accounts)?,
        name: body.name,
        target_amount: body.target_amount,
        currency: body
            .currency
            .unwrap_or_else(|| user.user.base_currency.clone()),
        target_date: body.target_date,
        savings_share_bp: body.savings_share_bp,
        starts_on: body
            .starts
            .as_deref()
            .and_then(parse_month)
            .unwrap_or_else(today),
    };
    let created = state
        .db(move |conn| {
            let done = goals::create(conn, user.user.id, input, today());
            badges::after(conn, &user.user, done)
        })
        .await?;
    let response = GoalResponse::from(created);
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/goals/{}", response.id)))
        .json(response))
}

/// One goal with its progress.
#[utoipa::path(tag = "goals", params(("id" = i64, Path)), responses(
    (status = 200, body = GoalResponse), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/goals/{id}")]
pub async fn get_goal(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let found = state
        .db(move |conn| goals::get(conn, user.user.id, id, today()))
        .await?;
    Ok(HttpResponse::Ok().json(GoalResponse::from(found)))
}

/// Change a goal: name, target, date, share of savings, linked accounts, or its state.
#[utoipa::path(tag = "goals", params(("id" = i64, Path)), request_body = UpdateGoal, responses(
    (status = 200, body = GoalResponse), NotFound,
    (status = 409, description = "You already have a goal with this name", body = Problem, content_type = "application/problem+json"),
    AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[patch("/goals/{id}")]
pub async fn update_goal(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<UpdateGoal>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    if let Some(Some(share)) = body.savings_share_bp {
        if !(1..=10_000).contains(&share) {
            return Err(ApiError::validation(
                "savings_share_bp",
                "must be 1 to 10000 basis points",
            ));
        }
    }
    let change = GoalChange {
        accounts: body.accounts.as_deref().map(earmarks).transpose()?,
        name: body.name,
        target_amount: body.target_amount,
        target_date: body.target_date,
        savings_share_bp: body.savings_share_bp,
        state: body.state,
    };
    let updated = state
        .db(move |conn| {
            let done = goals::update(conn, user.user.id, id, change, today());
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::Ok().json(GoalResponse::from(updated)))
}

/// Delete a goal with its contributions and milestones.
#[utoipa::path(tag = "goals", params(("id" = i64, Path)), responses(
    (status = 204, description = "Deleted"), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[delete("/goals/{id}")]
pub async fn delete_goal(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .db(move |conn| {
            let done = goals::delete(conn, user.user.id, id);
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize, ToSchema)]
pub struct ContributionResponse {
    pub id: i64,
    pub date: NaiveDate,
    /// Minor units of the goal's currency; negative for money taken out.
    pub amount: i64,
    pub note: String,
}

impl From<Contribution> for ContributionResponse {
    fn from(c: Contribution) -> Self {
        ContributionResponse {
            id: c.id,
            date: c.date,
            amount: c.amount,
            note: c.note,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ContributionList {
    /// By date.
    pub items: Vec<ContributionResponse>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date": "2026-11-29", "amount": 25000, "note": "birthday money"}))]
pub struct ContributionBody {
    /// Default today.
    #[validate(custom(function = "fields::DateInRange::check_optional"))]
    #[schema(value_type = Option<fields::DateInRange>)]
    pub date: Option<NaiveDate>,
    /// Minor units, not 0; negative to take money out.
    #[validate(
        range(min = -MAX_BALANCE, max = MAX_BALANCE, message = "must be within ±10000000000000 minor units"),
        custom(function = "not_zero")
    )]
    pub amount: i64,
    #[serde(default)]
    #[validate(length(max = 200, message = "must be at most 200 characters long"))]
    pub note: String,
}

fn not_zero(amount: i64) -> Result<(), validator::ValidationError> {
    if amount == 0 {
        Err(validator::ValidationError::new("zero").with_message("must not be 0".into()))
    } else {
        Ok(())
    }
}

/// A goal's contributions.
#[utoipa::path(tag = "goals", params(("id" = i64, Path)), responses(
    (status = 200, body = ContributionList), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/goals/{id}/contributions")]
pub async fn list_contributions(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let found = state
        .db(move |conn| goals::contributions(conn, user.user.id, id))
        .await?;
    Ok(HttpResponse::Ok().json(ContributionList {
        items: found.into_iter().map(ContributionResponse::from).collect(),
    }))
}

/// Put money towards a goal (or take some out); answers the goal with its new progress and any
/// milestone this reached.
#[utoipa::path(tag = "goals", params(("id" = i64, Path)), request_body = ContributionBody, responses(
    (status = 201, body = GoalResponse), NotFound, AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/goals/{id}/contributions")]
pub async fn add_contribution(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<ContributionBody>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let date = body.date.unwrap_or_else(today);
    let goal = state
        .db(move |conn| {
            // The goal is read before badges are evaluated: reading records the milestones,
            // and this answer is the one that names those just reached.
            let done = goals::contribute(conn, user.user.id, id, date, body.amount, &body.note)
                .and_then(|_| goals::get(conn, user.user.id, id, today()));
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::Created().json(GoalResponse::from(goal)))
}

/// Remove a contribution.
#[utoipa::path(tag = "goals", params(("id" = i64, Path), ("contribution_id" = i64, Path)), responses(
    (status = 204, description = "Deleted"), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[delete("/goals/{id}/contributions/{contribution_id}")]
pub async fn delete_contribution(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, contribution) = path.into_inner();
    state
        .db(move |conn| {
            let done = goals::remove_contribution(conn, user.user.id, id, contribution);
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
