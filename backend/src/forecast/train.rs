//! `dhana ml train-forecast` (built with `--features training`): fits the forecast artifact on
//! the training half of the synthetic households and scores every forecaster on the held-out
//! half.
//!
//! The backtest records come from `evaluate::collect` (the served code path, per household and
//! origin). polars does the dataframe work over them: the feature table the model is fitted
//! on, the split, and every metric by group and by series kind (per-series MAE, the in-sample
//! scale, MASE per series then pooled, WAPE, interval coverage). The features themselves are
//! computed by `features::features`, the one function serving also calls, so training and
//! serving cannot drift. The model is a ridge regression (smartcore) on the features, which
//! predicts next month's spending as a ratio to the series' level; it is served only for the
//! kinds of series where it beat both the forecaster it would replace and every baseline on the
//! training households. The 80% intervals are calibrated per kind by split conformal: the
//! factor on the backtest-error interval is the finite-sample 80% quantile of how far each
//! training forecast's interval had to be stretched to reach its actual.

use std::collections::BTreeMap;

use polars::prelude::*;
use smartcore::linalg::basic::arrays::Array;
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::linear::ridge_regression::{
    RidgeRegression, RidgeRegressionParameters, RidgeRegressionSolverName,
};

use crate::forecast::evaluate::{
    self, GroupScores, KindFit, Metrics, Record, Scores, BASELINES, ORIGINS,
};
use crate::forecast::features;
use crate::forecast::households;
use crate::forecast::learned::ForecastModel;
use crate::forecast::monthly::{self, KINDS};

/// The interval's nominal coverage.
const COVERAGE: f64 = 0.8;
/// Ridge penalty on the standardised features.
const ALPHA: f64 = 1.0;
/// Training targets are capped at this multiple of the level: a squared loss would otherwise
/// let the odd 10× month (a new sofa) pull every prediction up.
const MAX_RATIO: f64 = 5.0;
/// The forecasters scored, in the card's order.
const FORECASTERS: [&str; 7] = [
    "served",
    "selection",
    "learned",
    "naive",
    "seasonal_naive",
    "mean3",
    "median",
];

pub struct Output {
    pub model: ForecastModel,
    pub metrics: Metrics,
}

fn polars_error(e: PolarsError) -> String {
    format!("polars: {e}")
}

/// The kind whose baseline was exact on its own past: nothing for a model to improve there,
/// so it is not fitted on (a fixed bill's variable part is zero most months).
const EXACT: &str = KINDS[1];

/// Each record's features (where it has them) and its target ratio, as a frame.
fn feature_frame(records: &[Record]) -> Result<DataFrame, String> {
    let rows: Vec<(&Record, &features::Example)> = records
        .iter()
        .filter(|r| r.parts.kind != EXACT)
        .filter_map(|r| Some((r, r.parts.features.as_ref()?)))
        .collect();
    let mut columns = vec![
        Column::new(
            "held_out".into(),
            rows.iter().map(|(r, _)| r.held_out).collect::<Vec<_>>(),
        ),
        Column::new(
            "y".into(),
            rows.iter()
                .map(|(r, e)| (r.actual.saturating_sub(r.known) as f64 / e.level).min(MAX_RATIO))
                .collect::<Vec<_>>(),
        ),
    ];
    for (j, name) in features::NAMES.iter().enumerate() {
        columns.push(Column::new(
            (*name).into(),
            rows.iter().map(|(_, e)| e.x[j]).collect::<Vec<_>>(),
        ));
    }
    DataFrame::new(rows.len(), columns).map_err(polars_error)
}

fn f64_column(df: &DataFrame, name: &str) -> Result<Vec<f64>, String> {
    let series = df
        .column(name)
        .map_err(polars_error)?
        .as_materialized_series()
        .cast(&DataType::Float64)
        .map_err(polars_error)?;
    Ok(series
        .f64()
        .map_err(polars_error)?
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
}

/// Ridge regression (smartcore) on the training households' rows. Features constant over
/// them (every origin has a year of history, so `has_lag12` is) get a zero coefficient:
/// smartcore's standardisation cannot scale them.
fn fit(frame: &DataFrame) -> Result<(Vec<f64>, f64), String> {
    let train = frame
        .clone()
        .lazy()
        .filter(col("held_out").not())
        .collect()
        .map_err(polars_error)?;
    let y = f64_column(&train, "y")?;
    let all: Vec<Vec<f64>> = features::NAMES
        .iter()
        .map(|n| f64_column(&train, n))
        .collect::<Result<_, _>>()?;
    let varying: Vec<usize> = (0..all.len())
        .filter(|j| all[*j].iter().any(|v| *v != all[*j][0]))
        .collect();
    let rows: Vec<Vec<f64>> = (0..y.len())
        .map(|i| varying.iter().map(|j| all[*j][i]).collect())
        .collect();
    let x = DenseMatrix::from_2d_vec(&rows).map_err(|e| e.to_string())?;
    let params = RidgeRegressionParameters::default()
        .with_alpha(ALPHA)
        .with_solver(RidgeRegressionSolverName::Cholesky)
        .with_normalize(true);
    let model: RidgeRegression<f64, f64, DenseMatrix<f64>, Vec<f64>> =
        RidgeRegression::fit(&x, &y, params).map_err(|e| e.to_string())?;
    // Kept to 10 decimals: the rows reach smartcore in an order polars does not fix, which
    // moves the last bits of a fit; rounded, model.json is the same bytes from the same seed.
    let round = |v: f64| (v * 1e10).round() / 1e10;
    let mut coefficients = vec![0.0; features::NAMES.len()];
    for (k, j) in varying.iter().enumerate() {
        coefficients[*j] = round(*model.coefficients().get((k, 0)));
    }
    Ok((coefficients, round(*model.intercept())))
}

/// One forecaster's point and interval on a record, whole series (known bills included).
fn predictions(
    r: &Record,
    model: &ForecastModel,
    learned: &ForecastModel,
) -> Vec<(i64, Option<(i64, i64)>)> {
    let with_known = |(point, low, high, _): (i64, i64, i64, bool)| {
        (
            point.saturating_add(r.known),
            Some((low.saturating_add(r.known), high.saturating_add(r.known))),
        )
    };
    let mut out = vec![
        with_known(monthly::finish(&r.parts, model)),
        with_known(monthly::finish(&r.parts, &ForecastModel::baselines_only())),
        with_known(monthly::finish(&r.parts, learned)),
    ];
    out.extend(r.baselines.iter().map(|p| (*p, None)));
    out
}

/// The long frame of absolute errors: one row per record and forecaster, under its group and
/// again under `all` (category series only), with its series' in-sample scale.
fn error_frame(
    records: &[Record],
    model: &ForecastModel,
    learned: &ForecastModel,
    by_kind: bool,
) -> Result<DataFrame, String> {
    let mut group: Vec<&str> = Vec::new();
    let mut series: Vec<String> = Vec::new();
    let mut held_out: Vec<bool> = Vec::new();
    let mut forecaster: Vec<&str> = Vec::new();
    let mut abs_error: Vec<f64> = Vec::new();
    let mut abs_actual: Vec<f64> = Vec::new();
    let mut covered: Vec<Option<f64>> = Vec::new();
    let mut covered_wide: Vec<Option<f64>> = Vec::new();
    let mut exact_hit: Vec<Option<f64>> = Vec::new();
    let mut scale: Vec<Option<f64>> = Vec::new();
    for r in records {
        let names: Vec<&str> = if by_kind {
            vec![r.parts.kind]
        } else if r.group == "total" {
            vec!["total"]
        } else {
            vec![r.group, "all"]
        };
        for (name, (point, interval)) in FORECASTERS.iter().zip(predictions(r, model, learned)) {
            for g in &names {
                group.push(g);
                series.push(format!("{}/{}", r.household, r.category));
                held_out.push(r.held_out);
                forecaster.push(name);
                abs_error.push(r.actual.abs_diff(point) as f64);
                abs_actual.push(r.actual.unsigned_abs() as f64);
                let inside = interval
                    .map(|(low, high)| f64::from(u8::from(low <= r.actual && r.actual <= high)));
                let zero_width = interval.map(|(low, high)| low == high);
                covered.push(inside);
                covered_wide.push(inside.filter(|_| zero_width == Some(false)));
                exact_hit.push(inside.filter(|_| zero_width == Some(true)));
                scale.push(r.scale);
            }
        }
    }
    let n = group.len();
    DataFrame::new(
        n,
        vec![
            Column::new("group".into(), group),
            Column::new("series".into(), series),
            Column::new("held_out".into(), held_out),
            Column::new("forecaster".into(), forecaster),
            Column::new("abs_error".into(), abs_error),
            Column::new("abs_actual".into(), abs_actual),
            Column::new("covered".into(), covered),
            Column::new("covered_wide".into(), covered_wide),
            Column::new("exact_hit".into(), exact_hit),
            Column::new("scale".into(), scale),
        ],
    )
    .map_err(polars_error)
}

/// Scores per (group, forecaster) on the rows `held_out` selects. MASE is computed per series
/// (its MAE over its in-sample one-step naive MAE) and then pooled: the mean over series (the
/// M4 definition) and the median; series whose scale is zero are counted, not divided by.
fn scores(
    errors: &DataFrame,
    held_out: bool,
) -> Result<BTreeMap<(String, String), Scores>, String> {
    let keys = [col("group"), col("forecaster")];
    let table = errors
        .clone()
        .lazy()
        .filter(col("held_out").eq(lit(held_out)))
        .group_by([col("group"), col("forecaster"), col("series")])
        .agg([
            col("abs_error").sum().alias("error"),
            col("abs_actual").sum().alias("actual"),
            len().cast(DataType::Float64).alias("n"),
            col("covered").sum().alias("covered"),
            col("covered")
                .count()
                .cast(DataType::Float64)
                .alias("with_interval"),
            col("covered_wide").sum().alias("covered_wide"),
            col("covered_wide")
                .count()
                .cast(DataType::Float64)
                .alias("with_width"),
            col("exact_hit").sum().alias("exact_hit"),
            col("exact_hit")
                .count()
                .cast(DataType::Float64)
                .alias("zero_width"),
            col("scale").first().alias("scale"),
        ])
        .with_column((col("error") / col("n") / col("scale")).alias("mase"))
        .group_by(keys)
        .agg([
            col("error").sum(),
            col("actual").sum(),
            col("n").sum(),
            col("covered").sum(),
            col("with_interval").sum(),
            col("covered_wide").sum(),
            col("with_width").sum(),
            col("exact_hit").sum(),
            col("zero_width").sum(),
            col("mase").mean().alias("mase_mean"),
            col("mase").median().alias("mase_median"),
            col("mase").count().cast(DataType::Float64).alias("series"),
            col("scale")
                .is_null()
                .cast(DataType::Float64)
                .sum()
                .alias("zero_scale"),
        ])
        .collect()
        .map_err(polars_error)?;
    let text = |name: &str| -> Result<Vec<String>, String> {
        Ok(table
            .column(name)
            .map_err(polars_error)?
            .as_materialized_series()
            .str()
            .map_err(polars_error)?
            .iter()
            .map(|v| v.unwrap_or_default().to_owned())
            .collect())
    };
    let (groups, forecasters) = (text("group")?, text("forecaster")?);
    let [error, actual, n, covered, with_interval, mase, mase_median, series, zero_scale] = [
        "error",
        "actual",
        "n",
        "covered",
        "with_interval",
        "mase_mean",
        "mase_median",
        "series",
        "zero_scale",
    ]
    .map(|c| f64_column(&table, c));
    let [covered_wide, with_width, exact_hit, zero_width] =
        ["covered_wide", "with_width", "exact_hit", "zero_width"].map(|c| f64_column(&table, c));
    let (covered_wide, with_width, exact_hit, zero_width) =
        (covered_wide?, with_width?, exact_hit?, zero_width?);
    let (error, actual, n, covered, with_interval) =
        (error?, actual?, n?, covered?, with_interval?);
    let (mase, mase_median, series, zero_scale) = (mase?, mase_median?, series?, zero_scale?);
    // polars sums groups in parallel, so the last bits of a mean can differ between runs:
    // figures are kept to 9 decimals, which makes metrics.json the same bytes from the same seed.
    let round = |v: f64| (v * 1e9).round() / 1e9;
    let finite = |v: f64| if v.is_finite() { round(v) } else { 0.0 };
    Ok((0..table.height())
        .map(|i| {
            (
                (groups[i].clone(), forecasters[i].clone()),
                Scores {
                    mae: finite(error[i] / n[i].max(1.0) / 100.0),
                    wape: if actual[i] > 0.0 {
                        finite(error[i] / actual[i])
                    } else {
                        0.0
                    },
                    mase: finite(mase[i]),
                    mase_median: finite(mase_median[i]),
                    series: series[i] as usize,
                    zero_scale_series: zero_scale[i] as usize,
                    coverage_80: (with_interval[i] > 0.0)
                        .then(|| finite(covered[i] / with_interval[i])),
                    coverage_80_with_width: (with_width[i] > 0.0)
                        .then(|| finite(covered_wide[i] / with_width[i])),
                    zero_width: zero_width[i] as usize,
                    exact_hit: (zero_width[i] > 0.0).then(|| finite(exact_hit[i] / zero_width[i])),
                    forecasts: n[i] as usize,
                },
            )
        })
        .collect())
}

/// How far a forecast's interval had to be stretched (as a factor on its raw offsets) to
/// reach the actual: 0 inside a zero-width interval at the point, infinite outside one.
fn stretch(r: &Record, point: i64) -> f64 {
    let variable = r.actual.saturating_sub(r.known);
    let (gap, room) = if variable >= point {
        ((variable - point) as f64, r.parts.above)
    } else {
        ((point - variable) as f64, -r.parts.below)
    };
    if gap == 0.0 {
        0.0
    } else if room > 0.0 {
        gap / room
    } else {
        f64::INFINITY
    }
}

/// The split-conformal factor: the ⌈(n + 1) × 80%⌉-th smallest stretch, so that a new
/// forecast's interval covers with probability at least 80%; 1 with too few forecasts.
/// Zero-width intervals are left out by the caller: no factor changes them.
fn conformal(mut stretches: Vec<f64>) -> f64 {
    let n = stretches.len();
    let rank = ((n + 1) as f64 * COVERAGE).ceil() as usize;
    if rank == 0 || rank > n {
        return 1.0;
    }
    stretches.sort_by(f64::total_cmp);
    let s = stretches[rank - 1];
    if s.is_finite() {
        s.max(0.01)
    } else {
        1.0
    }
}

fn best_baseline(scores: &BTreeMap<(String, String), Scores>, group: &str) -> (String, f64) {
    BASELINES
        .iter()
        .filter_map(|(_, name)| {
            let s = scores.get(&(group.to_owned(), (*name).to_owned()))?;
            Some(((*name).to_owned(), s.mase))
        })
        .fold((String::new(), f64::INFINITY), |best, c| {
            if c.1 < best.1 {
                c
            } else {
                best
            }
        })
}

/// Per series kind, on the training households' `records`: whether the learned model beat
/// both the chosen baseline and every single baseline there (its interval factor is filled in
/// later).
fn where_learned(
    records: &[Record],
    learned: &ForecastModel,
) -> Result<BTreeMap<String, KindFit>, String> {
    let by_kind = scores(&error_frame(records, learned, learned, true)?, false)?;
    let mut kinds = BTreeMap::new();
    for kind in KINDS {
        let get = |f: &str| by_kind.get(&(kind.to_owned(), f.to_owned()));
        let (Some(selection), Some(learned_scores)) = (get("selection"), get("learned")) else {
            continue;
        };
        let (_, best) = best_baseline(&by_kind, kind);
        kinds.insert(
            kind.to_owned(),
            KindFit {
                forecasts: selection.forecasts,
                selection_mase: selection.mase,
                learned_mase: learned_scores.mase,
                learned_served: learned_scores.mase < selection.mase && learned_scores.mase < best,
                interval_scale: 1.0,
            },
        );
    }
    Ok(kinds)
}

/// Every forecaster's scores per group on the held-out households' `records`.
fn group_scores(
    records: &[Record],
    model: &ForecastModel,
    learned: &ForecastModel,
) -> Result<BTreeMap<String, GroupScores>, String> {
    let held = scores(&error_frame(records, model, learned, false)?, true)?;
    let mut forecast = BTreeMap::new();
    for (group, _) in held.keys() {
        if forecast.contains_key(group) {
            continue;
        }
        let get = |f: &str| {
            held.get(&(group.clone(), f.to_owned()))
                .cloned()
                .ok_or_else(|| format!("no {f} scores for {group}"))
        };
        let (best, best_mase) = best_baseline(&held, group);
        let served = get("served")?;
        forecast.insert(
            group.clone(),
            GroupScores {
                served_beats_best_baseline: served.mase < best_mase,
                served,
                selection: get("selection")?,
                learned: get("learned")?,
                naive: get("naive")?,
                seasonal_naive: get("seasonal_naive")?,
                mean3: get("mean3")?,
                median: get("median")?,
                best_baseline: best,
            },
        );
    }
    Ok(forecast)
}

/// The whole training and evaluation from `seed` over `count` households.
pub fn run(seed: u64, count: usize) -> Result<Output, String> {
    let collected = evaluate::collect(seed, count);
    // The artifact is fitted one month ahead (the month in progress, the figure the dashboard
    // and the budgets read); the month after is scored with the same artifact.
    let (records, two_ahead): (Vec<Record>, Vec<Record>) =
        collected.records.into_iter().partition(|r| r.horizon == 1);
    let (coefficients, intercept) = fit(&feature_frame(&records)?)?;
    let mut learned = ForecastModel::baselines_only();
    learned.description = format!(
        "ridge regression (smartcore, α = {ALPHA}) on {} lag, rolling and calendar features, \
         fitted as a ratio to the series' level",
        features::NAMES.len()
    );
    learned.coefficients = coefficients;
    learned.intercept = intercept;
    learned.learned_for = KINDS.iter().map(|k| (*k).to_owned()).collect();
    learned.learned_two_months_ahead = learned.learned_for.clone();

    // Where to serve the learned point, at each horizon: decided on the training households.
    let mut model = learned.clone();
    let mut kinds = where_learned(&records, &learned)?;
    let mut kinds_two_months_ahead = where_learned(&two_ahead, &learned)?;
    let served = |kinds: &BTreeMap<String, KindFit>| -> Vec<String> {
        kinds
            .iter()
            .filter(|(_, k)| k.learned_served)
            .map(|(kind, _)| kind.clone())
            .collect()
    };
    model.learned_for = served(&kinds);
    model.learned_two_months_ahead = served(&kinds_two_months_ahead);
    // Interval factors for the points now served, on the training households only.
    for kind in KINDS {
        let stretches: Vec<f64> = records
            .iter()
            .filter(|r| !r.held_out && r.parts.kind == kind)
            .filter(|r| r.parts.below != 0.0 || r.parts.above != 0.0)
            .map(|r| stretch(r, monthly::finish(&r.parts, &model).0))
            .collect();
        let factor = conformal(stretches);
        model.interval_scale.insert(kind.to_owned(), factor);
        for k in [kinds.get_mut(kind), kinds_two_months_ahead.get_mut(kind)]
            .into_iter()
            .flatten()
        {
            k.interval_scale = factor;
        }
    }

    let forecast = group_scores(&records, &model, &learned)?;
    let forecast_two_months_ahead = group_scores(&two_ahead, &model, &learned)?;
    let split = evaluate::held_out(seed, count);
    let evaluation = split.iter().filter(|h| **h).count();
    Ok(Output {
        model,
        metrics: Metrics {
            seed,
            households: count,
            training_households: count - evaluation,
            evaluation_households: evaluation,
            months_per_household: households::MONTHS,
            origins_per_series: ORIGINS,
            forecast,
            forecast_two_months_ahead,
            kinds,
            kinds_two_months_ahead,
            recurring: collected.recurring,
            budgets: collected.budgets,
        },
    })
}

/// Writes `model.json`, `metrics.json` and the model card into `dir`.
pub fn write(out: &Output, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("model.json"), pretty(&out.model))?;
    std::fs::write(dir.join("metrics.json"), pretty(&out.metrics))?;
    std::fs::write(
        dir.join("README.md"),
        crate::forecast::card::render(&out.metrics, &out.model),
    )
}

fn pretty<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).expect("plain data serializes") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conformal_factor_is_the_finite_sample_quantile() {
        // n = 9: rank ⌈10 × 0.8⌉ = 8 → the 8th smallest.
        let s: Vec<f64> = (1..=9).map(f64::from).collect();
        assert_eq!(conformal(s), 8.0);
        // Too few to reach the rank: the raw interval is kept.
        assert_eq!(conformal(vec![3.0, 4.0]), 1.0);
        assert_eq!(conformal(vec![0.0; 10]), 0.01);
    }

    #[test]
    fn scores_of_known_errors() {
        // Series a (scale 200): errors 100 and 300 on actuals 1000, both inside the interval.
        // Series b (scale 100): error 50 on 500, outside. Series c (zero scale): error 10.
        let frame = DataFrame::new(
            4,
            vec![
                Column::new("group".into(), ["g"; 4]),
                Column::new("series".into(), ["a", "a", "b", "c"]),
                Column::new("held_out".into(), [true; 4]),
                Column::new("forecaster".into(), ["served"; 4]),
                Column::new("abs_error".into(), [100.0, 300.0, 50.0, 10.0]),
                Column::new("abs_actual".into(), [1000.0, 1000.0, 500.0, 90.0]),
                Column::new("covered".into(), [Some(1.0), Some(1.0), Some(0.0), None]),
                Column::new("covered_wide".into(), [Some(1.0), None, Some(0.0), None]),
                Column::new("exact_hit".into(), [None, Some(1.0), None, None]),
                Column::new(
                    "scale".into(),
                    [Some(200.0), Some(200.0), Some(100.0), None],
                ),
            ],
        )
        .unwrap();
        let s = &scores(&frame, true).unwrap()[&("g".to_owned(), "served".to_owned())];
        assert_eq!(s.mae, 1.15); // 460 / 4 = 115 minor units = 1.15 major
        assert!((s.wape - 460.0 / 2590.0).abs() < 1e-9);
        // Series MASE: a = 200 / 200 = 1, b = 50 / 100 = 0.5; c has no scale and is counted.
        assert_eq!((s.mase, s.mase_median), (0.75, 0.75));
        assert_eq!((s.series, s.zero_scale_series), (2, 1));
        assert!((s.coverage_80.unwrap() - 2.0 / 3.0).abs() < 1e-9);
        // The second forecast's interval had no width: scored as an exact hit, not coverage.
        assert_eq!(s.coverage_80_with_width, Some(0.5));
        assert_eq!((s.zero_width, s.exact_hit), (1, Some(1.0)));
        assert_eq!(s.forecasts, 4);
        assert!(scores(&frame, false).unwrap().is_empty());
    }

    #[test]
    fn training_is_reproducible_and_scores_held_out_households() {
        let a = run(11, 4).unwrap();
        let b = run(11, 4).unwrap();
        assert_eq!(a.model, b.model);
        assert_eq!(
            serde_json::to_string(&a.metrics).unwrap(),
            serde_json::to_string(&b.metrics).unwrap()
        );
        assert_eq!(
            (
                a.metrics.training_households,
                a.metrics.evaluation_households
            ),
            (2, 2)
        );
        // Two held-out households, ORIGINS months each, one total per month.
        assert_eq!(
            a.metrics.forecast["total"].served.forecasts,
            2 * ORIGINS as usize
        );
        assert_eq!(
            a.metrics.forecast_two_months_ahead["total"]
                .served
                .forecasts,
            2 * ORIGINS as usize
        );
        let bytes = serde_json::to_vec(&a.model).unwrap();
        assert_eq!(ForecastModel::from_bytes(&bytes).unwrap(), a.model);
    }
}
