//! How well the forecasts and the recurring detection work, measured on synthetic households
//! (`households`): rolling-origin backtests of the served forecast against each baseline, and
//! detection precision, recall and next-date error against the generator's labels.
//! `dhana ml evaluate-forecast` runs it and writes `metrics.json` and the model card.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::analytics::period::{first_of_month, shift_months};
use crate::forecast::bills;
use crate::forecast::households::{self, CATEGORIES};
use crate::forecast::monthly::{self, Method};
use crate::forecast::outlook;
use crate::forecast::recurring::{self, Cadence, Line, Status};
use crate::ledger::categories::Category;

/// A served forecast: point, low, high.
type Served = Option<(i64, i64, i64)>;

/// Months backtested per series: each one predicted from the months before it.
pub const ORIGINS: i32 = 12;

/// Absolute errors and what they are measured against, for one forecaster on one group.
#[derive(Clone, Debug, Default)]
struct Tally {
    abs_error: f64,
    abs_actual: f64,
    n: usize,
    covered: usize,
    with_interval: usize,
    /// Per series: (sum of absolute errors, origins, naive scale).
    series: Vec<(f64, usize, f64)>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Scores {
    pub mae: f64,
    pub wape: f64,
    /// Mean over series of the series' MAE over its in-sample naive MAE.
    pub mase: f64,
    /// Share of actuals inside the 80% interval (served forecast only).
    pub coverage_80: Option<f64>,
    pub forecasts: usize,
}

impl Tally {
    fn scores(&self) -> Scores {
        let scaled: Vec<f64> = self
            .series
            .iter()
            .filter(|(_, n, scale)| *n > 0 && *scale > 0.0)
            .map(|(err, n, scale)| err / *n as f64 / scale)
            .collect();
        Scores {
            mae: self.abs_error / self.n.max(1) as f64 / 100.0,
            wape: if self.abs_actual > 0.0 {
                self.abs_error / self.abs_actual
            } else {
                0.0
            },
            mase: scaled.iter().sum::<f64>() / scaled.len().max(1) as f64,
            coverage_80: (self.with_interval > 0)
                .then(|| self.covered as f64 / self.with_interval as f64),
            forecasts: self.n,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupScores {
    /// The forecast Dhana serves.
    pub served: Scores,
    pub naive: Scores,
    pub seasonal_naive: Scores,
    pub mean3: Scores,
    pub median: Scores,
    /// The baseline with the lowest MASE, and whether the served forecast beats it.
    pub best_baseline: String,
    pub served_beats_best_baseline: bool,
}

#[derive(Clone, Debug, Serialize)]
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

#[derive(Clone, Debug, Serialize)]
pub struct Metrics {
    pub seed: u64,
    pub households: usize,
    pub months_per_household: i32,
    pub origins_per_series: i32,
    /// By category group, and `all`.
    pub forecast: BTreeMap<String, GroupScores>,
    pub recurring: Detection,
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

/// The whole evaluation over `count` households made from `seed`.
pub fn run(seed: u64, count: usize) -> Metrics {
    let end = NaiveDate::from_ymd_opt(2026, 10, 31).expect("a real date");
    let cats = categories();
    // Group → forecaster → tally; forecaster 0 is the served one, then Method::ALL.
    let mut tallies: BTreeMap<String, Vec<Tally>> = BTreeMap::new();
    let (mut labelled, mut detected, mut matched) = (0, 0, 0);
    let mut date_errors: Vec<i64> = Vec::new();
    for h in 0..count {
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

        // Rolling origin: each of the last ORIGINS months from everything before it.
        let mut per_series: BTreeMap<(String, i64), Vec<Tally>> = BTreeMap::new();
        for k in (0..ORIGINS).rev() {
            let target = shift_months(end, -k);
            let t = ((target.year() - first.year()) * 12 + target.month() as i32
                - first.month() as i32) as usize;
            let before: Vec<Line> = house
                .lines
                .iter()
                .filter(|l| l.date < target)
                .cloned()
                .collect();
            let series: Vec<bills::RecurringSeries> = recurring::detect(&before, target)
                .into_iter()
                .enumerate()
                .map(|(i, s)| bills::unstored(s, i as i64))
                .collect();
            let o = outlook::outlook(&before, &cats, &series, "USD", target, target);
            let mut targets: Vec<(i64, Vec<i64>, Served)> = spending
                .iter()
                .map(|(category, history)| {
                    let item = o
                        .categories
                        .iter()
                        .find(|i| i.category_id == Some(*category));
                    let served = item.and_then(|i| Some((i.amount?, i.low?, i.high?)));
                    (*category, history.clone(), served)
                })
                .collect();
            let total: Vec<i64> = (0..months)
                .map(|m| spending.values().map(|h| h[m]).sum())
                .collect();
            let served_total = o
                .spending
                .amount
                .and_then(|a| Some((a, o.spending.low?, o.spending.high?)));
            targets.push((0, total, served_total));
            for (category, history, served) in targets {
                let past = &history[..t];
                let actual = history[t];
                let Some(served) = served else { continue };
                let group = if category == 0 {
                    "total"
                } else {
                    group_of(category)
                };
                let predictions: Vec<(i64, Option<(i64, i64)>)> =
                    std::iter::once((served.0, Some((served.1, served.2))))
                        .chain(Method::ALL.iter().map(|m| {
                            // Seasonal naive needs 13 months; before that it falls back to naive, as
                            // a user would see no seasonal figure.
                            (
                                m.predict(past, 1)
                                    .or_else(|| Method::Naive.predict(past, 1))
                                    .unwrap_or(0),
                                None,
                            )
                        }))
                        .collect();
                let scale =
                    monthly::naive_scale(&history[..(households::MONTHS - ORIGINS) as usize])
                        .unwrap_or(0.0);
                let tallies = per_series
                    .entry((group.to_owned(), category))
                    .or_insert_with(|| vec![Tally::default(); 5]);
                for (i, (point, interval)) in predictions.into_iter().enumerate() {
                    let tally = &mut tallies[i];
                    let err = (actual - point).unsigned_abs() as f64;
                    tally.abs_error += err;
                    tally.abs_actual += actual.unsigned_abs() as f64;
                    tally.n += 1;
                    if let Some((low, high)) = interval {
                        tally.with_interval += 1;
                        tally.covered += usize::from(low <= actual && actual <= high);
                    }
                    match tally.series.last_mut() {
                        Some(s) => {
                            s.0 += err;
                            s.1 += 1;
                        }
                        None => tally.series.push((err, 1, scale)),
                    }
                }
            }
        }
        for ((group, _), series) in per_series {
            for name in [group.as_str(), "all"] {
                if name == "all" && group == "total" {
                    continue;
                }
                let into = tallies
                    .entry(name.to_owned())
                    .or_insert_with(|| vec![Tally::default(); 5]);
                for (i, t) in series.iter().enumerate() {
                    into[i].abs_error += t.abs_error;
                    into[i].abs_actual += t.abs_actual;
                    into[i].n += t.n;
                    into[i].covered += t.covered;
                    into[i].with_interval += t.with_interval;
                    into[i].series.extend(t.series.iter().copied());
                }
            }
        }
    }
    let forecast = tallies
        .into_iter()
        .map(|(group, t)| {
            let scores: Vec<Scores> = t.iter().map(Tally::scores).collect();
            let names = ["naive", "seasonal_naive", "mean3", "median"];
            let order = [
                Method::Naive,
                Method::SeasonalNaive,
                Method::Mean3,
                Method::Median,
            ];
            let by_method = |m: Method| {
                let i = Method::ALL.iter().position(|x| *x == m).expect("listed");
                scores[i + 1].clone()
            };
            let (best, best_mase) = order
                .iter()
                .zip(names)
                .map(|(m, n)| (n, by_method(*m).mase))
                .fold(("", f64::INFINITY), |b, c| if c.1 < b.1 { c } else { b });
            (
                group,
                GroupScores {
                    served_beats_best_baseline: scores[0].mase < best_mase,
                    served: scores[0].clone(),
                    naive: by_method(Method::Naive),
                    seasonal_naive: by_method(Method::SeasonalNaive),
                    mean3: by_method(Method::Mean3),
                    median: by_method(Method::Median),
                    best_baseline: best.to_owned(),
                },
            )
        })
        .collect();
    let precision = matched as f64 / detected.max(1) as f64;
    let recall = matched as f64 / labelled.max(1) as f64;
    Metrics {
        seed,
        households: count,
        months_per_household: households::MONTHS,
        origins_per_series: ORIGINS,
        forecast,
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
    fn scores_of_known_errors() {
        // Two series: errors 100 and 300 on actuals 1000 and 1000 (scale 200); error 50 on
        // an actual 500 (scale 100). Two of three inside their interval.
        let t = Tally {
            abs_error: 450.0,
            abs_actual: 2500.0,
            n: 3,
            covered: 2,
            with_interval: 3,
            series: vec![(400.0, 2, 200.0), (50.0, 1, 100.0)],
        };
        let s = t.scores();
        assert_eq!(s.mae, 1.5); // 450 / 3 minor units = 1.50 major
        assert_eq!(s.wape, 450.0 / 2500.0);
        // (400 / 2 / 200 + 50 / 1 / 100) / 2 = (1 + 0.5) / 2.
        assert_eq!(s.mase, 0.75);
        assert_eq!(s.coverage_80, Some(2.0 / 3.0));
    }

    #[test]
    fn the_evaluation_is_reproducible_and_finds_the_labelled_series() {
        let a = run(7, 3);
        let b = run(7, 3);
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap()
        );
        assert!(
            a.recurring.labelled >= 9,
            "rent, salary, utilities, insurance, subscriptions"
        );
        assert!(a.recurring.f1 > 0.9, "{:?}", a.recurring);
        assert_eq!(a.forecast["total"].served.forecasts, 3 * ORIGINS as usize);
    }
}
