//! The forecast model card (`ml-models/forecast/README.md`), written from the measured metrics
//! and the artifact so that it cannot drift from them.

use std::fmt::Write;

use std::collections::BTreeMap;

use crate::forecast::evaluate::{GroupScores, Metrics, Scores};
use crate::forecast::features;
use crate::forecast::learned::ForecastModel;

fn row(out: &mut String, name: &str, s: &Scores) {
    let percent = |c: Option<f64>| c.map_or("—".to_owned(), |c| format!("{:.1}%", c * 100.0));
    let exact = match s.exact_hit {
        Some(hit) => format!("{} ({:.1}% exact)", s.zero_width, hit * 100.0),
        None if s.coverage_80.is_some() => "0".to_owned(),
        None => "—".to_owned(),
    };
    let _ = writeln!(
        out,
        "| {name} | {:.2} | {:.3} | {:.3} | {:.3} | {} | {} | {exact} |",
        s.mae,
        s.wape,
        s.mase,
        s.mase_median,
        percent(s.coverage_80),
        percent(s.coverage_80_with_width),
    );
}

/// One table per group, with the verdict against the best baseline.
fn groups(out: &mut String, groups: &BTreeMap<String, GroupScores>) {
    for (group, g) in groups {
        let _ = writeln!(
            out,
            "### {group}\n\n| forecaster | MAE | WAPE | MASE (mean) | MASE (median) | 80% coverage | \
             coverage, intervals with width | zero-width intervals |\n|---|---|---|---|---|---|---|---|"
        );
        row(out, "**served**", &g.served);
        row(out, "selection", &g.selection);
        row(out, "learned", &g.learned);
        row(out, "naive", &g.naive);
        row(out, "seasonal naive", &g.seasonal_naive);
        row(out, "mean of 3", &g.mean3);
        row(out, "median", &g.median);
        let best = [&g.naive, &g.seasonal_naive, &g.mean3, &g.median]
            .iter()
            .map(|s| s.mase)
            .fold(f64::INFINITY, f64::min);
        let verdict = if g.served_beats_best_baseline {
            "the served forecast beats it"
        } else if g.served.mase <= best {
            "the served forecast is that baseline for these series (equal figures)"
        } else {
            "**the served forecast does not beat it**"
        };
        let _ = writeln!(
            out,
            "\nBest baseline by mean MASE: {}; {verdict}. {} forecasts; {} series scored by MASE, \
{} with a zero scale.\n",
            g.best_baseline, g.served.forecasts, g.served.series, g.served.zero_scale_series
        );
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

pub fn render(m: &Metrics, model: &ForecastModel) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "# Forecast and recurring-detection model card\n\n\
_Written by `dhana ml train-forecast --seed {seed} --households {households}` (built with \
`--features training`); do not edit by hand._\n\n\
## What is served\n\
- **Spending, income and net-savings forecast** (`GET /forecast`): per series (a category's \
spending, the total, income, net), recurring bills and income expected in the month are known; \
the variable rest is forecast. For each series four baselines (median of all months, mean of \
the last 3 months, same month last year, last month) are backtested on its own history (up to \
12 origins) and the one with the smallest error is chosen (a later one in that list replaces an \
earlier one only when its error is below 90% of it); lumpy series (months varying by more than \
60% of their mean: big purchases, travel) are given the median. Varying bills (utilities) are \
forecast, not taken as known, so that their seasons count.\n\
- **Learned model** ({description}): one global model across all households and categories, \
features {names}, computed by `backend/src/forecast/features.rs` for training and serving \
alike. Served for the series kinds where it beat the chosen baseline and every single baseline \
on the training households, decided for each horizon on its own backtests: **{learned_for}** \
one month ahead, **{learned_two}** two months ahead; every other kind is served its chosen \
baseline, and each forecast's `basis` says which it got.\n\
- **80% interval**: the chosen baseline's own backtest errors (10th–90th percentile) around the \
served point, times a factor per series kind fitted by split conformal on the training \
households (the finite-sample 80% quantile of how far each interval had to stretch to reach \
the actual): {scales}.\n\
- **Recurring detection** (`GET /recurring`): rule-based grouping by normalized merchant, \
cadence from the gaps, fixed or banded amounts (`backend/src/forecast/recurring.rs`).\n\n\
## Data\n\
{households} synthetic households (`backend/src/forecast/households.rs`, seeds {seed}…), \
{months} months each: salary (monthly or every two weeks, yearly raises), rent with yearly \
rises, 1–4 subscriptions with price rises and cancellations, utilities that follow the seasons, \
yearly or quarterly insurance, a weekly cleaner for some, groceries and dining with a trend and \
a December peak, irregular shopping with big purchases, summer and year-end travel. A seeded \
shuffle splits them by household: the model, the kinds it serves and the interval factors are \
fitted on {train} households; every forecast figure below is measured on the other {held} \
households, never seen in fitting.\n\n\
## Forecast: rolling origin, one month ahead, {origins} origins per series, held-out households\n\
MAE in major units; WAPE = Σ|error| / Σ|actual|. MASE: each series' MAE over its in-sample \
one-step naive MAE (its first {fit} months, before any origin), then pooled over the series of \
the group as the mean (the M4 definition) and the median. Series that never changed in-sample \
have no scale: they are left out of MASE (their errors still count in MAE and WAPE) and counted \
below. The mean is carried by series with a tiny scale: a rent that rose once in two years has \
a scale of 1/23 of its rise, so a baseline that lags the rise (the median of all months) scores \
a MASE near 20 on it while its MAE stays small; that is why the median baseline can show a \
lower MAE than naive but a much higher mean MASE. The median MASE shows the typical series. \
_selection_ is the forecaster before the learned model and calibration (the chosen baseline, \
raw interval); _learned_ is the learned model on every series it has features for. Coverage = \
share of actuals inside the 80% interval. A series exact on its own past (its chosen baseline's \
10th–90th percentile backtest error is zero: a fixed bill's variable part) gets a zero-width \
interval, which claims the point is exact rather than 80% sure; it is scored apart, by how often \
the actual was that point exactly (_zero-width intervals_: how many, and the share exact), and \
_coverage, intervals with width_ is the 80% coverage over the others. The first coverage column \
counts both, which is why a group of fixed bills shows far more than 80%.\n\n",
        seed = m.seed,
        households = m.households,
        description = model.description,
        names = features::NAMES.join(", "),
        learned_for = list(&model.learned_for),
        learned_two = list(&model.learned_two_months_ahead),
        scales = model
            .interval_scale
            .iter()
            .map(|(k, v)| format!("{k} × {v:.2}"))
            .collect::<Vec<_>>()
            .join(", "),
        months = m.months_per_household,
        train = m.training_households,
        held = m.evaluation_households,
        origins = m.origins_per_series,
        fit = m.months_per_household - m.origins_per_series,
    );
    groups(&mut out, &m.forecast);
    let _ = write!(
        out,
        "## Forecast: two months ahead, {origins} origins per series, held-out households\n\
While a month is in progress, the next month's forecast rests on the months up to the last \
complete one, two months before it. Each origin here is the 15th of the month before the \
target: the ledger up to the 14th, recurring series detected on that day, every baseline \
predicting from the complete months. The learned model and the interval factors are the ones \
fitted one month ahead; where the learned point is served was decided on this horizon's \
backtests of the training households (below), as served.\n\n",
        origins = m.origins_per_series,
    );
    groups(&mut out, &m.forecast_two_months_ahead);
    for (title, kinds) in [
        ("one month ahead", &m.kinds),
        ("two months ahead", &m.kinds_two_months_ahead),
    ] {
        let _ = writeln!(
            out,
            "## Where the learned model is served, {title} (training households)\n\n\
| series kind | forecasts | selection MASE | learned MASE | learned served | interval factor |\n\
|---|---|---|---|---|---|"
        );
        for (kind, k) in kinds {
            let _ = writeln!(
                out,
                "| {kind} | {} | {:.3} | {:.3} | {} | {:.2} |",
                k.forecasts,
                k.selection_mase,
                k.learned_mase,
                if k.learned_served { "yes" } else { "no" },
                k.interval_scale
            );
        }
        out.push('\n');
    }
    let r = &m.recurring;
    let _ = write!(
        out,
        "A category series' kind is `lumpy`, `exact` (its chosen baseline's 10th–90th \
percentile backtest error is zero, so its interval is the point and no factor changes it) or \
the baseline its backtest chose; the total spending is `total`. The learned model is served \
for a kind only where its mean MASE is below both the chosen baseline's and every single \
baseline's there. Income and net savings are not backtested here and keep the chosen baseline \
with an uncalibrated interval.\n\n\
## Recurring detection\n\n\
Labelled series still running at the end of each household's history (all {households} \
households: nothing is fitted), against what detection reports as active or missing on that \
day.\n\n\
| labelled | detected | matched | precision | recall | F1 | monthly next-date MAE (days) | within 2 days |\n\
|---|---|---|---|---|---|---|---|\n\
| {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.2} | {:.1}% |\n\n\
## Budget recommendations\n\n\
Each category's suggested limit (`GET /budgets/recommendations`) computed at each origin, \
against the month that followed: spending stayed within it in {held} of {recommended} months \
(**{hold:.1}%**; the aim is 75–90%: neither trivially loose nor always broken).\n\n\
## Limits\n\
- Synthetic data: real ledgers have more irregular merchants, transfers and categories changed \
by hand. The real-bank corpus has too little history per account for monthly backtests.\n\
- The learned model knows no category: user categories do not map onto the generator's groups, \
so it sees only what the series itself shows (its lags, spread, zero months, calendar month, \
known bills). Per-group figures are measured on the generator's groups.\n\
- The learned model's coefficients and the interval factors are fitted one month ahead and \
served as they are two months ahead (only where the learned point is served is decided on that \
horizon); the two-months-ahead section shows what that gives.\n\
- A zero-width interval is right only as often as its _zero-width intervals_ share says; when a \
fixed bill's price changes, the month of the change falls outside it.\n\
- Amounts are in one currency per household; multi-currency users are forecast in their base \
currency only.\n",
        r.labelled,
        r.detected,
        r.matched,
        r.precision,
        r.recall,
        r.f1,
        r.monthly_next_date_mae_days,
        r.monthly_next_date_within_2_days * 100.0,
        households = m.households,
        held = m.budgets.held,
        recommended = m.budgets.recommendations,
        hold = m.budgets.hold_rate * 100.0,
    );
    out
}
