//! The aggregate queries every report is computed from. Each returns few rows: monthly sums kept
//! by the database, a month or two of single transactions, or grouped totals; the arithmetic on
//! them (months, shares, rollover) happens in Rust.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use diesel::dsl::{count_star, max};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::analytics::period::{first_of_month, last_of_month};
use crate::db::expr::{negative, positive, sum_of, unindexed, SORTED_DIRECTLY_DAYS};
use crate::db::schema::{accounts, merchant_sums, monthly_sums, transactions};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::categories::Category;
use crate::ledger::{amount_order, merchants};
use crate::limits;
use crate::with_conn;

/// Money in and out of one category over a span of days: one day, or a whole month. Several
/// sums may share a category and span (one per account, or per transaction): reports add them.
#[derive(Clone, Debug)]
pub struct CategorySum {
    /// First day of the span.
    pub first: NaiveDate,
    /// Last day of the span.
    pub last: NaiveDate,
    pub category_id: Option<i64>,
    /// Sum of positive amounts.
    pub inflow: i64,
    /// Sum of negative amounts (negative).
    pub outflow: i64,
    pub count: i64,
}

/// What reports look at: one user's transactions in one currency over a range of days,
/// optionally of some accounts only. Transfers between own accounts are never counted.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    pub user_id: i64,
    pub currency: &'a str,
    /// Only these accounts; empty: all of them.
    pub accounts: &'a [i64],
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The transactions of a `Scope`, as a boxed query over `$source` for the backend of the
/// surrounding `with_conn!` arm.
macro_rules! scoped {
    ($scope:expr, $source:expr) => {
        scoped!($scope, $source, transactions::date)
    };
    // `$date`: the date column, or an expression of it (see `expr::unindexed`).
    ($scope:expr, $source:expr, $date:expr) => {{
        let s: &Scope = $scope;
        let mut q = $source
            .filter(transactions::user_id.eq(s.user_id))
            .filter(transactions::is_transfer.eq(false))
            .filter(accounts::currency.eq(s.currency.to_owned()))
            .filter($date.between(s.from, s.to))
            .into_boxed::<Backend>();
        if !s.accounts.is_empty() {
            q = q.filter(transactions::account_id.eq_any(s.accounts));
        }
        q
    }};
}

/// The months (first days) that ranges start or end inside of: a total over a range is only
/// right when the sums of those months are by day.
pub fn cut_months(ranges: &[(NaiveDate, NaiveDate)]) -> BTreeSet<NaiveDate> {
    let mut cut = BTreeSet::new();
    for (from, to) in ranges {
        if from.day() != 1 {
            cut.insert(first_of_month(*from));
        }
        if *to != last_of_month(*to) {
            cut.insert(first_of_month(*to));
        }
    }
    cut
}

/// The scope's sums by category: by day in the months of `by_day` (first days) and in the months
/// the scope itself starts or ends inside of, by whole month elsewhere. Whole months come from
/// `monthly_sums`, which the database keeps up to date; a report adding them up over a range
/// needs the months the range cuts by day (`cut_months`).
pub fn by_category(
    conn: &mut DbConn,
    scope: &Scope,
    by_day: &BTreeSet<NaiveDate>,
) -> Result<Vec<CategorySum>, ApiError> {
    let mut by_day = by_day.clone();
    by_day.extend(cut_months(&[(scope.from, scope.to)]));
    let mut sums = whole_months(conn, scope, &by_day)?;
    for run in day_runs(scope, &by_day) {
        sums.extend(days(conn, &run)?);
    }
    Ok(sums)
}

/// The parts of the scope that fall in `months` (first days), one per run of consecutive months.
fn day_runs<'a>(scope: &Scope<'a>, months: &BTreeSet<NaiveDate>) -> Vec<Scope<'a>> {
    runs(months)
        .into_iter()
        .map(|(from, to)| Scope {
            from: from.max(scope.from),
            to: to.min(scope.to),
            ..*scope
        })
        .filter(|run| run.from <= run.to)
        .collect()
}

/// Consecutive months merged into ranges of days.
fn runs(months: &BTreeSet<NaiveDate>) -> Vec<(NaiveDate, NaiveDate)> {
    let mut runs: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    for month in months {
        match runs.last_mut() {
            Some((_, to)) if to.succ_opt() == Some(*month) => *to = last_of_month(*month),
            _ => runs.push((*month, last_of_month(*month))),
        }
    }
    runs
}

fn whole_months(
    conn: &mut DbConn,
    scope: &Scope,
    except: &BTreeSet<NaiveDate>,
) -> Result<Vec<CategorySum>, ApiError> {
    let except: Vec<NaiveDate> = except.iter().copied().collect();
    let rows: Vec<(NaiveDate, Option<i64>, i64, i64, i64)> = with_conn!(conn, c => {
        let mut q = monthly_sums::table
            .inner_join(accounts::table)
            .filter(accounts::user_id.eq(scope.user_id))
            .filter(accounts::currency.eq(scope.currency.to_owned()))
            .filter(monthly_sums::month.between(first_of_month(scope.from), scope.to))
            .filter(monthly_sums::month.ne_all(&except))
            .select((
                monthly_sums::month,
                monthly_sums::category_id,
                monthly_sums::inflow,
                monthly_sums::outflow,
                monthly_sums::count,
            ))
            .into_boxed::<Backend>();
        if !scope.accounts.is_empty() {
            q = q.filter(monthly_sums::account_id.eq_any(scope.accounts));
        }
        q.load(c)
    })?;
    Ok(rows
        .into_iter()
        .map(|(month, category_id, inflow, outflow, count)| CategorySum {
            first: month,
            last: last_of_month(month),
            category_id,
            inflow,
            outflow,
            count,
        })
        .collect())
}

/// One sum per transaction: grouping the few thousand rows of a month or two costs the
/// database more than adding them up here.
fn days(conn: &mut DbConn, scope: &Scope) -> Result<Vec<CategorySum>, ApiError> {
    let rows: Vec<(NaiveDate, Option<i64>, i64)> = with_conn!(conn, c => scoped!(
        scope,
        transactions::table.inner_join(accounts::table).select((
            transactions::date,
            transactions::category_id,
            transactions::amount,
        ))
    )
    .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(date, category_id, amount)| CategorySum {
            first: date,
            last: date,
            category_id,
            inflow: amount.max(0),
            outflow: amount.min(0),
            count: 1,
        })
        .collect())
}

/// Spending (positive) that a category sum adds: an expense category's net, so refunds
/// reduce it; the outflow of uncategorized money; nothing for income and transfer categories.
pub fn spending(category: Option<&Category>, sum: &CategorySum) -> i64 {
    match category.map(|c| c.kind.as_str()) {
        Some("expense") => -(sum.inflow + sum.outflow),
        None => -sum.outflow,
        _ => 0,
    }
}

/// Income the sum adds: an income category's net; the inflow of uncategorized money.
pub fn income(category: Option<&Category>, sum: &CategorySum) -> i64 {
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
    Ok(by_currency(conn, scope, false)?
        .into_iter()
        .filter(|(currency, _)| currency != scope.currency)
        .map(|(currency, (inflow, outflow, count))| CurrencyTotals {
            currency,
            income: inflow,
            spending: -outflow,
            count,
        })
        .collect())
}

/// Transactions in the range (any currency) still waiting for a category.
pub fn uncategorized_count(conn: &mut DbConn, scope: &Scope) -> Result<i64, ApiError> {
    Ok(by_currency(conn, scope, true)?
        .values()
        .map(|(_, _, count)| count)
        .sum())
}

/// Per currency (all of them, whatever `scope.currency`): (money in, money out, count) of the
/// scope's range, transfers left out; of uncategorized rows only when `uncategorized`. Whole
/// months come from `monthly_sums`, so a year costs its months, not its rows.
fn by_currency(
    conn: &mut DbConn,
    scope: &Scope,
    uncategorized: bool,
) -> Result<BTreeMap<String, (i64, i64, i64)>, ApiError> {
    let cut = cut_months(&[(scope.from, scope.to)]);
    let except: Vec<NaiveDate> = cut.iter().copied().collect();
    let mut rows: Vec<(String, i64, i64, i64)> = with_conn!(conn, c => {
        let mut q = monthly_sums::table
            .inner_join(accounts::table)
            .filter(accounts::user_id.eq(scope.user_id))
            .filter(monthly_sums::month.between(first_of_month(scope.from), scope.to))
            .filter(monthly_sums::month.ne_all(&except))
            .group_by(accounts::currency)
            .select((
                accounts::currency,
                sum_of(monthly_sums::inflow),
                sum_of(monthly_sums::outflow),
                sum_of(monthly_sums::count),
            ))
            .into_boxed::<Backend>();
        if uncategorized {
            q = q.filter(monthly_sums::category_id.is_null());
        }
        if !scope.accounts.is_empty() {
            q = q.filter(monthly_sums::account_id.eq_any(scope.accounts));
        }
        q.load(c)
    })?;
    for run in day_runs(scope, &cut) {
        rows.extend(with_conn!(conn, c => {
            let mut q = transactions::table
                .inner_join(accounts::table)
                .filter(transactions::user_id.eq(run.user_id))
                .filter(transactions::is_transfer.eq(false))
                .filter(transactions::date.between(run.from, run.to))
                .group_by(accounts::currency)
                .select((
                    accounts::currency,
                    sum_of(positive(transactions::amount)),
                    sum_of(negative(transactions::amount)),
                    count_star(),
                ))
                .into_boxed::<Backend>();
            if uncategorized {
                q = q.filter(transactions::category_id.is_null());
            }
            if !run.accounts.is_empty() {
                q = q.filter(transactions::account_id.eq_any(run.accounts));
            }
            q.load::<(String, i64, i64, i64)>(c)
        })?);
    }
    let mut totals: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for (currency, inflow, outflow, count) in rows {
        let total = totals.entry(currency).or_default();
        total.0 = limits::add(total.0, inflow)?;
        total.1 = limits::add(total.1, outflow)?;
        total.2 += count;
    }
    Ok(totals)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Merchant {
    pub name: String,
    /// Spent there (positive, minor units).
    pub amount: i64,
    pub count: i64,
}

/// Where most money went, by merchant key (see `ledger::merchants`), so that files without a
/// merchant column have merchants too; named by the greatest of the bank's merchants for the key
/// where it gave one. Ties in amount go to the key first in byte order.
///
/// Whole months come from `merchant_sums`, which the database keeps up to date, so a year costs
/// its merchants, not its rows; only the months the scope starts or ends inside of are read by day.
pub fn top_merchants(
    conn: &mut DbConn,
    scope: &Scope,
    limit: i64,
) -> Result<Vec<Merchant>, ApiError> {
    let cut = cut_months(&[(scope.from, scope.to)]);
    let mut parts = merchant_months(conn, scope, &cut)?;
    for run in day_runs(scope, &cut) {
        parts.extend(merchant_days(conn, &run)?);
    }
    // key → (name, outflow, count)
    let mut by_key: HashMap<String, (Option<String>, i64, i64)> = HashMap::new();
    for (key, merchant, outflow, count) in parts {
        let total = by_key.entry(key).or_default();
        total.0 = total.0.take().max(merchant);
        total.1 = limits::add(total.1, outflow)?;
        total.2 += count;
    }
    let mut top: Vec<_> = by_key.into_iter().collect();
    top.sort_unstable_by(|(a, (_, a_out, _)), (b, (_, b_out, _))| (a_out, a).cmp(&(b_out, b)));
    Ok(top
        .into_iter()
        .take(limit.try_into().unwrap_or_default())
        .filter_map(|(key, (merchant, outflow, count))| {
            merchants::name(merchant.as_deref(), Some(&key)).map(|name| Merchant {
                name,
                amount: -outflow,
                count,
            })
        })
        .collect())
}

/// Per merchant key over the scope's months except `except` (first days): (key, greatest
/// merchant, outflow, count).
type MerchantPart = (String, Option<String>, i64, i64);

fn merchant_months(
    conn: &mut DbConn,
    scope: &Scope,
    except: &BTreeSet<NaiveDate>,
) -> Result<Vec<MerchantPart>, ApiError> {
    let except: Vec<NaiveDate> = except.iter().copied().collect();
    Ok(with_conn!(conn, c => {
        let mut q = merchant_sums::table
            .inner_join(accounts::table)
            .filter(accounts::user_id.eq(scope.user_id))
            .filter(accounts::currency.eq(scope.currency.to_owned()))
            .filter(merchant_sums::month.between(first_of_month(scope.from), scope.to))
            .filter(merchant_sums::month.ne_all(&except))
            .group_by(merchant_sums::merchant_key)
            .select((
                merchant_sums::merchant_key,
                max(merchant_sums::merchant),
                sum_of(merchant_sums::outflow),
                sum_of(merchant_sums::count),
            ))
            .into_boxed::<Backend>();
        if !scope.accounts.is_empty() {
            q = q.filter(merchant_sums::account_id.eq_any(scope.accounts));
        }
        q.load(c)
    })?)
}

/// The same from the transactions of the scope's days.
fn merchant_days(conn: &mut DbConn, scope: &Scope) -> Result<Vec<MerchantPart>, ApiError> {
    Ok(with_conn!(conn, c => scoped!(
        scope,
        transactions::table
            .inner_join(accounts::table)
            .group_by(transactions::merchant_key)
            .select((
                transactions::merchant_key.assume_not_null(),
                max(transactions::merchant),
                sum_of(transactions::amount),
                count_star(),
            ))
    )
    .filter(transactions::merchant_key.ne(""))
    .filter(transactions::amount.lt(0))
    .load(c))?)
}

/// The biggest single expenses: (id, date, amount, description, category).
pub type Largest = (i64, NaiveDate, i64, String, Option<i64>);

/// Over a long range, read through the user's amount index from the largest expense down, so
/// the cost follows `limit`, not the range's rows.
pub fn largest_expenses(
    conn: &mut DbConn,
    scope: &Scope,
    limit: i64,
) -> Result<Vec<Largest>, ApiError> {
    let source = transactions::table.inner_join(accounts::table).select((
        transactions::id,
        transactions::date,
        transactions::amount,
        transactions::description,
        transactions::category_id,
    ));
    let indexes = amount_order::indexes(conn);
    let mut read = Vec::with_capacity(indexes.len());
    for index in indexes {
        read.push(with_conn!(conn, c => {
            let q = match (scope.to - scope.from).num_days() > SORTED_DIRECTLY_DAYS {
                true => scoped!(scope, source, unindexed(transactions::date, transactions::date)),
                false => scoped!(scope, source),
            };
            let q = match index {
                Some(rows) => q.filter(rows),
                None => q,
            };
            q.filter(transactions::amount.lt(0))
                .order((transactions::amount.asc(), transactions::id.asc()))
                .limit(limit)
                .load::<Largest>(c)
        })?);
    }
    Ok(amount_order::merged(
        read,
        |row| (row.2, row.0),
        false,
        usize::try_from(limit).unwrap_or(0),
    ))
}

/// The month a report opens on when none is asked for: the current one, or, when it has no
/// transactions yet, the latest month before it that has (so that a statement of last year just
/// imported is what the user sees). Returns (the month's first day, the current month's first
/// day when it fell back).
pub fn opening_month(
    conn: &mut DbConn,
    user_id: i64,
    account_id: Option<i64>,
    today: NaiveDate,
) -> Result<(NaiveDate, Option<NaiveDate>), ApiError> {
    let current = first_of_month(today);
    let latest: Option<NaiveDate> = with_conn!(conn, c => {
        let mut q = transactions::table
            .filter(transactions::user_id.eq(user_id))
            .filter(transactions::date.le(last_of_month(today)))
            .select(diesel::dsl::max(transactions::date))
            .into_boxed::<Backend>();
        if let Some(account) = account_id {
            q = q.filter(transactions::account_id.eq(account));
        }
        q.get_result(c)
    })?;
    Ok(match latest {
        Some(date) if date < current => (first_of_month(date), Some(current)),
        _ => (current, None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::day;

    #[test]
    fn ranges_cut_the_months_they_start_or_end_inside_of() {
        let cut = cut_months(&[
            (day(2025, 1, 31), day(2025, 2, 27)),
            (day(2024, 2, 1), day(2024, 2, 29)),
            (day(2023, 12, 1), day(2024, 1, 31)),
        ]);
        assert_eq!(
            cut.into_iter().collect::<Vec<_>>(),
            vec![day(2025, 1, 1), day(2025, 2, 1)]
        );
    }

    #[test]
    fn consecutive_months_become_one_run() {
        let months = BTreeSet::from([day(2024, 12, 1), day(2025, 1, 1), day(2025, 3, 1)]);
        assert_eq!(
            runs(&months),
            vec![
                (day(2024, 12, 1), day(2025, 1, 31)),
                (day(2025, 3, 1), day(2025, 3, 31))
            ]
        );
    }
}
