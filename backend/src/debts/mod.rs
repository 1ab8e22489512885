//! Debts: what is owed, stored per user, and the payoff plan over them (the rules are in
//! `plan.rs`; this module turns stored debts and calendar months into its plain values).

pub mod plan;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::analytics::period::{first_of_month, shift_months};
use crate::db::schema::debts;
use crate::db::DbConn;
use crate::error::{ApiError, FieldError};
use crate::ledger::accounts::{self, Account};
use crate::ledger::{not_found, unique};
use crate::money::format_minor;
use crate::users::now;
use crate::with_conn;
use plan::{Debt as PlanDebt, Ending, Extra, Minimum, PlanError, Promo, Schedule, Strategy};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DebtKind {
    CreditCard,
    Loan,
    Mortgage,
    Student,
    Other,
}

impl DebtKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DebtKind::CreditCard => "credit_card",
            DebtKind::Loan => "loan",
            DebtKind::Mortgage => "mortgage",
            DebtKind::Student => "student",
            DebtKind::Other => "other",
        }
    }

    pub fn parse(value: &str) -> DebtKind {
        match value {
            "credit_card" => DebtKind::CreditCard,
            "loan" => DebtKind::Loan,
            "mortgage" => DebtKind::Mortgage,
            "student" => DebtKind::Student,
            _ => DebtKind::Other,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MinimumKind {
    /// `minimum_amount` every month.
    Fixed,
    /// `minimum_percent_bp` of the balance, at least `minimum_amount`.
    Percent,
    /// The annuity payment that repays the balance by `final_month`.
    Installment,
}

impl MinimumKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MinimumKind::Fixed => "fixed",
            MinimumKind::Percent => "percent",
            MinimumKind::Installment => "installment",
        }
    }

    pub fn parse(value: &str) -> MinimumKind {
        match value {
            "percent" => MinimumKind::Percent,
            "installment" => MinimumKind::Installment,
            _ => MinimumKind::Fixed,
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = debts)]
pub struct StoredDebt {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub kind: String,
    pub currency: String,
    pub balance: i64,
    pub apr_bp: i64,
    pub minimum_kind: String,
    pub minimum_amount: i64,
    pub minimum_percent_bp: Option<i64>,
    pub final_month: Option<NaiveDate>,
    pub promo_apr_bp: Option<i64>,
    pub promo_ends: Option<NaiveDate>,
    pub due_day: Option<i32>,
    pub account_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A stored debt with its balance now: the ledger's for a linked account, else the stored one.
#[derive(Clone, Debug)]
pub struct CurrentDebt {
    pub debt: StoredDebt,
    pub balance: i64,
}

/// What a user sends to create or replace a debt; checked by `check` before it is stored.
#[derive(Clone, Debug)]
pub struct DebtInput {
    pub name: String,
    pub kind: DebtKind,
    pub currency: Option<String>,
    pub balance: Option<i64>,
    pub account_id: Option<i64>,
    pub apr_bp: i64,
    pub minimum_kind: MinimumKind,
    pub minimum_amount: Option<i64>,
    pub minimum_percent_bp: Option<i64>,
    pub final_month: Option<NaiveDate>,
    pub promo_apr_bp: Option<i64>,
    pub promo_ends: Option<NaiveDate>,
    pub due_day: Option<i32>,
}

/// The stored fields of a debt, as written on create and on replace.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = debts, treat_none_as_null = true)]
struct DebtRow<'a> {
    name: &'a str,
    kind: &'static str,
    currency: &'a str,
    balance: i64,
    apr_bp: i64,
    minimum_kind: &'static str,
    minimum_amount: i64,
    minimum_percent_bp: Option<i64>,
    final_month: Option<NaiveDate>,
    promo_apr_bp: Option<i64>,
    promo_ends: Option<NaiveDate>,
    due_day: Option<i32>,
    account_id: Option<i64>,
}

impl<'a> DebtRow<'a> {
    fn new(input: &'a DebtInput, currency: &'a str, balance: i64) -> Self {
        DebtRow {
            name: input.name.trim(),
            kind: input.kind.as_str(),
            currency,
            balance,
            apr_bp: input.apr_bp,
            minimum_kind: input.minimum_kind.as_str(),
            minimum_amount: input.minimum_amount.unwrap_or(0),
            minimum_percent_bp: input.minimum_percent_bp,
            final_month: input.final_month.map(first_of_month),
            promo_apr_bp: input.promo_apr_bp,
            promo_ends: input.promo_ends.map(first_of_month),
            due_day: input.due_day,
            account_id: input.account_id,
        }
    }
}

/// A stated balance is at most 10^13 minor units (100 billion of a two-decimal currency).
pub const MAX_BALANCE: i64 = 10_000_000_000_000;

/// Rates up to 100 % APR.
pub const MAX_APR_BP: i64 = 10_000;

/// What is owed on a loan or credit-card account: its negative balance, as a positive amount.
fn owed(ledger_balance: i64) -> i64 {
    ledger_balance.checked_neg().unwrap_or(i64::MAX).max(0)
}

/// The fields a debt needs together (the single-field ranges are checked at the edge), and the
/// linked account, which must be the user's loan or credit card.
fn check(
    conn: &mut DbConn,
    user_id: i64,
    base_currency: &str,
    input: &DebtInput,
) -> Result<(String, i64), ApiError> {
    let mut errors = Vec::new();
    let mut need = |present: bool, field: &str, message: &str| {
        if !present {
            errors.push(FieldError::new(field, message));
        }
    };
    match input.minimum_kind {
        MinimumKind::Fixed => need(
            input.minimum_amount.is_some_and(|a| a > 0),
            "minimum_amount",
            "a fixed minimum needs a positive amount",
        ),
        MinimumKind::Percent => need(
            input.minimum_percent_bp.is_some(),
            "minimum_percent_bp",
            "a percentage minimum needs its percentage in basis points",
        ),
        MinimumKind::Installment => need(
            input.final_month.is_some(),
            "final_month",
            "an installment loan needs the month of its last payment",
        ),
    }
    need(
        input.promo_apr_bp.is_some() == input.promo_ends.is_some(),
        if input.promo_apr_bp.is_some() {
            "promo_ends"
        } else {
            "promo_apr_bp"
        },
        "a promotional rate needs both its rate and its last month",
    );
    need(
        input.balance.is_some() || input.account_id.is_some(),
        "balance",
        "give the balance owed, or link a loan or credit-card account",
    );
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    match input.account_id {
        Some(id) => {
            let account = linked_account(conn, user_id, id)?;
            if input
                .currency
                .as_ref()
                .is_some_and(|c| *c != account.currency)
            {
                return Err(ApiError::validation(
                    "currency",
                    "must be the linked account's currency (or left out)",
                ));
            }
            let balance = owed(accounts::balance_of(conn, &account)?);
            Ok((account.currency, balance))
        }
        None => Ok((
            input
                .currency
                .clone()
                .unwrap_or_else(|| base_currency.to_owned()),
            input.balance.unwrap_or(0),
        )),
    }
}

fn linked_account(conn: &mut DbConn, user_id: i64, id: i64) -> Result<Account, ApiError> {
    let account = accounts::get(conn, user_id, id)
        .map_err(|_| ApiError::validation("account_id", "is not one of your accounts"))?;
    if account.kind != "loan" && account.kind != "credit_card" {
        return Err(ApiError::validation(
            "account_id",
            "must be a loan or credit-card account",
        ));
    }
    Ok(account)
}

fn unique_name<T>(result: QueryResult<T>) -> Result<T, ApiError> {
    unique(result, "you already have a debt with this name")
}

pub fn list(conn: &mut DbConn, user_id: i64) -> Result<Vec<CurrentDebt>, ApiError> {
    let stored: Vec<StoredDebt> = with_conn!(conn, c => debts::table
        .filter(debts::user_id.eq(user_id))
        .order((debts::name.asc(), debts::id.asc()))
        .select(StoredDebt::as_select())
        .load(c))?;
    let linked = stored.iter().any(|d| d.account_id.is_some());
    let (accounts, sums) = if linked {
        (
            accounts::list(conn, user_id, true)?,
            accounts::transaction_sums(conn, user_id)?,
        )
    } else {
        Default::default()
    };
    stored
        .into_iter()
        .map(|debt| {
            let balance = match debt
                .account_id
                .and_then(|id| accounts.iter().find(|a| a.id == id))
            {
                Some(a) => owed(accounts::balance(a, &sums)?),
                None => debt.balance,
            };
            Ok(CurrentDebt { debt, balance })
        })
        .collect()
}

pub fn get(conn: &mut DbConn, user_id: i64, id: i64) -> Result<CurrentDebt, ApiError> {
    list(conn, user_id)?
        .into_iter()
        .find(|d| d.debt.id == id)
        .ok_or_else(|| not_found("debt", id))
}

pub fn create(
    conn: &mut DbConn,
    user_id: i64,
    base_currency: &str,
    input: DebtInput,
) -> Result<CurrentDebt, ApiError> {
    let (currency, balance) = check(conn, user_id, base_currency, &input)?;
    let now = now();
    let row = DebtRow::new(&input, &currency, balance);
    let created = unique_name(with_conn!(conn, c => diesel::insert_into(debts::table)
        .values((
            debts::user_id.eq(user_id),
            &row,
            debts::created_at.eq(now),
            debts::updated_at.eq(now),
        ))
        .returning(debts::id)
        .get_result::<i64>(c)))?;
    get(conn, user_id, created)
}

/// Replaces every field of a debt.
pub fn replace(
    conn: &mut DbConn,
    user_id: i64,
    base_currency: &str,
    id: i64,
    input: DebtInput,
) -> Result<CurrentDebt, ApiError> {
    let existing = get(conn, user_id, id)?;
    let (currency, balance) = check(conn, user_id, base_currency, &input)?;
    let row = DebtRow::new(&input, &currency, balance);
    unique_name(
        with_conn!(conn, c => diesel::update(debts::table.find(existing.debt.id))
        .set((&row, debts::updated_at.eq(now())))
        .execute(c)),
    )?;
    get(conn, user_id, id)
}

pub fn delete(conn: &mut DbConn, user_id: i64, id: i64) -> Result<(), ApiError> {
    let existing = get(conn, user_id, id)?;
    with_conn!(conn, c => diesel::delete(debts::table.find(existing.debt.id)).execute(c))?;
    Ok(())
}

/// Months from `start` to `month`, counting `start` as 0; negative before it.
fn months_between(start: NaiveDate, month: NaiveDate) -> i64 {
    i64::from(month.year() - start.year()) * 12 + i64::from(month.month())
        - i64::from(start.month())
}

/// Months from `start` up to and including `last`; 0 when `last` is before `start`.
fn months_through(start: NaiveDate, last: NaiveDate) -> u32 {
    u32::try_from(months_between(start, last) + 1).unwrap_or(0)
}

/// A stored debt as the planner sees it from the month `start` on.
pub fn for_plan(current: &CurrentDebt, start: NaiveDate) -> PlanDebt {
    let debt = &current.debt;
    let minimum = match MinimumKind::parse(&debt.minimum_kind) {
        MinimumKind::Fixed => Minimum::Fixed(debt.minimum_amount),
        MinimumKind::Percent => Minimum::Percent {
            percent_bp: debt.minimum_percent_bp.unwrap_or(0),
            floor: debt.minimum_amount,
        },
        // A term already over asks for everything at once.
        MinimumKind::Installment => Minimum::Installment {
            months: debt
                .final_month
                .map_or(1, |m| months_through(start, m).max(1)),
        },
    };
    PlanDebt {
        name: debt.name.clone(),
        balance: current.balance,
        apr_bp: debt.apr_bp,
        minimum,
        promo: debt
            .promo_apr_bp
            .zip(debt.promo_ends)
            .map(|(apr_bp, ends)| Promo {
                apr_bp,
                months: months_through(start, ends),
            }),
    }
}

/// This month's minimum payment of one debt (for display), or `None` when it owes nothing.
pub fn minimum_now(current: &CurrentDebt, start: NaiveDate) -> Option<i64> {
    (current.balance > 0)
        .then(|| plan::first_minimums(&[for_plan(current, start)]).ok())
        .flatten()
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StrategyName {
    Avalanche,
    Snowball,
    Custom,
    MinimumsOnly,
}

pub struct PlanRequest {
    pub currency: String,
    pub budget: i64,
    pub strategy: StrategyName,
    /// Debt ids, first target first (custom strategy).
    pub order: Vec<i64>,
    pub extras: Vec<(NaiveDate, i64)>,
    pub start: NaiveDate,
}

/// A plan's result with its debts (open ones, by name) and the other strategies' totals.
pub struct PlanResult {
    pub debts: Vec<CurrentDebt>,
    pub chosen: Schedule,
    /// The other strategies' outcomes: totals, payoff months and ending, without rows.
    pub others: Vec<(StrategyName, Schedule)>,
}

fn plan_error(error: PlanError, currency: &str) -> ApiError {
    match error {
        PlanError::BudgetBelowMinimums {
            minimums,
            shortfall,
        } => ApiError::validation(
            "budget",
            format!(
                "is {} short of the first month's minimum payments ({} {currency} in all)",
                format_minor(shortfall, currency),
                format_minor(minimums, currency),
            ),
        ),
        PlanError::TooLarge => ApiError::validation(
            "budget",
            "the plan's figures grow too large to compute; check the balances and rates",
        ),
    }
}

/// Plans the payoff of the user's open debts in `currency`.
pub fn plan_for(
    conn: &mut DbConn,
    user_id: i64,
    request: PlanRequest,
) -> Result<PlanResult, ApiError> {
    let open: Vec<CurrentDebt> = list(conn, user_id)?
        .into_iter()
        .filter(|d| d.debt.currency == request.currency && d.balance > 0)
        .collect();
    if open.is_empty() {
        return Err(ApiError::validation(
            "currency",
            format!("you have no open debts in {}", request.currency),
        ));
    }
    let mut extras = Vec::new();
    for (i, &(month, amount)) in request.extras.iter().enumerate() {
        let index = months_between(request.start, first_of_month(month));
        let index = u32::try_from(index)
            .ok()
            .filter(|&m| m < plan::MAX_MONTHS)
            .ok_or_else(|| {
                ApiError::validation(
                    format!("extra_payments[{i}].month"),
                    "must be within the plan's 50 years from its start",
                )
            })?;
        extras.push(Extra {
            month: index,
            amount,
        });
    }
    let custom = if request.order.is_empty() {
        None
    } else {
        let mut order = Vec::new();
        for (i, id) in request.order.iter().enumerate() {
            let position = open
                .iter()
                .position(|d| d.debt.id == *id)
                .filter(|p| !order.contains(p));
            order.push(position.ok_or_else(|| {
                ApiError::validation(
                    format!("order[{i}]"),
                    "is not one of your open debts in this currency, or is repeated",
                )
            })?);
        }
        if order.len() != open.len() {
            return Err(ApiError::validation(
                "order",
                "must name every open debt in this currency exactly once",
            ));
        }
        Some(Strategy::Custom(order))
    };
    if request.strategy == StrategyName::Custom && custom.is_none() {
        return Err(ApiError::validation(
            "order",
            "a custom strategy needs the debts' ids in the order to pay them",
        ));
    }
    let debts: Vec<PlanDebt> = open.iter().map(|d| for_plan(d, request.start)).collect();
    let prepared = plan::Prepared::new(&debts).map_err(|e| plan_error(e, &request.currency))?;
    // The chosen strategy with its rows; the others only for their totals.
    let run = |name: &StrategyName, rows: bool| -> Result<Schedule, PlanError> {
        let (budget, strategy, extras) = match name {
            StrategyName::Avalanche => (Some(request.budget), &Strategy::Avalanche, &extras[..]),
            StrategyName::Snowball => (Some(request.budget), &Strategy::Snowball, &extras[..]),
            StrategyName::Custom => (
                Some(request.budget),
                custom.as_ref().unwrap_or(&Strategy::Avalanche),
                &extras[..],
            ),
            StrategyName::MinimumsOnly => (None, &Strategy::Avalanche, &[][..]),
        };
        if rows {
            prepared.plan(budget, strategy, extras)
        } else {
            prepared.outcome(budget, strategy, extras)
        }
    };
    let chosen = run(&request.strategy, true).map_err(|e| plan_error(e, &request.currency))?;
    let mut others = Vec::new();
    for name in [
        StrategyName::Avalanche,
        StrategyName::Snowball,
        StrategyName::Custom,
        StrategyName::MinimumsOnly,
    ] {
        if name == request.strategy || (name == StrategyName::Custom && custom.is_none()) {
            continue;
        }
        let schedule = run(&name, false).map_err(|e| plan_error(e, &request.currency))?;
        others.push((name, schedule));
    }
    Ok(PlanResult {
        debts: open,
        chosen,
        others,
    })
}

/// The calendar month of plan month `index`.
pub fn month_of(start: NaiveDate, index: u32) -> NaiveDate {
    shift_months(start, i32::try_from(index).unwrap_or(i32::MAX))
}

/// The month the plan ends debt-free, if it does.
pub fn debt_free(start: NaiveDate, ending: Ending) -> Option<NaiveDate> {
    match ending {
        Ending::DebtFree { month } => Some(month_of(start, month)),
        Ending::NeverEnds | Ending::Horizon => None,
    }
}
