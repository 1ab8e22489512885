//! The aggregate queries every report is computed from. Each runs in the database and returns
//! small grouped rows; the arithmetic on them (months, shares, rollover) happens in Rust.

use chrono::NaiveDate;
use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{accounts, transactions};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::categories::Category;
use crate::ledger::sum_of;
use crate::with_conn;

const INFLOW: &str = "CASE WHEN transactions.amount > 0 THEN transactions.amount ELSE 0 END";
const OUTFLOW: &str = "CASE WHEN transactions.amount < 0 THEN transactions.amount ELSE 0 END";

/// Money in and out of one category on one day.
#[derive(Clone, Debug, Queryable)]
pub struct DayCategory {
    pub date: NaiveDate,
    pub category_id: Option<i64>,
    /// Sum of positive amounts.
    pub inflow: i64,
    /// Sum of negative amounts (negative).
    pub outflow: i64,
    pub count: i64,
}

/// What reports look at: one user's transactions in one currency over a range of days,
/// optionally of one account. Transfers between own accounts are never counted.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    pub user_id: i64,
    pub currency: &'a str,
    pub account_id: Option<i64>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The transactions of a `Scope`, as a boxed query over `$source` for the backend of the
/// surrounding `with_conn!` arm.
macro_rules! scoped {
    ($scope:expr, $source:expr) => {{
        let s: &Scope = $scope;
        let mut q = $source
            .filter(transactions::user_id.eq(s.user_id))
            .filter(transactions::is_transfer.eq(false))
            .filter(accounts::currency.eq(s.currency.to_owned()))
            .filter(transactions::date.between(s.from, s.to))
            .into_boxed::<Backend>();
        if let Some(account) = s.account_id {
            q = q.filter(transactions::account_id.eq(account));
        }
        q
    }};
}

pub fn by_day_and_category(conn: &mut DbConn, scope: &Scope) -> Result<Vec<DayCategory>, ApiError> {
    Ok(with_conn!(conn, c => scoped!(
        scope,
        transactions::table
            .inner_join(accounts::table)
            .group_by((transactions::date, transactions::category_id))
            .select((
                transactions::date,
                transactions::category_id,
                sum_of(INFLOW),
                sum_of(OUTFLOW),
                count_star(),
            ))
    )
    .load(c))?)
}

/// Spending (positive) that a day-and-category sum adds: an expense category's net, so refunds
/// reduce it; the outflow of uncategorized money; nothing for income and transfer categories.
pub fn spending(category: Option<&Category>, sum: &DayCategory) -> i64 {
    match category.map(|c| c.kind.as_str()) {
        Some("expense") => -(sum.inflow + sum.outflow),
        None => -sum.outflow,
        _ => 0,
    }
}

/// Income the sum adds: an income category's net; the inflow of uncategorized money.
pub fn income(category: Option<&Category>, sum: &DayCategory) -> i64 {
    match category.map(|c| c.kind.as_str()) {
        Some("income") => sum.inflow + sum.outflow,
        None => sum.inflow,
        _ => 0,
    }
}

/// Money in and out in a currency other than the one reported in.
#[derive(Debug, Serialize, ToSchema, Queryable)]
pub struct CurrencyTotals {
    pub currency: String,
    /// Money in (minor units of `currency`).
    pub income: i64,
    /// Money out (positive, minor units of `currency`).
    pub spending: i64,
    pub count: i64,
}

/// Sign-based totals of the user's accounts in every currency but `scope.currency`.
pub fn other_currencies(conn: &mut DbConn, scope: &Scope) -> Result<Vec<CurrencyTotals>, ApiError> {
    let rows: Vec<(String, i64, i64, i64)> = with_conn!(conn, c => {
        let mut q = transactions::table
            .inner_join(accounts::table)
            .group_by(accounts::currency)
            .select((accounts::currency, sum_of(INFLOW), sum_of(OUTFLOW), count_star()))
            .filter(transactions::user_id.eq(scope.user_id))
            .filter(transactions::is_transfer.eq(false))
            .filter(accounts::currency.ne(scope.currency.to_owned()))
            .filter(transactions::date.between(scope.from, scope.to))
            .order(accounts::currency.asc())
            .into_boxed::<Backend>();
        if let Some(account) = scope.account_id {
            q = q.filter(transactions::account_id.eq(account));
        }
        q.load(c)
    })?;
    Ok(rows
        .into_iter()
        .map(|(currency, inflow, outflow, count)| CurrencyTotals {
            currency,
            income: inflow,
            spending: -outflow,
            count,
        })
        .collect())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Merchant {
    pub name: String,
    /// Spent there (positive, minor units).
    pub amount: i64,
    pub count: i64,
}

/// Where most money went, by merchant.
pub fn top_merchants(
    conn: &mut DbConn,
    scope: &Scope,
    limit: i64,
) -> Result<Vec<Merchant>, ApiError> {
    let rows: Vec<(Option<String>, i64, i64)> = with_conn!(conn, c => scoped!(
        scope,
        transactions::table
            .inner_join(accounts::table)
            .group_by(transactions::merchant)
            .select((transactions::merchant, sum_of(OUTFLOW), count_star()))
    )
    .filter(transactions::merchant.is_not_null())
    .filter(transactions::amount.lt(0))
    .order((sum_of(OUTFLOW).asc(), transactions::merchant.asc()))
    .limit(limit)
    .load(c))?;
    Ok(rows
        .into_iter()
        .filter_map(|(name, outflow, count)| {
            name.map(|name| Merchant {
                name,
                amount: -outflow,
                count,
            })
        })
        .collect())
}

/// The biggest single expenses: (id, date, amount, description, category).
pub type Largest = (i64, NaiveDate, i64, String, Option<i64>);

pub fn largest_expenses(
    conn: &mut DbConn,
    scope: &Scope,
    limit: i64,
) -> Result<Vec<Largest>, ApiError> {
    Ok(with_conn!(conn, c => scoped!(
        scope,
        transactions::table.inner_join(accounts::table).select((
            transactions::id,
            transactions::date,
            transactions::amount,
            transactions::description,
            transactions::category_id,
        ))
    )
    .filter(transactions::amount.lt(0))
    .order((transactions::amount.asc(), transactions::id.asc()))
    .limit(limit)
    .load(c))?)
}

/// Transactions in the range (any currency) still waiting for a category.
pub fn uncategorized_count(conn: &mut DbConn, scope: &Scope) -> Result<i64, ApiError> {
    Ok(with_conn!(conn, c => {
        let mut q = transactions::table
            .filter(transactions::user_id.eq(scope.user_id))
            .filter(transactions::is_transfer.eq(false))
            .filter(transactions::category_id.is_null())
            .filter(transactions::date.between(scope.from, scope.to))
            .select(count_star())
            .into_boxed::<Backend>();
        if let Some(account) = scope.account_id {
            q = q.filter(transactions::account_id.eq(account));
        }
        q.get_result(c)
    })?)
}
