use actix_web::{delete, get, post, put, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::analytics::period::{month_label, parse_month, shift_months};
use crate::api::extract::ValidJson;
use crate::api::fields;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::badges;
use crate::debts::plan::{DebtSchedule, Ending, Schedule};
use crate::debts::{
    self, CurrentDebt, DebtInput, DebtKind, MinimumKind, PlanRequest, StrategyName, MAX_APR_BP,
    MAX_BALANCE,
};
use crate::error::responses::{AuthErrors, BodyErrors, NotFound};
use crate::error::{ApiError, FieldError, Problem};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 3, "name": "Visa", "kind": "credit_card", "currency": "USD", "balance": 420000,
    "follows_account": false, "account_id": null, "apr_bp": 1999, "minimum_kind": "percent",
    "minimum_amount": 2500, "minimum_percent_bp": 300, "final_month": null,
    "promo_apr_bp": 0, "promo_ends": "2027-03", "due_day": 15, "minimum_payment": 12600,
    "created_at": "2026-11-29T09:30:00Z", "updated_at": "2026-11-29T09:30:00Z"
}))]
pub struct DebtResponse {
    pub id: i64,
    pub name: String,
    pub kind: DebtKind,
    pub currency: String,
    /// Owed now, in minor units: the linked account's balance (negated) when there is one.
    pub balance: i64,
    /// Whether the balance follows a linked account's ledger.
    pub follows_account: bool,
    pub account_id: Option<i64>,
    /// Annual rate in basis points (1999 = 19.99 %).
    pub apr_bp: i64,
    pub minimum_kind: MinimumKind,
    /// The fixed minimum, or the floor of a percentage minimum.
    pub minimum_amount: i64,
    pub minimum_percent_bp: Option<i64>,
    /// Installments: the month of the last payment, `YYYY-MM`.
    pub final_month: Option<String>,
    pub promo_apr_bp: Option<i64>,
    /// The last month at the promotional rate, `YYYY-MM`.
    pub promo_ends: Option<String>,
    pub due_day: Option<i32>,
    /// Next month's minimum payment under the rules of the planner; `null` when paid off.
    pub minimum_payment: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The first month a plan made today covers: next month (this month's payment is usually made).
fn next_month() -> NaiveDate {
    shift_months(Utc::now().date_naive(), 1)
}

impl DebtResponse {
    fn new(current: CurrentDebt) -> Self {
        let minimum_payment = debts::minimum_now(&current, next_month());
        let d = current.debt;
        DebtResponse {
            id: d.id,
            name: d.name,
            kind: DebtKind::parse(&d.kind),
            currency: d.currency,
            balance: current.balance,
            follows_account: d.account_id.is_some(),
            account_id: d.account_id,
            apr_bp: d.apr_bp,
            minimum_kind: MinimumKind::parse(&d.minimum_kind),
            minimum_amount: d.minimum_amount,
            minimum_percent_bp: d.minimum_percent_bp,
            final_month: d.final_month.map(month_label),
            promo_apr_bp: d.promo_apr_bp,
            promo_ends: d.promo_ends.map(month_label),
            due_day: d.due_day,
            minimum_payment,
            created_at: d.created_at.and_utc(),
            updated_at: d.updated_at.and_utc(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DebtList {
    /// By name.
    pub items: Vec<DebtResponse>,
}

fn month(value: &str) -> Result<(), ValidationError> {
    parse_month(value).map(drop).ok_or_else(|| {
        ValidationError::new("month").with_message("must be a month as YYYY-MM".into())
    })
}

fn month_of(value: Option<&String>) -> Option<NaiveDate> {
    value.and_then(|m| parse_month(m))
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Visa", "kind": "credit_card", "balance": 420000, "apr_bp": 1999,
    "minimum_kind": "percent", "minimum_percent_bp": 300, "minimum_amount": 2500,
    "promo_apr_bp": 0, "promo_ends": "2027-03", "due_day": 15
}))]
pub struct DebtRequest {
    #[validate(custom(function = "fields::Name::check"))]
    #[schema(value_type = fields::Name)]
    pub name: String,
    pub kind: DebtKind,
    /// ISO 4217; defaults to the linked account's, else your base currency.
    #[validate(custom(function = "fields::CurrencyCode::check"))]
    #[schema(value_type = Option<fields::CurrencyCode>)]
    pub currency: Option<String>,
    /// Owed, in minor units (0 to 10^13); needed unless `account_id` links a loan or
    /// credit-card account, whose balance the debt then follows.
    #[validate(range(min = 0, max = MAX_BALANCE, message = "must be 0 to 10000000000000 minor units"))]
    pub balance: Option<i64>,
    pub account_id: Option<i64>,
    /// Annual rate in basis points, 0 to 10000 (100 %).
    #[validate(range(min = 0, max = MAX_APR_BP, message = "must be 0 to 10000 basis points"))]
    pub apr_bp: i64,
    pub minimum_kind: MinimumKind,
    /// `fixed`: the amount (positive); `percent`: the floor (default 0).
    #[validate(range(min = 0, max = MAX_BALANCE, message = "must be 0 to 10000000000000 minor units"))]
    pub minimum_amount: Option<i64>,
    /// `percent`: the share of the balance in basis points, 1 to 10000.
    #[validate(range(min = 1, max = 10_000, message = "must be 1 to 10000 basis points"))]
    pub minimum_percent_bp: Option<i64>,
    /// `installment`: the month of the last payment, `YYYY-MM`.
    #[validate(custom(function = "month"))]
    #[schema(value_type = Option<fields::YearMonth>)]
    pub final_month: Option<String>,
    /// A promotional annual rate in basis points, with `promo_ends`.
    #[validate(range(min = 0, max = MAX_APR_BP, message = "must be 0 to 10000 basis points"))]
    pub promo_apr_bp: Option<i64>,
    /// The last month at the promotional rate, `YYYY-MM`.
    #[validate(custom(function = "month"))]
    #[schema(value_type = Option<fields::YearMonth>)]
    pub promo_ends: Option<String>,
    #[validate(range(min = 1, max = 31, message = "must be a day of the month, 1 to 31"))]
    pub due_day: Option<i32>,
}

impl From<DebtRequest> for DebtInput {
    fn from(body: DebtRequest) -> Self {
        DebtInput {
            final_month: month_of(body.final_month.as_ref()),
            promo_ends: month_of(body.promo_ends.as_ref()),
            name: body.name,
            kind: body.kind,
            currency: body.currency,
            balance: body.balance,
            account_id: body.account_id,
            apr_bp: body.apr_bp,
            minimum_kind: body.minimum_kind,
            minimum_amount: body.minimum_amount,
            minimum_percent_bp: body.minimum_percent_bp,
            promo_apr_bp: body.promo_apr_bp,
            due_day: body.due_day,
        }
    }
}

/// Your debts, with what each owes now and next month's minimum payment.
#[utoipa::path(tag = "debts", responses((status = 200, body = DebtList), AuthErrors),
    security(("bearer" = []), ("session" = [])))]
#[get("/debts")]
pub async fn list_debts(
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let found = state
        .db(move |conn| debts::list(conn, user.user.id))
        .await?;
    Ok(HttpResponse::Ok().json(DebtList {
        items: found.into_iter().map(DebtResponse::new).collect(),
    }))
}

/// Record a debt: a stated balance, or a link to a loan or credit-card account whose ledger
/// balance it follows (imported payments reduce it).
#[utoipa::path(tag = "debts", request_body = DebtRequest, responses(
    (status = 201, body = DebtResponse),
    (status = 409, description = "You already have a debt with this name", body = Problem, content_type = "application/problem+json"),
    AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/debts")]
pub async fn create_debt(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<DebtRequest>,
) -> Result<HttpResponse, ApiError> {
    let created = state
        .db(move |conn| {
            let done = debts::create(conn, user.user.id, &user.user.base_currency, body.into());
            badges::after(conn, &user.user, done)
        })
        .await?;
    let response = DebtResponse::new(created);
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/debts/{}", response.id)))
        .json(response))
}

/// One debt.
#[utoipa::path(tag = "debts", params(("id" = i64, Path)), responses(
    (status = 200, body = DebtResponse), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/debts/{id}")]
pub async fn get_debt(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let found = state
        .db(move |conn| debts::get(conn, user.user.id, id))
        .await?;
    Ok(HttpResponse::Ok().json(DebtResponse::new(found)))
}

/// Replace a debt (every field, as when creating it).
#[utoipa::path(tag = "debts", params(("id" = i64, Path)), request_body = DebtRequest, responses(
    (status = 200, body = DebtResponse), NotFound,
    (status = 409, description = "You already have a debt with this name", body = Problem, content_type = "application/problem+json"),
    AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[put("/debts/{id}")]
pub async fn replace_debt(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<DebtRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let updated = state
        .db(move |conn| {
            let done = debts::replace(
                conn,
                user.user.id,
                &user.user.base_currency,
                id,
                body.into(),
            );
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::Ok().json(DebtResponse::new(updated)))
}

/// Delete a debt (a linked account and its transactions stay).
#[utoipa::path(tag = "debts", params(("id" = i64, Path)), responses(
    (status = 204, description = "Deleted"), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[delete("/debts/{id}")]
pub async fn delete_debt(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    state
        .db(move |conn| {
            let done = debts::delete(conn, user.user.id, id);
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PlanStrategy {
    /// Highest APR first.
    Avalanche,
    /// Smallest balance first.
    Snowball,
    /// The order of `order`.
    Custom,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraPayment {
    /// `YYYY-MM`, within the plan's 50 years.
    pub month: String,
    /// Minor units, 1 to 10^13.
    pub amount: i64,
}

/// Extra payments as months and amounts; each bad one named by its place in the list.
fn extra_payments(extras: &[ExtraPayment]) -> Result<Vec<(NaiveDate, i64)>, ApiError> {
    let mut errors = Vec::new();
    let mut found = Vec::new();
    for (i, extra) in extras.iter().enumerate() {
        let month = parse_month(&extra.month);
        if month.is_none() {
            errors.push(FieldError::new(
                format!("extra_payments[{i}].month"),
                "must be a month as YYYY-MM",
            ));
        }
        if !(1..=MAX_BALANCE).contains(&extra.amount) {
            errors.push(FieldError::new(
                format!("extra_payments[{i}].amount"),
                "must be 1 to 10000000000000 minor units",
            ));
        }
        found.extend(month.map(|m| (m, extra.amount)));
    }
    if errors.is_empty() {
        Ok(found)
    } else {
        Err(ApiError::Validation(errors))
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "budget": 60000, "strategy": "avalanche",
    "extra_payments": [{"month": "2027-06", "amount": 100000}]
}))]
pub struct PlanBody {
    /// What you pay towards all debts each month, in minor units; at least the sum of their
    /// minimums.
    #[validate(range(min = 0, max = MAX_BALANCE, message = "must be 0 to 10000000000000 minor units"))]
    pub budget: i64,
    pub strategy: PlanStrategy,
    /// Debt ids, first target first: every open debt in the currency once (`custom` only).
    #[serde(default)]
    pub order: Vec<i64>,
    /// One-off payments on top of the budget, to the strategy's current target.
    #[serde(default)]
    pub extra_payments: Vec<ExtraPayment>,
    /// The debts planned: those in this currency (default: your base currency).
    #[validate(custom(function = "fields::CurrencyCode::check"))]
    #[schema(value_type = Option<fields::CurrencyCode>)]
    pub currency: Option<String>,
    /// The first month planned, `YYYY-MM`; default next month.
    #[validate(custom(function = "month"))]
    #[schema(value_type = Option<fields::YearMonth>)]
    pub start: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ScheduleRow<'a> {
    /// `YYYY-MM`.
    pub month: &'a str,
    pub payment: i64,
    pub interest: i64,
    /// `payment − interest`; negative when the payment did not cover the interest.
    pub principal: i64,
    /// Owed after the payment.
    pub balance: i64,
}

#[derive(Serialize, ToSchema)]
pub struct DebtPlan<'a> {
    pub debt_id: i64,
    pub name: String,
    /// Owed at the start.
    pub balance: i64,
    /// The month of the last payment, `YYYY-MM`; `null` when not paid off within the plan.
    pub payoff_month: Option<String>,
    pub total_interest: i64,
    pub total_paid: i64,
    /// False when the first month's minimum does not even cover that month's interest.
    pub minimum_covers_interest: bool,
    pub schedule: Vec<ScheduleRow<'a>>,
}

#[derive(Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanEnding {
    /// Every debt is paid by `debt_free`.
    DebtFree,
    /// The payments stop reducing what is owed: the debts would never be paid.
    NeverEnds,
    /// Still owing after 50 years, when planning stops.
    Horizon,
}

#[derive(Serialize, ToSchema)]
pub struct PlanTotals {
    pub strategy: StrategyName,
    pub total_interest: i64,
    pub total_paid: i64,
    /// `YYYY-MM`, or `null` when the plan does not end debt-free.
    pub debt_free: Option<String>,
    pub ending: PlanEnding,
    /// Months until debt-free (or planned).
    pub months: usize,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "currency": "USD", "start": "2027-01", "budget": 60000,
    "totals": {"strategy": "avalanche", "total_interest": 81234, "total_paid": 1211234,
        "debt_free": "2028-08", "ending": "debt_free", "months": 20},
    "debts": [{"debt_id": 3, "name": "Visa", "balance": 600000, "payoff_month": "2028-08",
        "total_interest": 70000, "total_paid": 670000, "minimum_covers_interest": true,
        "schedule": [{"month": "2027-01", "payment": 12000, "interest": 9495, "principal": 2505, "balance": 597495}]}],
    "comparison": [{"strategy": "snowball", "total_interest": 84000, "total_paid": 1214000,
        "debt_free": "2028-09", "ending": "debt_free", "months": 21}]
}))]
pub struct PlanResponse<'a> {
    pub currency: String,
    /// The first month planned, `YYYY-MM`.
    pub start: String,
    pub budget: i64,
    /// The chosen strategy's totals.
    pub totals: PlanTotals,
    /// Each open debt in the currency, by name, with its month-by-month schedule.
    pub debts: Vec<DebtPlan<'a>>,
    /// The same totals for the other strategies and for paying only the minimums.
    pub comparison: Vec<PlanTotals>,
}

fn totals(strategy: StrategyName, schedule: &Schedule, start: NaiveDate) -> PlanTotals {
    PlanTotals {
        strategy,
        total_interest: schedule.total_interest,
        total_paid: schedule.total_paid,
        debt_free: debts::debt_free(start, schedule.ending).map(month_label),
        ending: match schedule.ending {
            Ending::DebtFree { .. } => PlanEnding::DebtFree,
            Ending::NeverEnds => PlanEnding::NeverEnds,
            Ending::Horizon => PlanEnding::Horizon,
        },
        months: schedule.months as usize,
    }
}

/// `labels[m]` is plan month `m` as `YYYY-MM`: made once per plan, not once per schedule row.
fn debt_plan(current: CurrentDebt, schedule: DebtSchedule, labels: &[String]) -> DebtPlan<'_> {
    let label = |m: u32| labels[m as usize].as_str();
    DebtPlan {
        debt_id: current.debt.id,
        name: current.debt.name,
        balance: current.balance,
        payoff_month: schedule.payoff_month.map(|m| label(m).to_owned()),
        total_interest: schedule.total_interest,
        total_paid: schedule.total_paid,
        minimum_covers_interest: schedule.minimum_covers_interest,
        schedule: schedule
            .rows
            .into_iter()
            .map(|r| ScheduleRow {
                month: label(r.month),
                payment: r.payment,
                interest: r.interest,
                principal: r.principal,
                balance: r.balance,
            })
            .collect(),
    }
}

/// Plan paying off your open debts in one currency. Rules (see `backend/src/debts/plan.rs`):
/// each month every debt is charged interest at APR/12 on its balance, rounded to the cent
/// half to even (a promotional rate applies through its last month); then every minimum is paid
/// (fixed, a percentage of the balance with a floor, or an installment loan's annuity payment
/// rounded to the cent whose last payment settles the rest); then the rest of the budget plus
/// that month's extra payments goes to the first debt in the strategy's order, what exceeds its
/// balance spilling to the next in the same month, so paid-off minimums roll over. Avalanche
/// orders by highest APR, snowball by smallest balance, ties by name. A plan whose payments do
/// not cover the interest ends as `never_ends`; planning stops at 50 years (`horizon`). The
/// response also carries the other strategies' totals and those of paying only the minimums.
#[utoipa::path(tag = "debts", request_body = PlanBody, responses(
    (status = 200, body = PlanResponse),
    (status = 422, description = "A field is invalid; a `budget` below the sum of the first month's minimums names the shortfall", body = Problem, content_type = "application/problem+json"),
    AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/debts/plan")]
pub async fn plan_debts(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<PlanBody>,
) -> Result<HttpResponse, ApiError> {
    let start = month_of(body.start.as_ref()).unwrap_or_else(next_month);
    let currency = body
        .currency
        .clone()
        .unwrap_or_else(|| user.user.base_currency.clone());
    let strategy = match body.strategy {
        PlanStrategy::Avalanche => StrategyName::Avalanche,
        PlanStrategy::Snowball => StrategyName::Snowball,
        PlanStrategy::Custom => StrategyName::Custom,
    };
    let request = PlanRequest {
        currency: currency.clone(),
        budget: body.budget,
        strategy: strategy.clone(),
        order: body.order,
        extras: extra_payments(&body.extra_payments)?,
        start,
    };
    let result = state
        .db(move |conn| debts::plan_for(conn, user.user.id, request))
        .await?;
    let labels: Vec<String> = (0..result.chosen.months)
        .map(|m| month_label(debts::month_of(start, m)))
        .collect();
    Ok(HttpResponse::Ok().json(PlanResponse {
        currency,
        start: month_label(start),
        budget: body.budget,
        totals: totals(strategy, &result.chosen, start),
        comparison: result
            .others
            .iter()
            .map(|(name, schedule)| totals(name.clone(), schedule, start))
            .collect(),
        debts: result
            .debts
            .into_iter()
            .zip(result.chosen.debts)
            .map(|(current, schedule)| debt_plan(current, schedule, &labels))
            .collect(),
    }))
}
