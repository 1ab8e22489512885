use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::extract::ValidJson;
use crate::api::fields;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::responses::{AuthErrors, BodyErrors, NotFound};
use crate::error::{ApiError, Problem};
use crate::ledger::rules::{self, Condition, MatchKind, Preview, Rule, RuleFields};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 4, "name": "Supermarkets", "priority": 100, "match_kind": "regex",
    "pattern": "tesco|sainsbury", "min_amount": null, "max_amount": 0,
    "account_id": null, "category_id": 7,
    "created_at": "2026-11-21T09:30:00Z", "updated_at": "2026-11-21T09:30:00Z"
}))]
pub struct RuleResponse {
    pub id: i64,
    pub name: String,
    pub priority: i32,
    #[schema(value_type = MatchKind)]
    pub match_kind: String,
    pub pattern: String,
    pub min_amount: Option<i64>,
    pub max_amount: Option<i64>,
    pub account_id: Option<i64>,
    pub category_id: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Rule> for RuleResponse {
    fn from(r: Rule) -> Self {
        RuleResponse {
            id: r.id,
            name: r.name,
            priority: r.priority,
            match_kind: r.match_kind,
            pattern: r.pattern,
            min_amount: r.min_amount,
            max_amount: r.max_amount,
            account_id: r.account_id,
            category_id: r.category_id,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RuleList {
    /// In the order they are tried.
    pub items: Vec<RuleResponse>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Supermarkets", "match_kind": "contains", "pattern": "tesco", "category_id": 7}))]
pub struct RuleRequest {
    #[validate(custom(function = "fields::Name::check"))]
    #[schema(value_type = fields::Name)]
    pub name: String,
    /// Lower runs first; defaults to 100.
    pub priority: Option<i32>,
    pub match_kind: MatchKind,
    /// Matched against the description, ignoring case.
    #[validate(custom(function = "fields::RulePattern::check"))]
    #[schema(value_type = fields::RulePattern)]
    pub pattern: String,
    /// Signed minor units (expenses are negative): only amounts at or above.
    #[validate(custom(function = "fields::Amount::check"))]
    #[schema(value_type = Option<fields::Amount>)]
    pub min_amount: Option<i64>,
    /// Signed minor units: only amounts at or below.
    #[validate(custom(function = "fields::Amount::check"))]
    #[schema(value_type = Option<fields::Amount>)]
    pub max_amount: Option<i64>,
    /// Only transactions of this account.
    pub account_id: Option<i64>,
    /// The category to assign.
    pub category_id: i64,
}

impl From<RuleRequest> for RuleFields {
    fn from(r: RuleRequest) -> Self {
        RuleFields {
            name: r.name,
            priority: r.priority.unwrap_or(100),
            match_kind: r.match_kind,
            pattern: r.pattern,
            min_amount: r.min_amount,
            max_amount: r.max_amount,
            account_id: r.account_id,
            category_id: r.category_id,
        }
    }
}

/// A rule's condition, to see what it would match before saving it.
#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"match_kind": "contains", "pattern": "tesco stores"}))]
pub struct RuleConditionRequest {
    pub match_kind: MatchKind,
    /// Matched against the description, ignoring case.
    #[validate(custom(function = "fields::RulePattern::check"))]
    #[schema(value_type = fields::RulePattern)]
    pub pattern: String,
    /// Signed minor units: only amounts at or above.
    pub min_amount: Option<i64>,
    /// Signed minor units: only amounts at or below.
    pub max_amount: Option<i64>,
    /// Only transactions of this account.
    pub account_id: Option<i64>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyRequest {
    /// `true` (default): only fill in uncategorized transactions. `false`: also re-file those
    /// categorized by a rule, the model or an import. Your own choices are never changed.
    pub only_uncategorized: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplyResult {
    pub updated: usize,
}

/// Your rules in the order they are tried.
#[utoipa::path(tag = "rules", responses((status = 200, body = RuleList), AuthErrors),
    security(("bearer" = []), ("session" = [])))]
#[get("/rules")]
pub async fn list_rules(
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let items = state
        .db(move |conn| rules::list(conn, user.user.id))
        .await?;
    Ok(HttpResponse::Ok().json(RuleList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Add a rule. It applies to future imports and new transactions; run `/rules/apply` for
/// existing ones.
#[utoipa::path(tag = "rules", request_body = RuleRequest, responses(
    (status = 201, body = RuleResponse), AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/rules")]
pub async fn create_rule(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<RuleRequest>,
) -> Result<HttpResponse, ApiError> {
    let rule = state
        .db(move |conn| rules::create(conn, user.user.id, body.into()))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/rules/{}", rule.id)))
        .json(RuleResponse::from(rule)))
}

/// One rule.
#[utoipa::path(tag = "rules", params(("id" = i64, Path)), responses(
    (status = 200, body = RuleResponse), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/rules/{id}")]
pub async fn get_rule(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let rule = state
        .db(move |conn| rules::get(conn, user.user.id, id))
        .await?;
    Ok(HttpResponse::Ok().json(RuleResponse::from(rule)))
}

/// Replace a rule.
#[utoipa::path(tag = "rules", params(("id" = i64, Path)), request_body = RuleRequest, responses(
    (status = 200, body = RuleResponse), NotFound, AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[put("/rules/{id}")]
pub async fn replace_rule(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<RuleRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let rule = state
        .db(move |conn| rules::replace(conn, user.user.id, id, body.into()))
        .await?;
    Ok(HttpResponse::Ok().json(RuleResponse::from(rule)))
}

/// Delete a rule.
#[utoipa::path(tag = "rules", params(("id" = i64, Path)), responses(
    (status = 204, description = "Deleted"), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[delete("/rules/{id}")]
pub async fn delete_rule(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .db(move |conn| rules::delete(conn, user.user.id, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Run the rules over your existing transactions.
#[utoipa::path(tag = "rules", request_body = ApplyRequest, responses(
    (status = 200, body = ApplyResult), AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/rules/apply")]
pub async fn apply_rules(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<ApplyRequest>,
) -> Result<HttpResponse, ApiError> {
    let only_uncategorized = body.only_uncategorized.unwrap_or(true);
    let updated = state
        .db(move |conn| rules::apply(conn, user.user.id, only_uncategorized))
        .await?;
    Ok(HttpResponse::Ok().json(ApplyResult { updated }))
}

/// How many of your transactions a rule with this condition would match (and how many of those
/// are uncategorized), with a few of their descriptions; nothing is saved.
#[utoipa::path(tag = "rules", request_body = RuleConditionRequest, responses(
    (status = 200, body = Preview), AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/rules/preview")]
pub async fn preview_rule(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<RuleConditionRequest>,
) -> Result<HttpResponse, ApiError> {
    let condition = Condition {
        match_kind: body.match_kind,
        pattern: body.pattern,
        min_amount: body.min_amount,
        max_amount: body.max_amount,
        account_id: body.account_id,
    };
    let preview = state
        .db(move |conn| rules::preview(conn, user.user.id, condition))
        .await?;
    Ok(HttpResponse::Ok().json(preview))
}

/// Make a rule from a transaction: its merchant key (else merchant or description) to its
/// category, or to the categorizer's suggestion when it has none.
#[utoipa::path(tag = "rules", params(("id" = i64, Path, description = "The transaction")), responses(
    (status = 201, body = RuleResponse), NotFound, AuthErrors,
    (status = 422, description = "The transaction has neither a category nor a suggestion", body = Problem, content_type = "application/problem+json"),
), security(("bearer" = []), ("session" = [])))]
#[post("/transactions/{id}/rule")]
pub async fn rule_from_transaction(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let rule = state
        .db(move |conn| rules::from_transaction(conn, user.user.id, id))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/rules/{}", rule.id)))
        .json(RuleResponse::from(rule)))
}
