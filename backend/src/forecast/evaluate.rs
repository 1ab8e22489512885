//! How well the forecasts and the recurring detection work, measured on synthetic households
//! (`households`): rolling-origin backtests of the served forecast against each baseline, and
//! detection precision, recall and next-date error against the generator's labels. The
//! forecast scores and the artifact are computed from these records by `train`
//! (`dhana ml train-forecast`, built with `--features training`).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::analytics::period::{first_of_month, shift_months};
use crate::forecast::bills;
use crate::forecast::households::{self, CATEGORIES};
use crate::forecast::monthly::{self, Method, Parts};
use crate::forecast::outlook;
use crate::forecast::recommend;
use crate::forecast::recurring::{self, Cadence, Line, Status};
use crate::ledger::categories::Category;

/// Months backtested per series: each one predicted from the months before it.
pub const ORIGINS: i32 = 12;
/// The horizons backtested: the month in progress (from its first day) and the next one (from
/// the middle of the month before it).
pub const HORIZONS: [usize; 2] = [1, 2];
/// The day of the month in progress from which the next month is forecast.
const MID_MONTH: u32 = 15;

/// One forecaster's figures on one group of held-out series.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Scores {
    /// Mean absolute error, major units.
    pub mae: f64,
    /// Σ|error| / Σ|actual|.
    pub wape: f64,
    /// The mean over series of each series' MAE over its in-sample one-step naive MAE (the
    /// M4 definition); series with a zero scale (never changed in-sample) are left out and
    /// counted in `zero_scale_series`.
    pub mase: f64,
    /// The median over the same series: one series with a tiny scale (a rent that rose once)
    /// can carry the mean; the median shows the typical series.
    pub mase_median: f64,
    /// Series scored by MASE, and series left out of it for a zero scale.
    pub series: usize,
    pub zero_scale_series: usize,
    /// Share of actuals inside the 80% interval (forecasters with an interval only).
    pub coverage_80: Option<f64>,
    /// The same over the intervals with a width only: a zero-width interval (a series exact
    /// on its own past, e.g. a fixed bill's variable part) is a claim that the point is exact,
    /// not an 80% interval, and is scored by `exact_hit` instead.
    pub coverage_80_with_width: Option<f64>,
    /// Forecasts whose interval has zero width, and the share of them whose actual was the
    /// point exactly.
    pub zero_width: usize,
    pub exact_hit: Option<f64>,
    pub forecasts: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct GroupScores {
    /// The forecast Dhana serves with the shipped artifact.
    pub served: Scores,
    /// The forecaster before the artifact: the backtest's baseline, uncalibrated interval.
    pub selection: Scores,
    /// The learned model wherever it has features (else the selection's point).
    pub learned: Scores,
    pub naive: Scores,
    pub seasonal_naive: Scores,
    pub mean3: Scores,
    pub median: Scores,
    /// The baseline with the lowest MASE, and whether the served forecast beats it.
    pub best_baseline: String,
    pub served_beats_best_baseline: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Detection {
    pub labelled: usize,
    pub detected: usize,
    pub matched: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Mean absolute error of the next expected date of matched monthly series, days.
    pub monthly_next_date_mae_days: f64,
    /// Share of matched monthly series whose next date is within 2 days.
    pub monthly_next_date_within_2_days: f64,
}

/// Suggested budgets (`recommend`) against the month that followed.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BudgetHolds {
    pub recommendations: usize,
    pub held: usize,
    /// Share of months spending stayed within the suggested limit.
    pub hold_rate: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Metrics {
    pub seed: u64,
    pub households: usize,
    /// Households the artifact was fitted on, and the held-out ones every forecast figure
    /// below is measured on.
    pub training_households: usize,
    pub evaluation_households: usize,
    pub months_per_household: i32,
    pub origins_per_series: i32,
    /// By category group, and `all` (every category series; `total` is separate).
    pub forecast: BTreeMap<String, GroupScores>,
    /// The same for the month after next (two months past the last complete month: the next
    /// month's forecast while the current month is in progress), from the same artifact.
    pub forecast_two_months_ahead: BTreeMap<String, GroupScores>,
    /// By series kind (`monthly::KINDS`) on the training households: what decided where the
    /// learned model is served, and the interval factors.
    pub kinds: BTreeMap<String, KindFit>,
    /// The same two months ahead (interval factors: the one-month-ahead ones, as served).
    pub kinds_two_months_ahead: BTreeMap<String, KindFit>,
    pub recurring: Detection,
    pub budgets: BudgetHolds,
}

/// How the artifact was decided for one kind of series, on the training households.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct KindFit {
    pub forecasts: usize,
    pub selection_mase: f64,
    pub learned_mase: f64,
    pub learned_served: bool,
    pub interval_scale: f64,
}

/// One backtest forecast: a series of one household at one origin.
#[derive(Clone, Debug)]
pub struct Record {
    pub household: usize,
    pub held_out: bool,
    /// Months from the last complete month to the target: 1, or 2 for the next month's
    /// forecast made in the middle of the month before it.
    pub horizon: usize,
    pub group: &'static str,
    /// 0 for the household's total spending.
    pub category: i64,
    pub target: NaiveDate,
    pub actual: i64,
    /// Recurring bills the forecast counted as known.
    pub known: i64,
    /// The variable part's forecast before the artifact.
    pub parts: Parts,
    /// Naive, seasonal naive, mean of 3, median on the whole series.
    pub baselines: [i64; 4],
    /// The series' in-sample one-step naive MAE (first months before the origins); `None`
    /// when it never changed there.
    pub scale: Option<f64>,
}

pub const BASELINES: [(Method, &str); 4] = [
    (Method::Naive, "naive"),
    (Method::SeasonalNaive, "seasonal_naive"),
    (Method::Mean3, "mean3"),
    (Method::Median, "median"),
];

/// Everything measured on the households except the forecast scores, which `train` computes
/// from `records`.
pub struct Collected {
    pub records: Vec<Record>,
    pub recurring: Detection,
    pub budgets: BudgetHolds,
}

/// Which households are held out: a seeded shuffle of them, the first half (at least one).
/// The same seed always splits the same way, and a household is either fitted on or scored on.
pub fn held_out(seed: u64, count: usize) -> Vec<bool> {
    let mut order: Vec<usize> = (0..count).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed ^ 0x0005_7117));
    let mut out = vec![false; count];
    for h in order.into_iter().take(count.div_ceil(2)) {
        out[h] = true;
    }
    out
}

fn categories() -> Vec<Category> {
    let epoch = NaiveDate::from_ymd_opt(2026, 1, 1)
        .expect("a real date")
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    CATEGORIES
        .iter()
        .map(|(id, name, kind, _)| Category {
            id: *id,
            user_id: 1,
            name: (*name).into(),
            parent_id: None,
            kind: (*kind).into(),
            color: String::new(),
            created_at: epoch,
            updated_at: epoch,
        })
        .collect()
}

/// Spending (expenses positive) per category per month from `first` for `months` months.
fn monthly_spending(lines: &[Line], first: NaiveDate, months: usize) -> BTreeMap<i64, Vec<i64>> {
    let mut out: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for line in lines {
        let Some(category) = line.category_id else {
            continue;
        };
        if CATEGORIES
            .iter()
            .any(|c| c.0 == category && c.2 != "expense")
        {
            continue;
        }
        let m = (line.date.year() - first.year()) * 12 + line.date.month() as i32
            - first.month() as i32;
        if m < 0 || m as usize >= months {
            continue;
        }
        out.entry(category).or_insert_with(|| vec![0; months])[m as usize] -= line.amount;
    }
    out
}

fn group_of(category: i64) -> &'static str {
    CATEGORIES
        .iter()
        .find(|c| c.0 == category)
        .map_or("other", |c| c.3)
}

/// The backtests and detection over `count` households made from `seed`.
pub fn collect(seed: u64, count: usize) -> Collected {
    let end = NaiveDate::from_ymd_opt(2026, 10, 31).expect("a real date");
    let cats = categories();
    let split = held_out(seed, count);
    let mut records = Vec::new();
    let (mut labelled, mut detected, mut matched) = (0, 0, 0);
    let mut date_errors: Vec<i64> = Vec::new();
    let (mut recommended, mut held) = (0usize, 0usize);
    for (h, held_out) in split.into_iter().enumerate() {
        let house = households::household(seed.wrapping_add(h as u64), end);
        let first = first_of_month(house.lines.iter().map(|l| l.date).min().unwrap_or(end));
        let months = households::MONTHS as usize;
        let spending = monthly_spending(&house.lines, first, months);

        // Recurring detection at the end of the generated period.
        let found: Vec<_> = recurring::detect(&house.lines, house.end)
            .into_iter()
            .filter(|s| s.status != Status::Ended)
            .collect();
        labelled += house.truths.len();
        detected += found.len();
        for truth in &house.truths {
            if let Some(s) = found.iter().find(|s| s.key == truth.key) {
                matched += 1;
                if truth.cadence == Cadence::Monthly && s.cadence == Cadence::Monthly {
                    date_errors.push((s.next_date - truth.next_date).num_days().abs());
                }
            }
        }

        // Rolling origin: each of the last ORIGINS months from everything before it, one
        // month ahead from its first day and two months ahead from the middle of the month
        // before (what a user reading next month's forecast mid-month is served).
        for (k, horizon) in (0..ORIGINS)
            .rev()
            .flat_map(|k| HORIZONS.map(|horizon| (k, horizon)))
        {
            let target = shift_months(end, -k);
            let today = if horizon == 1 {
                target
            } else {
                shift_months(target, 1 - horizon as i32)
                    .with_day(MID_MONTH)
                    .expect("every month has a 15th")
            };
            let t = ((target.year() - first.year()) * 12 + target.month() as i32
                - first.month() as i32) as usize;
            let before: Vec<Line> = house
                .lines
                .iter()
                .filter(|l| l.date < today)
                .cloned()
                .collect();
            let series: Vec<bills::RecurringSeries> = recurring::detect(&before, today)
                .into_iter()
                .enumerate()
                .map(|(i, s)| bills::unstored(s, i as i64))
                .collect();
            let o = outlook::outlook(&before, &cats, &series, "USD", today, target);
            let mut targets: Vec<(i64, Vec<i64>, Option<&outlook::Item>)> = spending
                .iter()
                .map(|(category, history)| {
                    let item = o
                        .categories
                        .iter()
                        .find(|i| i.category_id == Some(*category));
                    (*category, history.clone(), item)
                })
                .collect();
            let total: Vec<i64> = (0..months)
                .map(|m| spending.values().map(|h| h[m]).sum())
                .collect();
            targets.push((0, total, Some(&o.spending)));
            for (category, history, item) in targets {
                // The complete months the forecast had.
                let past = &history[..=t - horizon];
                let actual = history[t];
                if category != 0 && horizon == 1 {
                    let last = shift_months(target, -1);
                    if let Ok(Some(l)) = recommend::limit(past, last, target, "USD") {
                        recommended += 1;
                        held += usize::from(actual <= l.amount);
                    }
                }
                let Some((item, parts)) = item.and_then(|i| Some((i, i.parts.clone()?))) else {
                    continue;
                };
                // Seasonal naive needs 13 months; before that it falls back to naive, as a
                // user would see no seasonal figure.
                let baselines = BASELINES.map(|(m, _)| {
                    m.predict(past, horizon)
                        .or_else(|| Method::Naive.predict(past, horizon))
                        .unwrap_or(0)
                });
                records.push(Record {
                    household: h,
                    held_out,
                    horizon,
                    group: if category == 0 {
                        "total"
                    } else {
                        group_of(category)
                    },
                    category,
                    target,
                    actual,
                    known: item.known_amount,
                    parts,
                    baselines,
                    scale: monthly::naive_scale(
                        &history[..(households::MONTHS - ORIGINS) as usize],
                    ),
                });
            }
        }
    }
    let precision = matched as f64 / detected.max(1) as f64;
    let recall = matched as f64 / labelled.max(1) as f64;
    Collected {
        records,
        budgets: BudgetHolds {
            recommendations: recommended,
            held,
            hold_rate: held as f64 / recommended.max(1) as f64,
        },
        recurring: Detection {
            labelled,
            detected,
            matched,
            precision,
            recall,
            f1: if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            },
            monthly_next_date_mae_days: date_errors.iter().sum::<i64>() as f64
                / date_errors.len().max(1) as f64,
            monthly_next_date_within_2_days: date_errors.iter().filter(|e| **e <= 2).count() as f64
                / date_errors.len().max(1) as f64,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_is_seeded_and_by_household() {
        let a = held_out(20261129, 10);
        assert_eq!(a, held_out(20261129, 10));
        assert_eq!(a.iter().filter(|h| **h).count(), 5);
        assert_ne!(a, held_out(7, 10), "another seed, another split");
        assert_eq!(held_out(1, 1), [true]);
    }

    #[test]
    fn the_backtest_is_reproducible_and_finds_the_labelled_series() {
        let a = collect(7, 2);
        let b = collect(7, 2);
        assert_eq!(format!("{:?}", a.records), format!("{:?}", b.records));
        assert!(
            a.recurring.labelled >= 6,
            "rent, salary, utilities, insurance, subscriptions"
        );
        assert!(a.recurring.f1 > 0.9, "{:?}", a.recurring);
        for horizon in HORIZONS {
            let totals = a
                .records
                .iter()
                .filter(|r| r.category == 0 && r.horizon == horizon)
                .count();
            assert_eq!(totals, 2 * ORIGINS as usize);
        }
        // Every record's household is on one side of the split only.
        let split = held_out(7, 2);
        assert!(a.records.iter().all(|r| r.held_out == split[r.household]));
    }
}
