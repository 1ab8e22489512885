//! The forecast model card (`ml-models/forecast/README.md`), written from the measured metrics
//! and the artifact so that it cannot drift from them.

use std::fmt::Write;

use crate::forecast::evaluate::{Metrics, Scores};
use crate::forecast::features;
use crate::forecast::learned::ForecastModel;

fn row(out: &mut String, name: &str, s: &Scores) {
    let coverage = s
        .coverage_80
        .map_or("—".to_owned(), |c| format!("{:.1}%", c * 100.0));
    let _ = writeln!(
        out,
        "| {name} | {:.2} | {:.3} | {:.3} | {:.3} | {coverage} |",
        s.mae, s.wape, s.mase, s.mase_median
    );
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
on the training households: **{learned_for}**; every other kind is served its chosen baseline, \
and each forecast's `basis` says which it got.\n\
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
share of actuals inside the 80% interval.\n\n",
        seed = m.seed,
        households = m.households,
        description = model.description,
        names = features::NAMES.join(", "),
        learned_for = list(&model.learned_for),
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
    for (group, g) in &m.forecast {
        let _ = writeln!(
            out,
            "### {group}\n\n| forecaster | MAE | WAPE | MASE (mean) | MASE (median) | 80% coverage |\n|---|---|---|---|---|---|"
        );
        row(&mut out, "**served**", &g.served);
        row(&mut out, "selection", &g.selection);
        row(&mut out, "learned", &g.learned);
        row(&mut out, "naive", &g.naive);
        row(&mut out, "seasonal naive", &g.seasonal_naive);
        row(&mut out, "mean of 3", &g.mean3);
        row(&mut out, "median", &g.median);
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
    let _ = writeln!(
        out,
        "## Where the learned model is served (training households)\n\n\
| series kind | forecasts | selection MASE | learned MASE | learned served | interval factor |\n\
|---|---|---|---|---|---|"
    );
    for (kind, k) in &m.kinds {
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
    let r = &m.recurring;
    let _ = write!(
        out,
        "\nA category series' kind is `lumpy`, `exact` (its chosen baseline's 10th–90th \
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
- Backtests are one month ahead; the next month's forecast (two months past the last complete \
month) uses the same model and interval factors, whose coverage there is not measured.\n\
- An interval around a point that is exact most months (fixed bills, whose variable part is \
zero) covers more than 80% whatever its factor: no narrowing can leave out a month it hits \
exactly.\n\
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
