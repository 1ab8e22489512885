//! How well anomaly detection works, measured on synthetic households (`forecast::households`)
//! with labelled injections (`injections`): precision, recall and F1 per kind at the shipped
//! thresholds (ranking and the monthly cap included), recall per spike size, and how many
//! alerts a user gets a month. `dhana ml evaluate-anomalies` runs it and writes `metrics.json`
//! and the model card (`render`).

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use crate::forecast::bills::unstored;
use crate::forecast::households::{self, CATEGORIES};
use crate::forecast::recurring;
use crate::insights::anomalies::{self, Found, Kind, UnusualRule};
use crate::insights::injections::{self, Injected};

/// The evaluated stretch at the end of each household: a year.
pub const WINDOW_DAYS: i64 = 365;
const SPIKES: [u32; 3] = [3, 5, 10];
/// The target for precision and recall.
const TARGET: f64 = 0.8;

#[derive(Clone, Debug, Default, Serialize)]
pub struct KindScores {
    pub labelled: usize,
    pub flagged: usize,
    /// Flagged and injected.
    pub matched: usize,
    /// Flagged and one of the generator's own outliers (`Household::outliers`: big purchases
    /// and draws three standard deviations out): right, but not injected (so they count for
    /// precision, not recall).
    pub natural: usize,
    pub precision: f64,
    /// Precision with the generator's own outliers counted as false alarms: injections only.
    pub precision_injected: f64,
    pub recall: f64,
    pub f1: f64,
}

impl KindScores {
    fn finish(mut self) -> Self {
        let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        self.precision = ratio(self.matched + self.natural, self.flagged);
        self.precision_injected = ratio(self.matched, self.flagged);
        self.recall = ratio(self.matched, self.labelled);
        self.f1 = if self.precision + self.recall > 0.0 {
            2.0 * self.precision * self.recall / (self.precision + self.recall)
        } else {
            0.0
        };
        self
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Thresholds {
    pub unusual_robust_z: f64,
    pub unusual_times_median: f64,
    pub unusual_category_weight: f64,
    pub unusual_small_sample: f64,
    pub duplicate_days: i64,
    pub new_merchant_times_median_payment: f64,
    pub category_pace_times_usual_month: f64,
    pub max_per_month: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct Metrics {
    pub seed: u64,
    pub households: usize,
    pub months_evaluated: i64,
    pub thresholds: Thresholds,
    /// The labelled kinds (`unusual_amount` = the spikes), and `all` of them together.
    pub by_kind: BTreeMap<String, KindScores>,
    /// Recall of the spikes by size (`3x`, `5x`, `10x`).
    pub spike_recall: BTreeMap<String, f64>,
    /// The same before the monthly cap: what the cap costs.
    pub spike_recall_before_cap: BTreeMap<String, f64>,
    /// Spikes injected and found, by the spiked payment's category group (`households::
    /// CATEGORIES`) and size: how recall depends on how much the merchant's amounts vary.
    pub spikes_by_group: BTreeMap<String, BTreeMap<String, SpikeCount>>,
    /// Every alert raised (all kinds, after the cap) per household and month.
    pub alerts_per_user_month: f64,
    pub alerts_per_user_month_by_kind: BTreeMap<String, f64>,
    /// Every unusual-amount rule tried, measured on the tuning households (`TUNING_SEED`…);
    /// the served one is the best F1 among them.
    pub candidates: Vec<Candidate>,
}

#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct SpikeCount {
    pub injected: usize,
    pub found: usize,
}

impl Metrics {
    /// The unusual-amount rule these figures were measured with.
    fn served_rule(&self) -> UnusualRule {
        let t = &self.thresholds;
        UnusualRule {
            z: t.unusual_robust_z,
            times: t.unusual_times_median,
            category_weight: t.unusual_category_weight,
            small_sample: t.unusual_small_sample,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Candidate {
    pub rule: UnusualRule,
    pub households: usize,
    pub unusual_amount: KindScores,
    pub spike_recall: BTreeMap<String, f64>,
    pub alerts_per_user_month: f64,
}

/// The unusual-amount rules tried: the robust z; the merchant's own spread alone (0) or
/// blended with its category's counted as 24 or 1000 payments; short histories widened by
/// √(1 + π/2 / payments) (the median's own uncertainty) or √(1 + 6 / payments).
pub const CANDIDATES: [UnusualRule; 24] = {
    const fn rule(z: f64, category_weight: f64, small_sample: f64) -> UnusualRule {
        UnusualRule {
            z,
            times: 3.0,
            category_weight,
            small_sample,
        }
    }
    const HALF_PI: f64 = std::f64::consts::FRAC_PI_2;
    let zs = [2.0, 2.5, 3.0, 3.5];
    let weights = [0.0, 24.0, 1000.0];
    let widening = [HALF_PI, 6.0];
    let mut rules = [rule(0.0, 0.0, 0.0); 24];
    let mut i = 0;
    while i < 24 {
        rules[i] = rule(zs[i / 6], weights[i / 2 % 3], widening[i % 2]);
        i += 1;
    }
    rules
};

/// The served rule on `count` households from `seed`, and every candidate on `tuning`
/// households from `TUNING_SEED`.
pub fn evaluate(seed: u64, count: usize, tuning: usize) -> Metrics {
    let mut metrics = run(seed, count);
    metrics.candidates = CANDIDATES
        .iter()
        .zip(run_rules(TUNING_SEED, tuning, &CANDIDATES))
        .map(|(rule, m)| Candidate {
            rule: *rule,
            households: tuning,
            unusual_amount: m.by_kind["unusual_amount"].clone(),
            spike_recall: m.spike_recall,
            alerts_per_user_month: m.alerts_per_user_month_by_kind["unusual_amount"],
        })
        .collect();
    metrics
}

fn matches(label: &Injected, found: &Found, keys: &BTreeMap<i64, String>) -> bool {
    match label {
        Injected::Spike { transaction_id, .. } => {
            found.kind == Kind::UnusualAmount && found.transaction_ids.contains(transaction_id)
        }
        Injected::Duplicate { transaction_id } => {
            found.kind == Kind::DuplicateCharge
                && found.transaction_ids.last() == Some(transaction_id)
        }
        Injected::NewMerchant { transaction_id } => {
            found.kind == Kind::NewMerchant && found.transaction_ids.contains(transaction_id)
        }
        Injected::MissedBill { key } => {
            found.kind == Kind::BillMissing
                && found.series_id.and_then(|id| keys.get(&id)) == Some(key)
        }
    }
}

fn label_kind(label: &Injected) -> Kind {
    match label {
        Injected::Spike { .. } => Kind::UnusualAmount,
        Injected::Duplicate { .. } => Kind::DuplicateCharge,
        Injected::NewMerchant { .. } => Kind::NewMerchant,
        Injected::MissedBill { .. } => Kind::BillMissing,
    }
}

/// Households that choose the unusual-amount rule (`candidates`): seeds apart from the
/// evaluated ones, which never choose anything.
pub const TUNING_SEED: u64 = 1;
pub const TUNING_HOUSEHOLDS: usize = 100;

/// What one rule flagged over the households, before the figures are worked out.
#[derive(Default)]
struct Tally {
    by_kind: BTreeMap<Kind, KindScores>,
    spikes: BTreeMap<u32, (usize, usize)>,
    spikes_before_cap: BTreeMap<u32, usize>,
    spikes_by_group: BTreeMap<String, BTreeMap<String, SpikeCount>>,
    alerts: BTreeMap<&'static str, usize>,
}

/// The figures of the served rule on `count` households from `seed`.
pub fn run(seed: u64, count: usize) -> Metrics {
    let mut measured = run_rules(seed, count, &[anomalies::UNUSUAL]);
    measured.remove(0)
}

/// The figures of each rule on the same `count` households from `seed`.
pub fn run_rules(seed: u64, count: usize, rules: &[UnusualRule]) -> Vec<Metrics> {
    let end = NaiveDate::from_ymd_opt(2026, 10, 31).expect("a real date");
    let from = end - Duration::days(WINDOW_DAYS - 1);
    let labelled_kinds = [
        Kind::UnusualAmount,
        Kind::DuplicateCharge,
        Kind::NewMerchant,
        Kind::BillMissing,
    ];
    let mut tallies: Vec<Tally> = rules.iter().map(|_| Tally::default()).collect();
    for h in 0..count {
        let house_seed = seed.wrapping_add(h as u64);
        let mut house = households::household(house_seed, end);
        let times = SPIKES[h % SPIKES.len()];
        let labels = injections::inject(&mut house, house_seed, WINDOW_DAYS, times);
        let detected = recurring::detect(&house.lines, end);
        let keys: BTreeMap<i64, String> = detected
            .iter()
            .enumerate()
            .map(|(i, s)| (i as i64 + 1, s.key.clone()))
            .collect();
        let series: Vec<_> = detected
            .into_iter()
            .enumerate()
            .map(|(i, s)| unstored(s, i as i64 + 1))
            .collect();
        for (rule, tally) in rules.iter().zip(tallies.iter_mut()) {
            let uncapped = anomalies::detect_with(&house.lines, &series, from, end, *rule);
            for label in &labels {
                if let Injected::Spike { times, .. } = label {
                    let hit = uncapped.iter().any(|f| matches(label, f, &keys));
                    *tally.spikes_before_cap.entry(*times).or_default() += usize::from(hit);
                }
            }
            let found = anomalies::rank(uncapped);
            for f in &found {
                *tally.alerts.entry(f.kind.as_str()).or_default() += 1;
                if labelled_kinds.contains(&f.kind) {
                    let scores = tally.by_kind.entry(f.kind).or_default();
                    scores.flagged += 1;
                    if labels.iter().any(|l| matches(l, f, &keys)) {
                        scores.matched += 1;
                    } else if f.kind == Kind::UnusualAmount
                        && f.transaction_ids
                            .iter()
                            .any(|id| house.outliers.contains(id))
                    {
                        scores.natural += 1;
                    }
                }
            }
            for label in &labels {
                tally.by_kind.entry(label_kind(label)).or_default().labelled += 1;
                if let Injected::Spike {
                    times,
                    transaction_id,
                } = label
                {
                    let hit = found.iter().any(|f| matches(label, f, &keys));
                    let spike = tally.spikes.entry(*times).or_default();
                    spike.0 += 1;
                    spike.1 += usize::from(hit);
                    let group = house
                        .lines
                        .iter()
                        .find(|l| l.id == *transaction_id)
                        .and_then(|l| l.category_id)
                        .and_then(|c| CATEGORIES.iter().find(|k| k.0 == c))
                        .map_or("uncategorized", |k| k.3);
                    let count = tally
                        .spikes_by_group
                        .entry(group.to_owned())
                        .or_default()
                        .entry(format!("{times}x"))
                        .or_default();
                    count.injected += 1;
                    count.found += usize::from(hit);
                }
            }
        }
    }
    rules
        .iter()
        .zip(tallies)
        .map(|(rule, tally)| finish(seed, count, rule, tally))
        .collect()
}

fn finish(seed: u64, count: usize, rule: &UnusualRule, tally: Tally) -> Metrics {
    let all = tally
        .by_kind
        .values()
        .fold(KindScores::default(), |a, s| KindScores {
            labelled: a.labelled + s.labelled,
            flagged: a.flagged + s.flagged,
            matched: a.matched + s.matched,
            natural: a.natural + s.natural,
            ..a
        });
    let mut scores: BTreeMap<String, KindScores> = tally
        .by_kind
        .into_iter()
        .map(|(k, s)| (k.as_str().to_owned(), s.finish()))
        .collect();
    scores.insert("all".into(), all.finish());
    let user_months = (count as f64 * WINDOW_DAYS as f64 / 365.0 * 12.0).max(1.0);
    let round3 = |x: f64| (x * 1000.0).round() / 1000.0;
    Metrics {
        seed,
        households: count,
        months_evaluated: 12,
        thresholds: Thresholds {
            unusual_robust_z: rule.z,
            unusual_times_median: rule.times,
            unusual_category_weight: rule.category_weight,
            unusual_small_sample: rule.small_sample,
            duplicate_days: anomalies::DUPLICATE_DAYS,
            new_merchant_times_median_payment: anomalies::NEW_MERCHANT_TIMES,
            category_pace_times_usual_month: anomalies::PACE_TIMES,
            max_per_month: anomalies::MAX_PER_MONTH,
        },
        by_kind: scores
            .into_iter()
            .map(|(k, mut s)| {
                s.precision = round3(s.precision);
                s.precision_injected = round3(s.precision_injected);
                s.recall = round3(s.recall);
                s.f1 = round3(s.f1);
                (k, s)
            })
            .collect(),
        spike_recall_before_cap: tally
            .spikes
            .iter()
            .map(|(t, (n, _))| {
                let hit = tally.spikes_before_cap.get(t).copied().unwrap_or(0);
                (format!("{t}x"), round3(hit as f64 / (*n).max(1) as f64))
            })
            .collect(),
        spike_recall: tally
            .spikes
            .into_iter()
            .map(|(t, (n, hit))| (format!("{t}x"), round3(hit as f64 / n.max(1) as f64)))
            .collect(),
        spikes_by_group: tally.spikes_by_group,
        alerts_per_user_month: round3(tally.alerts.values().sum::<usize>() as f64 / user_months),
        alerts_per_user_month_by_kind: tally
            .alerts
            .into_iter()
            .map(|(k, n)| (k.to_owned(), round3(n as f64 / user_months)))
            .collect(),
        candidates: Vec::new(),
    }
}

/// The candidate with the best F1 on the tuning households (the first of equals).
fn best_f1(candidates: &[Candidate]) -> Option<UnusualRule> {
    candidates
        .iter()
        .fold(None::<&Candidate>, |best, c| match best {
            Some(b) if b.unusual_amount.f1 >= c.unusual_amount.f1 => Some(b),
            _ => Some(c),
        })
        .map(|c| c.rule)
}

/// The anomaly model card (`ml-models/anomalies/README.md`), written from the measured metrics
/// so that it cannot drift from them.
pub fn render(m: &Metrics) -> String {
    let t = &m.thresholds;
    let mut out = format!(
        "# Anomaly detection model card\n\n\
_Written by `dhana ml evaluate-anomalies --seed {seed} --households {households}`; do not edit by \
hand._\n\n\
## What is served\n\
`GET /anomalies` (`backend/src/insights/anomalies.rs`): rules over robust statistics of the \
user's own history, no learned model.\n\
- **unusual amount**: a payment at least {times}× the merchant's median of its last 24 payments \
of the 400 days before (the category's when the merchant has fewer than 4) and at least {z} \
spreads above it in log space. The spread is the merchant's own scaled MAD blended with its \
category's, the category's counted as {weight} payments: a merchant's few payments say little \
about how much its amounts vary. The category's spread is the scaled MAD of its payments of the \
two years before around their own merchant's median (payments to merchants paid fewer than 4 \
times: around the median of all such payments of the category, so that a category of occasional \
shops has a spread too). Floored at 0.1 (a fixed price still allows small wobbles) and widened \
by √(1 + {widen:.2}/payments) for short histories. Median and MAD: one past outlier hides \
nothing.\n\
- **duplicate charge**: the same merchant and amount again within {dup} days, unless the merchant \
was paid the same amount twice in a row at least twice before (a habit).\n\
- **new merchant**: a first payment at least {newm}× the user's median payment of the year before \
(needs 90 days of ledger and 20 payments).\n\
- **bill missing / bill changed**: from the recurring series (missing past the cadence's grace; a \
price rise of 5% or more).\n\
- **category pace**: a category's month (so far) at least {pace}× its median month of the 6 \
before and 3 scaled MADs above, payments flagged on their own left out.\n\
At most {cap} are raised per calendar month, most severe first (severity from how many times \
the usual amount, then that ratio). A \"this is fine\" silences the same kind for the same \
merchant, series or category up to 1.25× the accepted amount.\n\n\
## Data\n\
{households} synthetic households (`forecast/households.rs`, seeds {seed}…, 36 months each), \
the last 12 months evaluated. Injected into each (`insights/injections.rs`): one spike of 3×, \
5× or 10× the merchant's median (in turn), one duplicate of a random payment 0–3 days later, \
one payment to a new merchant of 10–30× the median payment, and, where a monthly bill was paid \
in the window, its last payment removed (a missed bill).\n\n\
The generator makes outliers of its own, and labels them (`Household::outliers`): its irregular \
big purchases (5–12× the usual shopping amount) and every everyday or shopping payment whose \
random draw landed at least {tail} standard deviations above its usual level (log space; the \
December peak and the trend are part of the usual level, so a December dinner is not one). Such \
a payment is what this detector is for (an amount far outside the household's own history), so \
flagged, it counts as right (`natural`) for precision, not for recall. The line is the \
generator's own draw, never a detector's estimate, and the conventional three-sigma line, not \
tuned. `precision (injected only)` counts them as false alarms instead. Anything else flagged \
that was not injected counts as a false alarm, although some are real too (cancelled \
subscriptions).\n\n\
## Precision and recall at the shipped thresholds (after the monthly cap)\n\
| kind | labelled | flagged | matched | natural | precision | precision (injected only) | recall | F1 |\n\
|---|---|---|---|---|---|---|---|---|\n",
        seed = m.seed,
        households = m.households,
        times = t.unusual_times_median,
        z = t.unusual_robust_z,
        weight = t.unusual_category_weight,
        widen = t.unusual_small_sample,
        dup = t.duplicate_days,
        newm = t.new_merchant_times_median_payment,
        pace = t.category_pace_times_usual_month,
        cap = t.max_per_month,
        tail = households::TAIL_SIGMAS,
    );
    for (kind, s) in &m.by_kind {
        let _ = writeln!(
            out,
            "| {kind} | {} | {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} |",
            s.labelled,
            s.flagged,
            s.matched,
            s.natural,
            s.precision,
            s.precision_injected,
            s.recall,
            s.f1
        );
    }
    // The whole is judged on the stricter precision, the generator's own outliers counted as
    // false alarms, so that labelling them cannot be what meets the target.
    let met = |s: &KindScores| s.precision_injected >= TARGET && s.recall >= TARGET;
    let all = &m.by_kind["all"];
    let below: Vec<&str> = m
        .by_kind
        .iter()
        .filter(|(k, s)| *k != "all" && !met(s))
        .map(|(k, _)| k.as_str())
        .collect();
    let _ = write!(
        out,
        "\nTarget: precision and recall of at least {TARGET} at the shipped thresholds. \
Anomalies as a whole (all kinds; precision counting the generator's own outliers as false \
alarms, {:.3}; recall {:.3}): {}. Per kind: {}\n",
        all.precision_injected,
        all.recall,
        if met(all) { "met" } else { "not met" },
        if below.is_empty() {
            "met for every kind.".to_owned()
        } else {
            format!("not met for {} (see Limits).", below.join(", "))
        }
    );
    let listed = |map: &BTreeMap<String, f64>| {
        map.iter()
            .map(|(k, v)| format!("{k} {v:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = write!(
        out,
        "\nSpike recall by size: {} (before the monthly cap: {}).\n\n\
### Spikes found by category group and size\n\
How much a merchant's amounts vary decides what a spike of a given size is: a fixed bill paid 3× \
is far out, a dinner at 3× its median is ordinary (the generator's dining amounts spread 0.6 in \
log space, groceries 0.45, shopping 0.7).\n\n\
| group | 3× | 5× | 10× |\n\
|---|---|---|---|\n",
        listed(&m.spike_recall),
        listed(&m.spike_recall_before_cap),
    );
    for (group, sizes) in &m.spikes_by_group {
        let cell = |k: &str| {
            sizes.get(k).map_or("—".to_owned(), |c| {
                format!("{} of {}", c.found, c.injected)
            })
        };
        let _ = writeln!(
            out,
            "| {group} | {} | {} | {} |",
            cell("3x"),
            cell("5x"),
            cell("10x")
        );
    }
    let _ = write!(
        out,
        "\n## Alerts per user per month\n\
{:.3} in all (every kind, after the cap); by kind: {}. `bill_changed` and `category_pace` have \
no labels here, so they count only in this figure.\n\n\
## Limits\n\
- Recall of spikes is bounded by the amount alone, not by the rule. A spike of 3× in an \
everyday merchant (dining spread 0.6: 3× is 1.8 spreads above the median; groceries 0.45: 2.4) \
is inside its own history's range: with a spread of 0.6, 3.4% of ordinary payments are 3× the \
median or more, about 3 a year for a household eating out 90 times, against one injected spike \
a year. The loosest rules below (robust z 2) find more of them only by flagging several \
ordinary payments per household a year: no threshold on the amount reaches precision and \
recall of 0.8 together here, and the served rule keeps alerts rare instead.\n\
- Everyday amounts are judged against the merchant's year, so December's higher spending (the \
generator's 1.35× peak) makes some ordinary December payments look far out.\n\
- Histories start empty: nothing but duplicates is judged in a merchant's first payments, and \
nothing is \"new\" in a ledger's first 90 days.\n\
- Measured on synthetic households only; in them every grocer and restaurant draws from its \
category's amounts, while real merchants have levels of their own (a coffee shop, a \
restaurant), where a merchant's own history tells more. With the category's spread counted as \
{weight} payments, a merchant's own spread counts for little: a fixed-price merchant in a \
category whose amounts vary is judged by the category's spread, and a 3× charge there can go \
unraised (the candidates below show what the weight changes here).\n",
        m.alerts_per_user_month,
        listed(&m.alerts_per_user_month_by_kind),
        weight = m.thresholds.unusual_category_weight,
    );
    if let Some(first) = m.candidates.first() {
        let _ = write!(
            out,
            "\n## Unusual amount: every rule tried\n\
Measured on {} tuning households (seeds {TUNING_SEED}…), never on the evaluated ones above; the \
served rule is the best F1 here{}. Times the median: 3 for all. Widening: the c of \
√(1 + c/payments) (π/2 ≈ 1.57: the median's own uncertainty alone).\n\n\
| robust z | category weight | widening | precision | recall | F1 | 3× / 5× / 10× recall | alerts per user per month |\n\
|---|---|---|---|---|---|---|---|\n",
            first.households,
            if best_f1(&m.candidates) == Some(m.served_rule()) {
                ""
            } else {
                " (**it is not: `anomalies::UNUSUAL` needs updating**)"
            }
        );
        for c in &m.candidates {
            let recall = |k: &str| c.spike_recall.get(k).copied().unwrap_or(0.0);
            let served = c.rule == m.served_rule();
            let _ = writeln!(
                out,
                "| {}{} | {} | {:.2} | {:.3} | {:.3} | {:.3} | {:.3} / {:.3} / {:.3} | {:.3} |",
                c.rule.z,
                if served { " (served)" } else { "" },
                c.rule.category_weight,
                c.rule.small_sample,
                c.unusual_amount.precision,
                c.unusual_amount.recall,
                c.unusual_amount.f1,
                recall("3x"),
                recall("5x"),
                recall("10x"),
                c.alerts_per_user_month
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_by_hand() {
        let s = KindScores {
            labelled: 10,
            flagged: 8,
            matched: 5,
            natural: 1,
            ..KindScores::default()
        }
        .finish();
        assert_eq!(s.precision, 0.75);
        // The generator's own outliers counted as false alarms: 5 of 8.
        assert_eq!(s.precision_injected, 0.625);
        // Natural ones are right but were not injected: recall is over the injections.
        assert_eq!(s.recall, 0.5);
        // 2 × 0.75 × 0.5 / 1.25
        assert!((s.f1 - 0.6).abs() < 1e-12);
        assert_eq!(KindScores::default().finish().f1, 0.0);
    }

    #[test]
    fn a_small_run_finds_most_injections() {
        let m = run(7, 6);
        let all = &m.by_kind["all"];
        assert!(all.labelled >= 18, "{all:?}");
        assert!(all.matched > 0);
        assert!(m.alerts_per_user_month > 0.0);
    }
}
