//! How a monthly budget is suggested for each expense category from the user's own history.
//!
//! The last six complete months count, months without spending as zero. Months far above the
//! rest (a one-off purchase: above 1.5 × the median and the median plus three median absolute
//! deviations) are left out. The limit is the 80th percentile of the months kept, rounded up
//! to a whole unit of the currency, so that a typical month stays inside it without the limit
//! being trivially loose; with a year of history, the same month last year raises it when that
//! month was higher (December). When the limits add up to more than the usual income, they are
//! scaled down to fit it.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::analytics::period::{month_label, shift_months};
use crate::budgets;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::forecast::bills::{self, Ledgers};
use crate::forecast::monthly::{median, quantile};
use crate::forecast::{outlook, NotEnoughData};
use crate::ledger::categories;
use crate::ledger::not_found;
use crate::money::{format_minor, minor_unit_digits};

/// Months looked at.
const WINDOW: usize = 6;
/// Complete months needed before a limit is suggested.
pub const NEEDS_MONTHS: usize = 3;
/// The share of kept months a limit covers.
const PERCENTILE: f64 = 0.8;

#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(example = json!({"category_id": 2, "name": "Dining", "amount": 31000,
    "currency": "USD", "left_out": ["2026-03"], "reason":
    "80th percentile of the last 6 months (months without spending counted); 2026-03 left out as a one-off",
    "budget_id": null, "current_limit": null, "not_enough_data": null}))]
pub struct Recommendation {
    pub category_id: i64,
    pub name: String,
    /// The suggested monthly limit, minor units; `null` with `not_enough_data`.
    pub amount: Option<i64>,
    pub currency: String,
    /// Months left out as one-offs, `YYYY-MM`.
    pub left_out: Vec<String>,
    /// How the amount was found, in words.
    pub reason: String,
    /// Your budget for this category, if you have one, and its limit.
    pub budget_id: Option<i64>,
    pub current_limit: Option<i64>,
    pub not_enough_data: Option<NotEnoughData>,
}

/// A limit before any scaling to income: amount, months left out, reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limit {
    pub amount: i64,
    pub left_out: Vec<NaiveDate>,
    pub reason: String,
}

/// Rounded up to a whole unit of the currency.
fn whole_units(amount: f64, currency: &str) -> i64 {
    let unit = 10f64.powi(minor_unit_digits(currency) as i32);
    ((amount / unit).ceil() * unit) as i64
}

/// The limit for `target` from `history` (spending per complete month, oldest first, the last
/// one the month before `target`'s previous month or earlier, zero months included), or why
/// there is none.
pub fn limit(
    history: &[i64],
    last_month: NaiveDate,
    target: NaiveDate,
    currency: &str,
) -> Result<Option<Limit>, NotEnoughData> {
    if history.len() < NEEDS_MONTHS {
        return Err(
            NotEnoughData::check(NEEDS_MONTHS as u32, history.len() as u32)
                .expect("fewer months than needed"),
        );
    }
    let n = history.len();
    let window = &history[n.saturating_sub(WINDOW)..];
    let month_of = |i: usize| shift_months(last_month, i as i32 - (window.len() as i32 - 1));
    let med = median(window);
    let deviations: Vec<i64> = window
        .iter()
        .map(|v| v.saturating_sub(med).saturating_abs())
        .collect();
    let mad = median(&deviations);
    let one_off =
        |v: i64| v as f64 > 1.5 * med as f64 && v > med.saturating_add(mad.saturating_mul(3));
    let mut kept: Vec<i64> = Vec::new();
    let mut left_out = Vec::new();
    for (i, v) in window.iter().enumerate() {
        if one_off(*v) {
            left_out.push(month_of(i));
        } else {
            kept.push(*v);
        }
    }
    kept.sort_unstable();
    let base = quantile(&kept, PERCENTILE);
    if base <= 0.0 {
        return Ok(None);
    }
    let mut amount = whole_units(base, currency);
    let mut reason = format!(
        "80th percentile of the last {} months (months without spending counted)",
        window.len()
    );
    if !left_out.is_empty() {
        let months: Vec<String> = left_out.iter().map(|m| month_label(*m)).collect();
        reason.push_str(&format!("; {} left out as a one-off", months.join(", ")));
    }
    // The same month last year, when the history reaches back to it.
    let year_ago = shift_months(target, -12);
    let back = (month_index(last_month) - month_index(year_ago)) as usize;
    if year_ago <= last_month && back < n {
        let then = history[n - 1 - back];
        if then > amount {
            amount = whole_units(then as f64, currency);
            reason.push_str(&format!("; raised to {} last year", year_ago.format("%B")));
        }
    }
    Ok(Some(Limit {
        amount,
        left_out,
        reason,
    }))
}

/// Months since year 0, to count months between dates.
fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

/// Scales `limits` down so that they add up to at most `income` (when positive); returns
/// whether they were scaled.
pub fn fit_income(limits: &mut [i64], income: i64, currency: &str) -> bool {
    let sum: i128 = limits.iter().map(|l| i128::from(*l)).sum();
    if income <= 0 || sum <= i128::from(income) {
        return false;
    }
    let unit = 10i128.pow(minor_unit_digits(currency));
    for l in limits.iter_mut() {
        // Round down to whole units so the sum stays inside.
        let scaled = i128::from(*l) * i128::from(income) / sum;
        *l = i64::try_from(scaled / unit * unit).unwrap_or(0);
    }
    true
}

/// Every expense category's suggestion for `target`, largest first, with the user's current
/// budget for it; the limits together stay inside the median income of the last six months.
pub fn for_user(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    currency: &str,
    today: NaiveDate,
    target: NaiveDate,
) -> Result<Vec<Recommendation>, ApiError> {
    let ledger = bills::ledger(conn, ledgers, user_id, today)?;
    let categories = categories::list(conn, user_id)?;
    let history = outlook::history(&ledger.lines, &categories, currency, today);
    let budgets: HashMap<i64, (i64, i64)> = budgets::list(conn, user_id)?
        .into_iter()
        .filter_map(|(b, _)| Some((b.category_id?, (b.id, b.amount))))
        .collect();
    let mut found: Vec<Recommendation> = categories
        .iter()
        .filter(|c| c.kind == "expense")
        .filter_map(|c| {
            let spent = history.spending.get(&Some(c.id))?;
            let (amount, left_out, reason, missing) =
                match limit(spent, history.last_month, target, currency) {
                    Ok(Some(l)) => (Some(l.amount), l.left_out, l.reason, None),
                    Ok(None) => return None,
                    Err(missing) => (None, Vec::new(), missing.message.clone(), Some(missing)),
                };
            let budget = budgets.get(&c.id);
            Some(Recommendation {
                category_id: c.id,
                name: c.name.clone(),
                amount,
                currency: currency.to_owned(),
                left_out: left_out.into_iter().map(month_label).collect(),
                reason,
                budget_id: budget.map(|b| b.0),
                current_limit: budget.map(|b| b.1),
                not_enough_data: missing,
            })
        })
        .collect();
    let income = &history.income[history.income.len().saturating_sub(WINDOW)..];
    if !income.is_empty() {
        let usual = median(income);
        let mut limits: Vec<i64> = found.iter().filter_map(|r| r.amount).collect();
        if fit_income(&mut limits, usual, currency) {
            let mut scaled = limits.into_iter();
            for r in found.iter_mut().filter(|r| r.amount.is_some()) {
                r.amount = scaled.next();
                r.reason.push_str(&format!(
                    "; scaled down so that all limits fit your usual income of {}",
                    format_minor(usual, currency)
                ));
            }
        }
    }
    found.sort_by(|a, b| b.amount.cmp(&a.amount).then_with(|| a.name.cmp(&b.name)));
    Ok(found)
}

/// Sets the category's budget to its suggestion from `target` on: a new budget, or the
/// existing one's limit changed.
pub fn apply(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    currency: &str,
    category_id: i64,
    today: NaiveDate,
    target: NaiveDate,
) -> Result<budgets::WithOverrides, ApiError> {
    categories::owned(conn, user_id, category_id, "category_id")
        .map_err(|_| not_found("category", category_id))?;
    let suggestion = for_user(conn, ledgers, user_id, currency, today, target)?
        .into_iter()
        .find(|r| r.category_id == category_id);
    let Some(amount) = suggestion.as_ref().and_then(|r| r.amount) else {
        let why = suggestion.map_or_else(
            || "there is no suggestion for this category: nothing was spent in it".to_owned(),
            |r| r.reason,
        );
        return Err(ApiError::validation("category_id", why));
    };
    match suggestion.and_then(|r| r.budget_id) {
        Some(id) => budgets::update(
            conn,
            user_id,
            id,
            budgets::BudgetChange {
                amount: Some(amount),
                ..Default::default()
            },
        ),
        None => budgets::create(
            conn,
            user_id,
            budgets::NewBudget {
                category_id: Some(category_id),
                amount,
                rollover: false,
                starts_on: target,
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::day;

    #[test]
    fn the_80th_percentile_of_six_months_rounded_up() {
        // Sorted: 100.00 110.00 120.00 130.00 140.00 150.00; position 0.8 × 5 = 4 → 140.00.
        let h = [12000, 15000, 10000, 14000, 11000, 13000];
        let l = limit(&h, day(2026, 6, 1), day(2026, 8, 1), "USD")
            .unwrap()
            .unwrap();
        assert_eq!(l.amount, 14000);
        assert!(l.left_out.is_empty());
        // Sorted 10.00 10.01 10.02 10.05 10.10 10.20 → position 4 is 10.10, rounded up to
        // whole units: 11.00.
        let h = [1005, 1010, 1020, 1000, 1001, 1002];
        let l = limit(&h, day(2026, 6, 1), day(2026, 8, 1), "USD")
            .unwrap()
            .unwrap();
        assert_eq!(l.amount, 1100);
    }

    #[test]
    fn a_one_off_month_is_left_out_and_zero_months_count() {
        // March (the 3rd of six months ending in June) had a big purchase.
        let h = [10000, 0, 90000, 12000, 11000, 0];
        let l = limit(&h, day(2026, 6, 1), day(2026, 8, 1), "USD")
            .unwrap()
            .unwrap();
        assert_eq!(l.left_out, [day(2026, 3, 1)]);
        // Kept sorted: 0 0 100 110 120 → position 3.2 → 110 + 0.2 × 10 = 112.00.
        assert_eq!(l.amount, 11200);
        assert_eq!(
            l.reason,
            "80th percentile of the last 6 months (months without spending counted); 2026-03 left out as a one-off"
        );
    }

    #[test]
    fn last_years_same_month_raises_it() {
        // Twelve months ending in November 2026; December 2025 was 400.00.
        let mut h = vec![40000];
        h.extend([10000; 11]);
        let l = limit(&h, day(2026, 11, 1), day(2026, 12, 1), "USD")
            .unwrap()
            .unwrap();
        assert_eq!(l.amount, 40000);
        assert!(
            l.reason.ends_with("; raised to December last year"),
            "{}",
            l.reason
        );
        // For January nothing is raised: January 2026 was 100.00.
        let l = limit(&h, day(2026, 11, 1), day(2027, 1, 1), "USD")
            .unwrap()
            .unwrap();
        assert_eq!(l.amount, 10000);
    }

    #[test]
    fn nothing_spent_or_too_little_history() {
        assert_eq!(
            limit(&[0; 6], day(2026, 6, 1), day(2026, 7, 1), "USD"),
            Ok(None)
        );
        let missing = limit(&[100, 200], day(2026, 6, 1), day(2026, 7, 1), "USD").unwrap_err();
        assert_eq!(
            missing.message,
            "not enough data yet: needs 3 months, you have 2"
        );
    }

    #[test]
    fn limits_are_scaled_into_income() {
        let mut limits = [60000, 40000];
        assert!(!fit_income(&mut limits, 100000, "USD"));
        assert!(fit_income(&mut limits, 80000, "USD"));
        // 600 × 0.8 = 480.00, 400 × 0.8 = 320.00.
        assert_eq!(limits, [48000, 32000]);
        let mut odd = [33333, 33333, 33334];
        assert!(fit_income(&mut odd, 50000, "USD"));
        assert!(odd.iter().sum::<i64>() <= 50000);
        assert_eq!(odd, [16600, 16600, 16600]);
    }
}
