use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::api::extract::{nullable, ValidJson, ValidQuery};
use crate::api::fields;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::badges;
use crate::error::responses::{AuthErrors, BodyErrors, NotFound};
use crate::error::{ApiError, Problem};
use crate::ledger::transactions::{
    self, CategorySource, Filter, Listed, NewTransaction, Page, Totals, TransactionChange,
};
use crate::ledger::{export, merchants};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 42, "account_id": 3, "date": "2026-03-14", "amount": -1250, "currency": "EUR",
    "description": "CARD PAYMENT TESCO STORES 3297", "merchant": "Tesco",
    "merchant_name": "Tesco", "merchant_key": "tesco", "notes": null,
    "category_id": 7, "category_source": "rule", "category_confidence": null,
    "suggested_category_id": null,
    "is_transfer": false, "import_id": 5,
    "created_at": "2026-03-15T08:00:00Z", "updated_at": "2026-03-15T08:00:00Z"
}))]
pub struct TransactionResponse {
    pub id: i64,
    pub account_id: i64,
    pub date: NaiveDate,
    /// Minor units of `currency`; expenses are negative.
    pub amount: i64,
    /// The account's currency.
    pub currency: String,
    pub description: String,
    /// The merchant as the bank or you gave it.
    pub merchant: Option<String>,
    /// The merchant to show: `merchant`, else the one derived from the description (`null`
    /// when nothing in it names anyone).
    pub merchant_name: Option<String>,
    /// The derived merchant key (lower case), what a rule for this merchant would look for.
    pub merchant_key: Option<String>,
    pub notes: Option<String>,
    pub category_id: Option<i64>,
    /// How the category was set.
    #[schema(value_type = Option<CategorySource>)]
    pub category_source: Option<String>,
    /// The categorizer's confidence (0–1) when the model set the category.
    pub category_confidence: Option<f64>,
    /// The categorizer's guess when it was not sure enough to set a category.
    pub suggested_category_id: Option<i64>,
    /// A transfer between your own accounts: left out of income and expenses.
    pub is_transfer: bool,
    /// The import that brought it in, if any.
    pub import_id: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Listed> for TransactionResponse {
    fn from((t, currency): Listed) -> Self {
        TransactionResponse {
            id: t.id,
            account_id: t.account_id,
            date: t.date,
            amount: t.amount,
            currency,
            description: t.description,
            merchant_name: merchants::name(t.merchant.as_deref(), t.merchant_key.as_deref()),
            merchant: t.merchant,
            merchant_key: t.merchant_key.filter(|k| !k.is_empty()),
            notes: t.notes,
            category_id: t.category_id,
            category_source: t.category_source,
            category_confidence: t.category_confidence,
            suggested_category_id: t.suggested_category_id,
            is_transfer: t.is_transfer,
            import_id: t.import_id,
            created_at: t.created_at.and_utc(),
            updated_at: t.updated_at.and_utc(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TransactionList {
    pub items: Vec<TransactionResponse>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// Of the whole filtered set (not just this page), one entry per currency. Computed from
    /// monthly sums, so only for filters of accounts, a category and dates (all transactions
    /// or transfers only); `null` for any other filter (text, amounts, an import, income or
    /// expenses only): ask `GET /transactions/totals` once for those.
    pub totals: Option<Vec<Totals>>,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"totals": [{"currency": "EUR", "count": 212, "income": 450000, "expenses": -312055}]}))]
pub struct TransactionTotals {
    /// Of the whole filtered set, one entry per currency.
    pub totals: Vec<Totals>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"account_id": 3, "date": "2026-03-14", "amount": -1250, "description": "Farmers market", "category_id": 7}))]
pub struct CreateTransaction {
    pub account_id: i64,
    #[validate(custom(function = "fields::DateInRange::check"))]
    #[schema(value_type = fields::DateInRange)]
    pub date: NaiveDate,
    /// Minor units of the account's currency; expenses negative.
    #[validate(custom(function = "fields::Amount::check"))]
    #[schema(value_type = fields::Amount)]
    pub amount: i64,
    #[validate(custom(function = "fields::Description::check"))]
    #[schema(value_type = fields::Description)]
    pub description: String,
    #[validate(custom(function = "fields::MerchantName::check"))]
    #[schema(value_type = Option<fields::MerchantName>)]
    pub merchant: Option<String>,
    #[validate(custom(function = "fields::Notes::check"))]
    #[schema(value_type = Option<fields::Notes>)]
    pub notes: Option<String>,
    /// Without it, your rules pick one.
    pub category_id: Option<i64>,
    #[serde(default)]
    pub is_transfer: bool,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category_id": 9}))]
pub struct UpdateTransaction {
    pub account_id: Option<i64>,
    #[validate(custom(function = "fields::DateInRange::check_optional"))]
    #[schema(value_type = Option<fields::DateInRange>)]
    pub date: Option<NaiveDate>,
    #[validate(custom(function = "fields::Amount::check"))]
    #[schema(value_type = Option<fields::Amount>)]
    pub amount: Option<i64>,
    #[validate(custom(function = "fields::Description::check"))]
    #[schema(value_type = Option<fields::Description>)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "fields::MerchantName::check"))]
    #[schema(value_type = Option<fields::MerchantName>)]
    pub merchant: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "fields::Notes::check"))]
    #[schema(value_type = Option<fields::Notes>)]
    pub notes: Option<Option<String>>,
    /// `null` removes the category.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub category_id: Option<Option<i64>>,
    pub is_transfer: Option<bool>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ids": [41, 42], "category_id": 9}))]
pub struct BulkCategorize {
    pub ids: Vec<i64>,
    /// `null` makes them uncategorized.
    pub category_id: Option<i64>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkDelete {
    pub ids: Vec<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct BulkResult {
    /// How many of the ids were yours and changed.
    pub affected: usize,
}

/// Your transactions, filtered, sorted and paged, with totals of the whole filtered set where
/// monthly sums can give them (see `totals`). A page costs the same whatever the history.
#[utoipa::path(tag = "transactions", params(Filter, Page), responses(
    (status = 200, body = TransactionList),
    (status = 422, description = "A filter or the cursor is invalid", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/transactions")]
pub async fn list_transactions(
    user: CurrentUser,
    state: web::Data<AppState>,
    filter: ValidQuery<Filter>,
    page: ValidQuery<Page>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.resolve()?;
    let page = page.into_inner();
    let result = state
        .db(move |conn| transactions::list(conn, user.user.id, &filter, &page))
        .await?;
    Ok(HttpResponse::Ok().json(TransactionList {
        items: result.items.into_iter().map(Into::into).collect(),
        next_cursor: result.next_cursor,
        totals: result.totals,
    }))
}

/// Count, income and expenses of the whole filtered set (same filters as the list), per
/// currency. Reads every matching row when the filter needs it (text, amounts, an import,
/// income or expenses only): ask once per filter, not with every page.
#[utoipa::path(tag = "transactions", params(Filter), responses(
    (status = 200, body = TransactionTotals),
    (status = 422, description = "A filter is invalid", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/transactions/totals")]
pub async fn transaction_totals(
    user: CurrentUser,
    state: web::Data<AppState>,
    filter: ValidQuery<Filter>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.resolve()?;
    let totals = state
        .db(move |conn| transactions::totals(conn, user.user.id, &filter))
        .await?;
    Ok(HttpResponse::Ok().json(TransactionTotals { totals }))
}

/// The filtered transactions as CSV (same filters as the list). Text cells that a spreadsheet
/// would run as a formula are prefixed with `'`; the file re-imports into Dhana as it was.
#[utoipa::path(tag = "transactions", params(Filter), responses(
    (status = 200, description = "CSV with a header row", content_type = "text/csv", body = String),
    (status = 422, description = "A filter is invalid", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/transactions/export.csv")]
pub async fn export_transactions(
    user: CurrentUser,
    state: web::Data<AppState>,
    filter: ValidQuery<Filter>,
) -> Result<HttpResponse, ApiError> {
    let filter = filter.resolve()?;
    let csv = state
        .db(move |conn| export::csv(conn, user.user.id, &filter))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename("transactions.csv".into())],
        })
        .body(csv))
}

/// Record a transaction by hand.
#[utoipa::path(tag = "transactions", request_body = CreateTransaction, responses(
    (status = 201, body = TransactionResponse), AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/transactions")]
pub async fn create_transaction(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<CreateTransaction>,
) -> Result<HttpResponse, ApiError> {
    let new = NewTransaction {
        account_id: body.account_id,
        date: body.date,
        amount: body.amount,
        description: body.description,
        merchant: body.merchant,
        notes: body.notes,
        category_id: body.category_id,
        is_transfer: body.is_transfer,
    };
    let created = state
        .db(move |conn| {
            let done = transactions::create(conn, user.user.id, new);
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/transactions/{}", created.0.id)))
        .json(TransactionResponse::from(created)))
}

/// One transaction.
#[utoipa::path(tag = "transactions", params(("id" = i64, Path)), responses(
    (status = 200, body = TransactionResponse), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/transactions/{id}")]
pub async fn get_transaction(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let found = state
        .db(move |conn| transactions::get(conn, user.user.id, id))
        .await?;
    Ok(HttpResponse::Ok().json(TransactionResponse::from(found)))
}

/// Change a transaction. Setting the category records it as your choice; a transfer category
/// marks it as a transfer.
#[utoipa::path(tag = "transactions", params(("id" = i64, Path)), request_body = UpdateTransaction, responses(
    (status = 200, body = TransactionResponse), NotFound, AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[patch("/transactions/{id}")]
pub async fn update_transaction(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<UpdateTransaction>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let change = TransactionChange {
        account_id: body.account_id,
        date: body.date,
        amount: body.amount,
        description: body.description,
        merchant: body.merchant,
        notes: body.notes,
        category_id: body.category_id,
        is_transfer: body.is_transfer,
    };
    let updated = state
        .db(move |conn| {
            let done = transactions::update(conn, user.user.id, id, change);
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::Ok().json(TransactionResponse::from(updated)))
}

/// Delete a transaction.
#[utoipa::path(tag = "transactions", params(("id" = i64, Path)), responses(
    (status = 204, description = "Deleted"), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[delete("/transactions/{id}")]
pub async fn delete_transaction(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .db(move |conn| {
            let done = transactions::delete(conn, user.user.id, id);
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Set the category of many transactions at once.
#[utoipa::path(tag = "transactions", request_body = BulkCategorize, responses(
    (status = 200, body = BulkResult), AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/transactions/bulk/categorize")]
pub async fn bulk_categorize(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<BulkCategorize>,
) -> Result<HttpResponse, ApiError> {
    let affected = state
        .db(move |conn| {
            let done =
                transactions::bulk_categorize(conn, user.user.id, &body.ids, body.category_id);
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::Ok().json(BulkResult { affected }))
}

/// Delete many transactions at once.
#[utoipa::path(tag = "transactions", request_body = BulkDelete, responses(
    (status = 200, body = BulkResult), AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/transactions/bulk/delete")]
pub async fn bulk_delete(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<BulkDelete>,
) -> Result<HttpResponse, ApiError> {
    let affected = state
        .db(move |conn| {
            let done = transactions::bulk_delete(conn, user.user.id, &body.ids);
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::Ok().json(BulkResult { affected }))
}
