//! Budgets: a monthly limit per category (or for all spending) that recurs, with per-month
//! overrides and optional rollover, and each month's standing against it.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::analytics::period::{first_of_month, last_of_month, shift_months};
use crate::analytics::sums::{self, CategorySum, Scope};
use crate::db::schema::{budget_overrides, budgets};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::categories::{self, Category};
use crate::ledger::not_found;
use crate::limits;
use crate::users::now;
use crate::with_conn;

/// At this share of the limit a budget turns from `ok` to `warning`.
pub const WARNING_PERCENT: f64 = 80.0;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = budgets)]
pub struct Budget {
    pub id: i64,
    pub user_id: i64,
    pub category_id: Option<i64>,
    pub amount: i64,
    pub rollover: bool,
    pub starts_on: NaiveDate,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A budget with its per-month overrides (month's first day → limit).
pub type WithOverrides = (Budget, Vec<(NaiveDate, i64)>);

pub struct NewBudget {
    pub category_id: Option<i64>,
    pub amount: i64,
    pub rollover: bool,
    pub starts_on: NaiveDate,
}

#[derive(Default)]
pub struct BudgetChange {
    pub amount: Option<i64>,
    pub rollover: Option<bool>,
    pub starts_on: Option<NaiveDate>,
}

fn one_per_category<T>(result: QueryResult<T>) -> Result<T, ApiError> {
    match result {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(ApiError::Conflict(
            "there is already a budget for this category; change that one".into(),
        )),
        other => Ok(other?),
    }
}

pub fn list(conn: &mut DbConn, user_id: i64) -> Result<Vec<WithOverrides>, ApiError> {
    let found: Vec<Budget> = with_conn!(conn, c => budgets::table
        .filter(budgets::user_id.eq(user_id))
        .order(budgets::id.asc())
        .select(Budget::as_select())
        .load(c))?;
    let ids: Vec<i64> = found.iter().map(|b| b.id).collect();
    let overrides: Vec<(i64, NaiveDate, i64)> = with_conn!(conn, c => budget_overrides::table
        .filter(budget_overrides::budget_id.eq_any(&ids))
        .order(budget_overrides::month.asc())
        .select((budget_overrides::budget_id, budget_overrides::month, budget_overrides::amount))
        .load(c))?;
    let mut by_budget: HashMap<i64, Vec<(NaiveDate, i64)>> = HashMap::new();
    for (budget, month, amount) in overrides {
        by_budget.entry(budget).or_default().push((month, amount));
    }
    Ok(found
        .into_iter()
        .map(|b| {
            let overrides = by_budget.remove(&b.id).unwrap_or_default();
            (b, overrides)
        })
        .collect())
}

pub fn get(conn: &mut DbConn, user_id: i64, id: i64) -> Result<WithOverrides, ApiError> {
    list(conn, user_id)?
        .into_iter()
        .find(|(b, _)| b.id == id)
        .ok_or_else(|| not_found("budget", id))
}

pub fn create(conn: &mut DbConn, user_id: i64, new: NewBudget) -> Result<WithOverrides, ApiError> {
    if let Some(category) = new.category_id {
        let category = categories::owned(conn, user_id, category, "category_id")?;
        if category.kind != "expense" {
            return Err(ApiError::validation(
                "category_id",
                "budgets limit spending: choose an expense category",
            ));
        }
    }
    let now = now();
    let created = one_per_category(with_conn!(conn, c => diesel::insert_into(budgets::table)
        .values((
            budgets::user_id.eq(user_id),
            budgets::category_id.eq(new.category_id),
            budgets::amount.eq(new.amount),
            budgets::rollover.eq(new.rollover),
            budgets::starts_on.eq(first_of_month(new.starts_on)),
            budgets::created_at.eq(now),
            budgets::updated_at.eq(now),
        ))
        .returning(Budget::as_returning())
        .get_result(c)))?;
    Ok((created, Vec::new()))
}

pub fn update(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
    change: BudgetChange,
) -> Result<WithOverrides, ApiError> {
    let (budget, _) = get(conn, user_id, id)?;
    with_conn!(conn, c => diesel::update(budgets::table.find(budget.id))
        .set((
            change.amount.map(|a| budgets::amount.eq(a)),
            change.rollover.map(|r| budgets::rollover.eq(r)),
            change.starts_on.map(|s| budgets::starts_on.eq(first_of_month(s))),
            budgets::updated_at.eq(now()),
        ))
        .execute(c))?;
    get(conn, user_id, id)
}

pub fn delete(conn: &mut DbConn, user_id: i64, id: i64) -> Result<(), ApiError> {
    let (budget, _) = get(conn, user_id, id)?;
    with_conn!(conn, c => diesel::delete(budgets::table.find(budget.id)).execute(c))?;
    Ok(())
}

/// Sets (`Some`) or removes (`None`) the limit of one month.
pub fn set_override(
    conn: &mut DbConn,
    user_id: i64,
    id: i64,
    month: NaiveDate,
    amount: Option<i64>,
) -> Result<WithOverrides, ApiError> {
    let (budget, _) = get(conn, user_id, id)?;
    let month = first_of_month(month);
    conn.transaction(|conn| {
        with_conn!(conn, c => diesel::delete(
            budget_overrides::table
                .filter(budget_overrides::budget_id.eq(budget.id))
                .filter(budget_overrides::month.eq(month)),
        )
        .execute(c))?;
        if let Some(amount) = amount {
            with_conn!(conn, c => diesel::insert_into(budget_overrides::table)
                .values((
                    budget_overrides::budget_id.eq(budget.id),
                    budget_overrides::month.eq(month),
                    budget_overrides::amount.eq(amount),
                ))
                .execute(c))?;
        }
        Ok::<_, ApiError>(())
    })?;
    get(conn, user_id, id)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Under 80% of the limit.
    Ok,
    /// 80% to 100%.
    Warning,
    /// Over the limit.
    Over,
}

/// A budget's month: what may be spent, what was, and where the month is heading.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MonthStatus {
    pub budget_id: i64,
    /// `null` for the overall budget.
    pub category_id: Option<i64>,
    pub name: String,
    pub color: Option<String>,
    /// This month's own limit (the override, else the recurring amount).
    pub base_limit: i64,
    /// Carried in from earlier months by rollover: unspent money (positive) or overspending
    /// (negative).
    pub carried: i64,
    /// What may be spent this month: `base_limit + carried`.
    pub limit: i64,
    pub spent: i64,
    pub remaining: i64,
    /// `spent / limit` in percent; `null` when the limit is not positive.
    pub percent: Option<f64>,
    pub status: Standing,
    /// The month's spending at the pace so far (equal to `spent` for past months).
    pub projected: i64,
    pub rollover: bool,
}

/// Spending per month (first day) per budget target (`None`: all spending).
type Spent = HashMap<(Option<i64>, NaiveDate), i64>;

/// Spending per category (with subcategories counted in their parent too) and overall, per month.
/// A category whose refunds exceed its spending in a month spent nothing that month, as on the
/// dashboard: the excess is no negative spending that would lower the others'.
fn spent_by_month(
    categories: &HashMap<i64, Category>,
    sums: &[CategorySum],
) -> Result<Spent, ApiError> {
    let mut net: HashMap<(Option<i64>, NaiveDate), i64> = HashMap::new();
    for sum in sums {
        let category = sum.category_id.and_then(|id| categories.get(&id));
        let total = net
            .entry((sum.category_id, first_of_month(sum.first)))
            .or_default();
        *total = limits::add(*total, sums::spending(category, sum))?;
    }
    let mut spent = Spent::new();
    let mut count = |key, amount| -> Result<(), ApiError> {
        let total: &mut i64 = spent.entry(key).or_default();
        *total = limits::add(*total, amount)?;
        Ok(())
    };
    for ((id, month), amount) in net {
        let amount = amount.max(0);
        count((None, month), amount)?;
        if let Some(category) = id.and_then(|id| categories.get(&id)) {
            count((Some(category.id), month), amount)?;
            if let Some(parent) = category.parent_id {
                count((Some(parent), month), amount)?;
            }
        }
    }
    Ok(spent)
}

/// The budgets that apply in `month` (its first day).
pub fn for_month(
    conn: &mut DbConn,
    user_id: i64,
    month: NaiveDate,
) -> Result<Vec<WithOverrides>, ApiError> {
    Ok(list(conn, user_id)?
        .into_iter()
        .filter(|(b, _)| b.starts_on <= month)
        .collect())
}

/// The first day whose spending the standings of `month` depend on: rollover budgets carry
/// from their first month.
pub fn history_start(budgets: &[WithOverrides], month: NaiveDate) -> NaiveDate {
    budgets
        .iter()
        .filter(|(b, _)| b.rollover)
        .map(|(b, _)| b.starts_on)
        .min()
        .unwrap_or(month)
        .min(month)
}

fn standing(spent: i64, limit: i64) -> (Option<f64>, Standing) {
    if limit <= 0 {
        let status = if spent > 0 {
            Standing::Over
        } else {
            Standing::Ok
        };
        return (None, status);
    }
    let percent = (spent as f64) * 100.0 / (limit as f64);
    let status = if spent > limit {
        Standing::Over
    } else if percent >= WARNING_PERCENT {
        Standing::Warning
    } else {
        Standing::Ok
    };
    (Some((percent * 10.0).round() / 10.0), status)
}

/// Spending at the current pace: for the month containing `today`, scaled from the days gone to
/// the whole month; earlier months are what they are.
fn projected(spent: i64, month: NaiveDate, today: NaiveDate) -> Result<i64, ApiError> {
    if first_of_month(today) != month {
        return Ok(spent);
    }
    let days = i64::from(last_of_month(month).day());
    spent
        .checked_mul(days)
        .map(|total| total / i64::from(today.day()))
        .ok_or_else(limits::too_large)
}

/// Every budget's standing in `month` (its first day), the overall budget apart, from the
/// category sums (by month or by day) of the user's base currency since `history_start`.
pub fn standings(
    budgets: Vec<WithOverrides>,
    categories: &HashMap<i64, Category>,
    sums: &[CategorySum],
    month: NaiveDate,
    today: NaiveDate,
) -> Result<(Vec<MonthStatus>, Option<MonthStatus>), ApiError> {
    let spent = spent_by_month(categories, sums)?;
    let mut items = Vec::new();
    let mut overall = None;
    for (budget, overrides) in budgets {
        let limit_of = |m: NaiveDate| {
            overrides
                .iter()
                .find(|(o, _)| *o == m)
                .map_or(budget.amount, |(_, a)| *a)
        };
        let spent_in = |m: NaiveDate| spent.get(&(budget.category_id, m)).copied().unwrap_or(0);
        let mut carried = 0;
        if budget.rollover {
            let mut m = budget.starts_on;
            while m < month {
                carried = limits::add(carried, limits::add(limit_of(m), -spent_in(m))?)?;
                m = shift_months(m, 1);
            }
        }
        let base_limit = limit_of(month);
        let limit = limits::add(base_limit, carried)?;
        let spent_now = spent_in(month);
        let (percent, status) = standing(spent_now, limit);
        let category = budget.category_id.and_then(|id| categories.get(&id));
        let status = MonthStatus {
            budget_id: budget.id,
            category_id: budget.category_id,
            name: category.map_or_else(|| "All spending".to_owned(), |c| c.name.clone()),
            color: category.map(|c| c.color.clone()),
            base_limit,
            carried,
            limit,
            spent: spent_now,
            remaining: limits::add(limit, -spent_now)?,
            percent,
            status,
            projected: projected(spent_now, month, today)?,
            rollover: budget.rollover,
        };
        match budget.category_id {
            Some(_) => items.push(status),
            None => overall = Some(status),
        }
    }
    items.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((items, overall))
}

/// Every budget's standing in `month` (its first day), the overall budget apart.
pub fn month_status(
    conn: &mut DbConn,
    user_id: i64,
    currency: &str,
    month: NaiveDate,
    today: NaiveDate,
) -> Result<(Vec<MonthStatus>, Option<MonthStatus>), ApiError> {
    let budgets = for_month(conn, user_id, month)?;
    if budgets.is_empty() {
        return Ok((Vec::new(), None));
    }
    let categories = categories::by_id(conn, user_id)?;
    let scope = Scope {
        user_id,
        currency,
        accounts: &[],
        from: history_start(&budgets, month),
        to: last_of_month(month),
    };
    let sums = sums::by_category(conn, &scope, &BTreeSet::new())?;
    standings(budgets, &categories, &sums, month, today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::day;

    #[test]
    fn standing_turns_at_80_and_over_100_percent() {
        assert_eq!(standing(8000, 10000), (Some(80.0), Standing::Warning));
        assert_eq!(standing(7900, 10000), (Some(79.0), Standing::Ok));
        assert_eq!(standing(10000, 10000), (Some(100.0), Standing::Warning));
        assert_eq!(standing(10001, 10000), (Some(100.0), Standing::Over));
        assert_eq!(standing(1, 0), (None, Standing::Over));
        assert_eq!(standing(0, -500), (None, Standing::Ok));
    }

    #[test]
    fn projection_scales_only_the_running_month() {
        let march = day(2026, 3, 1);
        assert_eq!(projected(1000, march, day(2026, 3, 10)).unwrap(), 3100);
        assert_eq!(projected(1000, march, day(2026, 3, 31)).unwrap(), 1000);
        assert_eq!(projected(1000, march, day(2026, 4, 2)).unwrap(), 1000);
    }
}
