use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::extract::{ValidJson, ValidQuery};
use crate::api::fields;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::responses::{AuthErrors, BodyErrors, NotFound, QueryErrors};
use crate::error::ApiError;
use crate::ledger::accounts::{self, Account, AccountChange, AccountKind, NewAccount};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 3, "name": "Everyday", "kind": "checking", "currency": "EUR",
    "opening_balance": 150000, "balance": 98750, "archived": false,
    "created_at": "2026-11-21T09:30:00Z", "updated_at": "2026-11-21T09:30:00Z"
}))]
pub struct AccountResponse {
    pub id: i64,
    pub name: String,
    #[schema(value_type = AccountKind)]
    pub kind: String,
    /// ISO 4217; every amount of the account is in minor units of it.
    pub currency: String,
    pub opening_balance: i64,
    /// Opening balance plus every transaction.
    pub balance: i64,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl AccountResponse {
    fn new(account: Account, balance: i64) -> Self {
        AccountResponse {
            id: account.id,
            name: account.name,
            kind: account.kind,
            currency: account.currency,
            opening_balance: account.opening_balance,
            balance,
            archived: account.archived,
            created_at: account.created_at.and_utc(),
            updated_at: account.updated_at.and_utc(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccountList {
    pub items: Vec<AccountResponse>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Everyday", "kind": "checking", "currency": "EUR", "opening_balance": 150000}))]
pub struct CreateAccount {
    #[validate(custom(function = "fields::Name::check"))]
    #[schema(value_type = fields::Name)]
    pub name: String,
    pub kind: AccountKind,
    /// Defaults to your base currency.
    #[validate(custom(function = "fields::CurrencyCode::check"))]
    #[schema(value_type = Option<fields::CurrencyCode>)]
    pub currency: Option<String>,
    /// Minor units; defaults to 0.
    #[validate(custom(function = "fields::Amount::check"))]
    #[schema(value_type = Option<fields::Amount>)]
    pub opening_balance: Option<i64>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"archived": true}))]
pub struct UpdateAccount {
    #[validate(custom(function = "fields::Name::check"))]
    #[schema(value_type = Option<fields::Name>)]
    pub name: Option<String>,
    pub kind: Option<AccountKind>,
    /// Only while the account has no transactions.
    #[validate(custom(function = "fields::CurrencyCode::check"))]
    #[schema(value_type = Option<fields::CurrencyCode>)]
    pub currency: Option<String>,
    #[validate(custom(function = "fields::Amount::check"))]
    #[schema(value_type = Option<fields::Amount>)]
    pub opening_balance: Option<i64>,
    /// Archived accounts are hidden from lists unless asked for, and keep their history.
    pub archived: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Include archived accounts.
    pub include_archived: Option<bool>,
}

/// Your accounts with their current balances.
#[utoipa::path(tag = "accounts", params(ListQuery), responses((status = 200, body = AccountList), AuthErrors, QueryErrors),
    security(("bearer" = []), ("session" = [])))]
#[get("/accounts")]
pub async fn list_accounts(
    user: CurrentUser,
    state: web::Data<AppState>,
    query: ValidQuery<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let include_archived = query.include_archived.unwrap_or(false);
    let items = state
        .db(move |conn| {
            let sums = accounts::transaction_sums(conn, user.user.id)?;
            let list = accounts::list(conn, user.user.id, include_archived)?;
            list.into_iter()
                .map(|a| {
                    let balance = accounts::balance(&a, &sums)?;
                    Ok(AccountResponse::new(a, balance))
                })
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(AccountList { items }))
}

/// Runs `f` for an account and answers it with its balance.
async fn respond_with<F>(state: &AppState, f: F) -> Result<AccountResponse, ApiError>
where
    F: FnOnce(&mut crate::db::DbConn) -> Result<Account, ApiError> + Send + 'static,
{
    state
        .db(move |conn| {
            let account = f(conn)?;
            let balance = accounts::balance_of(conn, &account)?;
            Ok(AccountResponse::new(account, balance))
        })
        .await
}

/// Open an account.
#[utoipa::path(tag = "accounts", request_body = CreateAccount, responses(
    (status = 201, body = AccountResponse),
    (status = 409, description = "You already have an account with this name", body = crate::error::Problem, content_type = "application/problem+json"),
    AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/accounts")]
pub async fn create_account(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<CreateAccount>,
) -> Result<HttpResponse, ApiError> {
    let user_id = user.user.id;
    let new = NewAccount {
        name: body.name,
        kind: body.kind,
        currency: body.currency.unwrap_or(user.user.base_currency),
        opening_balance: body.opening_balance.unwrap_or(0),
    };
    let account = respond_with(&state, move |conn| accounts::create(conn, user_id, new)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/accounts/{}", account.id)))
        .json(account))
}

/// One account.
#[utoipa::path(tag = "accounts", params(("id" = i64, Path)), responses(
    (status = 200, body = AccountResponse), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/accounts/{id}")]
pub async fn get_account(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (user_id, id) = (user.user.id, id.into_inner());
    let account = respond_with(&state, move |conn| accounts::get(conn, user_id, id)).await?;
    Ok(HttpResponse::Ok().json(account))
}

/// Rename, re-type, archive or unarchive an account.
#[utoipa::path(tag = "accounts", params(("id" = i64, Path)), request_body = UpdateAccount, responses(
    (status = 200, body = AccountResponse),
    (status = 409, description = "You already have an account with this name", body = crate::error::Problem, content_type = "application/problem+json"),
    NotFound, AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[patch("/accounts/{id}")]
pub async fn update_account(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<UpdateAccount>,
) -> Result<HttpResponse, ApiError> {
    let (user_id, id) = (user.user.id, id.into_inner());
    let change = AccountChange {
        name: body.name,
        kind: body.kind,
        currency: body.currency,
        opening_balance: body.opening_balance,
        archived: body.archived,
    };
    let account = respond_with(&state, move |conn| {
        accounts::update(conn, user_id, id, change)
    })
    .await?;
    Ok(HttpResponse::Ok().json(account))
}

/// Delete an account with all its transactions and imports.
#[utoipa::path(tag = "accounts", params(("id" = i64, Path)), responses(
    (status = 204, description = "Deleted"), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[delete("/accounts/{id}")]
pub async fn delete_account(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let (user_id, id) = (user.user.id, id.into_inner());
    let app = state.clone();
    state
        .db(move |conn| accounts::delete(conn, &app.storage, user_id, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
