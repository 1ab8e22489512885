//! The forecast model card (`ml-models/forecast/README.md`), written from the measured metrics
//! so that it cannot drift from them.

use std::fmt::Write;

use crate::forecast::evaluate::{GroupScores, Metrics, Scores};

fn row(out: &mut String, name: &str, s: &Scores) {
    let coverage = s
        .coverage_80
        .map_or("—".to_owned(), |c| format!("{:.1}%", c * 100.0));
    let _ = writeln!(
        out,
        "| {name} | {:.2} | {:.3} | {:.3} | {coverage} |",
        s.mae, s.wape, s.mase
    );
}

fn best_mase(g: &GroupScores) -> f64 {
    [&g.naive, &g.seasonal_naive, &g.mean3, &g.median]
        .iter()
        .map(|s| s.mase)
        .fold(f64::INFINITY, f64::min)
}

pub fn render(m: &Metrics) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "# Forecast and recurring-detection model card\n\n\
_Written by `dhana ml evaluate-forecast --seed {seed} --households {households}`; do not edit by \
hand._\n\n\
## What is served\n\
- **Spending, income and net-savings forecast** (`GET /forecast`): per series (a category's \
spending, the total, income, net), recurring bills and income expected in the month are known; \
the variable rest is forecast by one of four baselines (median of all months, mean of the last \
3 months, same month last year, last month), chosen by a rolling-origin backtest on that \
series' own history (up to 12 origins): a later one in that list replaces an earlier one only \
when its error is below 90% of it. Lumpy series (months varying by more than 60% of their \
mean: big purchases, travel) are served the median of all months, the best baseline for them \
below (choosing among baselines measured worse there). \
Varying bills (utilities) are forecast, not taken as known, so that their seasons count. The \
80% interval is the 10th–90th percentile of the served method's own backtest errors. No learned model is served: per-series \
selection among baselines is the forecaster, and the figures below say how it compares with \
each baseline used alone.\n\
- **Recurring detection** (`GET /recurring`): rule-based grouping by normalized merchant, \
cadence from the gaps, fixed or banded amounts (`backend/src/forecast/recurring.rs`).\n\n\
## Data\n\
{households} synthetic households (`backend/src/forecast/households.rs`, seeds {seed}…), \
{months} months each: salary (monthly or every two weeks, yearly raises), rent with yearly \
rises, 1–4 subscriptions with price rises and cancellations, utilities that follow the seasons, \
yearly or quarterly insurance, a weekly cleaner for some, groceries and dining with a trend and \
a December peak, irregular shopping with big purchases, summer and year-end travel. Nothing is \
fitted across households, so every household is held out.\n\n\
## Forecast: rolling origin, one month ahead, {origins} origins per series\n\
MAE in major units; WAPE = Σ|error| / Σ|actual|; MASE = a series' MAE over its in-sample \
one-step naive MAE (first {fit} months), averaged over series; coverage = share of actuals \
inside the served 80% interval.\n\n",
        seed = m.seed,
        households = m.households,
        months = m.months_per_household,
        origins = m.origins_per_series,
        fit = m.months_per_household - m.origins_per_series,
    );
    for (group, g) in &m.forecast {
        let _ = writeln!(
            out,
            "### {group}\n\n| forecaster | MAE | WAPE | MASE | 80% coverage |\n|---|---|---|---|---|"
        );
        row(&mut out, "**served**", &g.served);
        row(&mut out, "naive", &g.naive);
        row(&mut out, "seasonal naive", &g.seasonal_naive);
        row(&mut out, "mean of 3", &g.mean3);
        row(&mut out, "median", &g.median);
        let verdict = if g.served_beats_best_baseline {
            "the served forecast beats it"
        } else if g.served.mase <= best_mase(g) {
            "the served forecast is that baseline for these series (equal figures)"
        } else {
            "**the served forecast does not beat it**"
        };
        let _ = writeln!(
            out,
            "\nBest baseline by MASE: {}; {verdict}. ({} forecasts)\n",
            g.best_baseline, g.served.forecasts
        );
    }
    let r = &m.recurring;
    let _ = write!(
        out,
        "## Recurring detection\n\n\
Labelled series still running at the end of each household's history, against what detection \
reports as active or missing on that day.\n\n\
| labelled | detected | matched | precision | recall | F1 | monthly next-date MAE (days) | within 2 days |\n\
|---|---|---|---|---|---|---|---|\n\
| {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.2} | {:.1}% |\n\n\
## Limits\n\
- Synthetic data: real ledgers have more irregular merchants, transfers and categories changed \
by hand. The real-bank corpus has too little history per account for monthly backtests.\n\
- Amounts are in one currency per household; multi-currency users are forecast in their base \
currency only.\n\
- No anomaly detector or budget recommender is evaluated here yet (issue 11 items 4–5).\n",
        r.labelled,
        r.detected,
        r.matched,
        r.precision,
        r.recall,
        r.f1,
        r.monthly_next_date_mae_days,
        r.monthly_next_date_within_2_days * 100.0
    );
    out
}
