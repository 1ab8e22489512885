//! How a category's month in progress is forecast against its budget: what is spent so far,
//! plus the variable part continued at this month's pace to the month's end, plus the fixed
//! recurring bills of the category still expected this month.
//!
//! The 80% interval is the pace rule's own record on this user's past months: the same rule,
//! stopped on the same day of each complete month, missed that month's end by some amount; the
//! 10th and 90th percentiles of those misses are added to the forecast. Too few past months
//! answer "not enough data yet" instead.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};

use crate::analytics::period::{first_of_month, last_of_month, shift_months};
use crate::forecast::bills::{Choice, RecurringSeries};
use crate::forecast::monthly::quantile;
use crate::forecast::recurring::{self, AmountKind, Direction, Line, Status};
use crate::forecast::NotEnoughData;

/// Complete months the pace rule must have been checked on.
pub const NEEDS_MONTHS: u32 = 3;
/// At most this many past months are checked.
const BACKTEST_MONTHS: i32 = 12;

/// A category's month in progress, in minor units (spending positive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthAtPace {
    /// Spent from the 1st through today (the budget's own figure).
    pub spent: i64,
    /// The part of `spent` that recurring bills paid.
    pub known_paid: i64,
    /// Recurring bills still expected by the month's end.
    pub known_rest: i64,
    /// The variable part still to come at this month's pace.
    pub variable_rest: i64,
    /// `spent + variable_rest + known_rest`.
    pub amount: i64,
    /// The 80% interval.
    pub low: i64,
    pub high: i64,
    /// Past months the interval rests on.
    pub months: usize,
}

/// `x` spread over `days_left` at the rate it took `days_gone` to reach, rounded half away from
/// zero.
fn continue_pace(x: i64, days_gone: u32, days_left: u32) -> i64 {
    let v = i128::from(x) * i128::from(days_left);
    let d = i128::from(days_gone);
    i64::try_from((2 * v + d * v.signum()) / (2 * d)).unwrap_or(i64::MAX)
}

/// The month of `today` for the category whose lines `in_category` picks (a budget's category
/// and its subcategories), `spent` being what its budget says was spent so far.
pub fn month_at_pace(
    spent: i64,
    in_category: impl Fn(Option<i64>) -> bool,
    lines: &[Line],
    series: &[RecurringSeries],
    currency: &str,
    today: NaiveDate,
) -> Result<MonthAtPace, NotEnoughData> {
    let month = first_of_month(today);
    let end = last_of_month(today);
    // Fixed bills are known; a varying one (heating) is part of the variable spending.
    let bills: Vec<&RecurringSeries> = series
        .iter()
        .filter(|s| {
            s.direction == Direction::Expense
                && s.choice != Choice::Dismissed
                && s.amount_kind == AmountKind::Fixed
                && s.currency == currency
                && in_category(s.category_id)
        })
        .collect();
    let bill_ids: HashSet<i64> = bills
        .iter()
        .flat_map(|s| s.transaction_ids.iter().copied())
        .collect();
    let ours: Vec<&Line> = lines
        .iter()
        .filter(|l| l.currency == currency && in_category(l.category_id))
        .collect();
    // Spending (positive) of the lines in [from, to], bills or the variable rest.
    let sum = |from: NaiveDate, to: NaiveDate, of_bills: bool| -> i64 {
        ours.iter()
            .filter(|l| l.date >= from && l.date <= to && bill_ids.contains(&l.id) == of_bills)
            .fold(0i64, |s, l| s.saturating_sub(l.amount))
    };
    let known_paid = sum(month, today, true).max(0);
    let known_rest = bills
        .iter()
        .filter(|s| s.status == Status::Active)
        .filter_map(|s| s.next_date.map(|next| (s, next)))
        .map(|(s, next)| {
            let due = recurring::expected(s.cadence, next, s.day_of_month, end)
                .into_iter()
                .filter(|d| *d >= month)
                .count() as i64;
            s.next_amount
                .unwrap_or(s.typical_amount)
                .saturating_neg()
                .saturating_mul(due)
        })
        .fold(0i64, i64::saturating_add);
    let day = today.day();
    let days = end.day();
    let variable_rest = continue_pace(spent.saturating_sub(known_paid).max(0), day, days - day);
    let amount = spent
        .saturating_add(variable_rest)
        .saturating_add(known_rest);

    // The same rule on each complete month before: stopped on the same day (or the month's
    // last), how far was it from where the month ended?
    let first = ours
        .iter()
        .map(|l| first_of_month(l.date))
        .min()
        .unwrap_or(month);
    let mut misses: Vec<i64> = (1..=BACKTEST_MONTHS)
        .map(|k| shift_months(month, -k))
        .filter(|m| *m >= first)
        .map(|m| {
            let m_end = last_of_month(m);
            let m_day = day.min(m_end.day());
            let by_day = sum(m, m.with_day(m_day).unwrap_or(m_end), false).max(0);
            let whole = sum(m, m_end, false).max(0);
            let predicted = continue_pace(by_day, m_day, m_end.day() - m_day);
            (whole - by_day).saturating_sub(predicted)
        })
        .collect();
    if let Some(missing) = NotEnoughData::check(NEEDS_MONTHS, misses.len() as u32) {
        return Err(missing);
    }
    misses.sort_unstable();
    let shift = |q: f64| amount.saturating_add(quantile(&misses, q).round() as i64);
    Ok(MonthAtPace {
        spent,
        known_paid,
        known_rest,
        variable_rest,
        amount,
        // What is spent is spent, whatever the past misses say.
        low: shift(0.1).max(spent),
        high: shift(0.9).max(spent),
        months: misses.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::day;
    use crate::insights::sentences::tests::line;

    #[test]
    fn the_pace_continues_the_variable_part_only() {
        assert_eq!(continue_pace(1000, 10, 20), 2000);
        assert_eq!(continue_pace(1000, 3, 27), 9000);
        // 100 × 1 / 3 = 33.3 → 33; 200 × 1 / 3 = 66.7 → 67.
        assert_eq!(continue_pace(100, 3, 1), 33);
        assert_eq!(continue_pace(200, 3, 1), 67);
        assert_eq!(continue_pace(500, 30, 0), 0);
    }

    #[test]
    fn misses_of_past_months_make_the_interval() {
        // Today the 10th of June (30 days). Each of Mar/Apr/May: 100.00 by the 10th, then
        // 150.00, 250.00 and 350.00 after it; the pace said 210.00 (21 days left of March),
        // 200.00 and 210.00: misses −60.00, +50.00, +140.00. This June: 120.00 so far.
        let today = day(2026, 6, 10);
        let mut lines = Vec::new();
        for (k, (m, after)) in [(3, 15_000i64), (4, 25_000), (5, 35_000)]
            .iter()
            .enumerate()
        {
            let k = k as i64 * 10;
            lines.push(line(k, day(2026, *m, 2), -10_000, 1));
            lines.push(line(k + 1, day(2026, *m, 20), -*after, 1));
        }
        lines.push(line(99, day(2026, 6, 3), -12_000, 1));
        lines.push(line(100, day(2026, 6, 4), -5_000, 2));
        let f = month_at_pace(12_000, |c| c == Some(1), &lines, &[], "USD", today).unwrap();
        // 120.00 + 120.00 × 20 / 10.
        assert_eq!(f.variable_rest, 24_000);
        assert_eq!(f.amount, 36_000);
        // Misses sorted −6,000, 5,000, 14,000: 10th percentile −6,000 + 0.2 × 11,000 = −3,800;
        // 90th 5,000 + 0.8 × 9,000 = 12,200.
        assert_eq!((f.low, f.high), (32_200, 48_200));
        assert_eq!(f.months, 3);
        // Two months are not enough.
        let short: Vec<Line> = lines.iter().filter(|l| l.id >= 10).cloned().collect();
        let missing = month_at_pace(12_000, |c| c == Some(1), &short, &[], "USD", today);
        assert_eq!(
            missing.unwrap_err().message,
            "not enough data yet: needs 3 months, you have 2"
        );
    }
}
