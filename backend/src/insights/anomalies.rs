//! How anomalies are found in a ledger: plain Rust over ledger lines and recurring series.
//!
//! Five kinds, each with the numbers it rests on:
//! - **unusual amount**: a payment far above that merchant's own history (its last payments), or
//!   the category's when the merchant has too few. Robust statistics in log space: the distance
//!   from the median in units of the scaled median absolute deviation, so one past outlier
//!   moves neither and does not hide the next. A merchant's few payments say little about how
//!   much its amounts vary, so its spread is pulled towards its category's (the spread of every
//!   payment in the category around its own merchant's median, over the two years before;
//!   merchants paid only a few times pooled around their category's median).

//! - **duplicate charge**: the same merchant and amount again within a few days, unless that
//!   merchant is habitually paid the same amount twice in a row.
//! - **new merchant**: a first payment to a merchant never seen before that is large for this
//!   user (a multiple of their median payment).
//! - **bill missing / bill changed**: from the recurring series (`forecast::recurring`).
//! - **category pace**: a category's spending in a month (so far, for the month in progress)
//!   far above its usual month, not counting payments already flagged on their own.
//!
//! Money in is never a spending anomaly. Every threshold is relative to the user's own history.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::analytics::period::{first_of_month, last_of_month, shift_months};
use crate::forecast::bills::{Choice, RecurringSeries};
use crate::forecast::recurring::{label as name_of, line_key, ChangeKind, Direction, Line, Status};
use crate::money::format_minor;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
#[schema(as = AnomalyKind)]
pub enum Kind {
    UnusualAmount,
    DuplicateCharge,
    NewMerchant,
    BillMissing,
    BillChanged,
    CategoryPace,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::UnusualAmount,
        Kind::DuplicateCharge,
        Kind::NewMerchant,
        Kind::BillMissing,
        Kind::BillChanged,
        Kind::CategoryPace,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::UnusualAmount => "unusual_amount",
            Kind::DuplicateCharge => "duplicate_charge",
            Kind::NewMerchant => "new_merchant",
            Kind::BillMissing => "bill_missing",
            Kind::BillChanged => "bill_changed",
            Kind::CategoryPace => "category_pace",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = AnomalySeverity)]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// One anomaly as detection finds it: what the API shows (`Anomaly` adds the id and your
/// choice) and what ranking and dismissals need.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = AnomalyFound)]
pub struct Found {
    /// Stable across runs: kind and what it is about (a transaction, a series' expected date,
    /// a category's month).
    #[serde(skip)]
    pub key: String,
    pub kind: Kind,
    /// What "similar" means for dismissals: the merchant, series or category (with currency).
    #[serde(skip)]
    pub subject: String,
    /// The size a dismissal accepts: similar ones up to `ACCEPTED_BAND` times it stay quiet.
    #[serde(skip)]
    pub magnitude: i64,
    /// The payment's date, the day a missing bill was expected, or the last day a category's
    /// month was counted through.
    pub date: NaiveDate,
    pub severity: Severity,
    /// Orders anomalies of one severity: how far out it is.
    #[serde(skip)]
    pub score: f64,
    /// Signed minor units (negative: money out): the payment, the missing bill, or the
    /// category's spending in the month.
    pub amount: i64,
    pub currency: String,
    /// What was usual instead (signed): the median payment, the old price, the median month.
    pub usual_amount: Option<i64>,
    /// `amount / usual_amount`, two decimals.
    pub times_usual: Option<f64>,
    /// How many payments (or months) the usual figure comes from.
    pub based_on: usize,
    /// The reason, in numbers, e.g. "42.50 at Chipotle is 5.2 times its usual 8.10 (median of
    /// 14 payments)".
    pub message: String,
    pub merchant: Option<String>,
    pub category_id: Option<i64>,
    /// The recurring series it is about (`/recurring/{id}`).
    pub series_id: Option<i64>,
    /// The payments it is about (a duplicate: the earlier one first).
    pub transaction_ids: Vec<i64>,
}

/// Payments of a merchant that make its history; fewer fall back to the category's.
pub const MIN_HISTORY: usize = 4;
/// The most recent payments a merchant's history is taken from.
pub const HISTORY_PAYMENTS: usize = 24;
/// Category history needs more lines: it mixes merchants.
const MIN_CATEGORY_HISTORY: usize = 8;
/// How far back history reaches.
pub const HISTORY_DAYS: i64 = 400;
/// When a payment is an unusual amount: chosen on tuning households (`evaluate`), among the
/// candidates the model card lists.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct UnusualRule {
    /// Robust z (log space) from which an amount is unusual …
    pub z: f64,
    /// … and it must also be at least this many times the median: a tight history would
    /// otherwise flag small wobbles.
    pub times: f64,
    /// How many payments the category's spread counts as when it is blended with the
    /// merchant's own (0: the merchant's alone).
    pub category_weight: f64,
    /// The spread is widened by √(1 + this / payments) for a history of few payments: its
    /// median is uncertain (π/2 / payments is that variance for a normal sample) and so is its
    /// own MAD.
    pub small_sample: f64,
}

/// The rule served.
pub const UNUSUAL: UnusualRule = UnusualRule {
    z: 3.0,
    times: 3.0,
    category_weight: 1000.0,
    small_sample: 6.0,
};
/// Residuals a category's spread needs.
const MIN_CATEGORY_RESIDUALS: usize = 20;
/// How far back a category's spread is taken from: how much a category's payments vary
/// changes slowly, and a category paid once or twice a month (shopping) needs two years to
/// reach `MIN_CATEGORY_RESIDUALS`.
const SPREAD_DAYS: i64 = 2 * HISTORY_DAYS;
/// The spread below which a history counts as fixed (log units): a bill that never changed
/// price still allows ~10% wobble.
const MIN_LOG_SPREAD: f64 = 0.1;
/// The same amount again within this many days is a possible duplicate.
pub const DUPLICATE_DAYS: i64 = 3;
/// A first payment to a new merchant is large from this many times the user's median payment.
pub const NEW_MERCHANT_TIMES: f64 = 8.0;
/// The user's payments a "large" is judged against (the last year, at least this many).
const MIN_PAYMENTS_FOR_LARGE: usize = 20;
/// Price rises from this share are reported.
const PRICE_RISE: f64 = 0.05;
/// A month's category spending is far above usual from this many times the median month …
pub const PACE_TIMES: f64 = 1.6;
/// … and this many scaled deviations above it.
const PACE_Z: f64 = 3.0;
/// Months a category's usual month is taken from; at least `PACE_MIN_MONTHS` of them.
const PACE_MONTHS: i32 = 6;
const PACE_MIN_MONTHS: usize = 3;
/// At most this many anomalies per calendar month are raised: alert fatigue is a defect.
pub const MAX_PER_MONTH: usize = 4;
/// A dismissal accepts similar anomalies up to this many times its own size.
pub const ACCEPTED_BAND: f64 = 1.25;

/// MAD-to-standard-deviation factor for normally distributed data.
const MAD_SCALE: f64 = 1.4826;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        return 0.0;
    }
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Median and scaled median absolute deviation.
pub fn median_mad(values: &[f64]) -> (f64, f64) {
    let mut v = values.to_vec();
    let m = median(&mut v);
    let mut dev: Vec<f64> = values.iter().map(|x| (x - m).abs()).collect();
    (m, MAD_SCALE * median(&mut dev))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The median of positive minor-unit amounts, as the amount it stands for.
fn median_amount(amounts: &[i64]) -> i64 {
    let mut v: Vec<f64> = amounts.iter().map(|a| *a as f64).collect();
    median(&mut v).round() as i64
}

struct Context<'a> {
    from: NaiveDate,
    to: NaiveDate,
    rule: UnusualRule,
    /// Per currency and category: the spread (log space) of its payments around their own
    /// merchant's median, over the `HISTORY_DAYS` before `from`.
    category_spread: HashMap<(String, i64), f64>,
    /// Expenses (amount < 0), oldest first.
    expenses: Vec<&'a Line>,
    /// Indexes into `expenses` by currency and merchant key.
    by_merchant: HashMap<(String, String), Vec<usize>>,
}

/// Every anomaly dated from `from` through `to`, judged on `lines` (any order, the history
/// before `from` included) and the user's recurring `series` (as of `to`). Uncapped and
/// unranked: see `rank`.
pub fn detect(
    lines: &[Line],
    series: &[RecurringSeries],
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Found> {
    detect_with(lines, series, from, to, UNUSUAL)
}

/// `detect` with another rule for unusual amounts (the evaluation's candidates).
pub fn detect_with(
    lines: &[Line],
    series: &[RecurringSeries],
    from: NaiveDate,
    to: NaiveDate,
    rule: UnusualRule,
) -> Vec<Found> {
    let mut expenses: Vec<&Line> = lines
        .iter()
        .filter(|l| l.amount < 0 && l.date <= to)
        .collect();
    expenses.sort_by_key(|l| (l.date, l.id));
    let mut by_merchant: HashMap<(String, String), Vec<usize>> = HashMap::new();
    for (i, line) in expenses.iter().enumerate() {
        let key = line_key(line);
        if !key.is_empty() {
            by_merchant
                .entry((line.currency.clone(), key))
                .or_default()
                .push(i);
        }
    }
    let category_spread = category_spreads(&expenses, &by_merchant, from);
    let cx = Context {
        from,
        to,
        rule,
        category_spread,
        expenses,
        by_merchant,
    };
    let mut found = Vec::new();
    payments(&cx, &mut found);
    bills(series, from, to, &mut found);
    let flagged: Vec<i64> = found
        .iter()
        .flat_map(|f| f.transaction_ids.last().copied())
        .collect();
    pace(&cx, &flagged, &mut found);
    found
}

/// The spread of each category's payments around their merchant's median (merchants with
/// `MIN_HISTORY` payments in the `SPREAD_DAYS` before `from`), where there are enough.
/// Payments to merchants with fewer are taken around the median of all such payments of their
/// category: a category of occasional shops (a few payments each) still gets a spread, instead
/// of each shop's handful of payments standing for how much it varies.
fn category_spreads(
    expenses: &[&Line],
    by_merchant: &HashMap<(String, String), Vec<usize>>,
    from: NaiveDate,
) -> HashMap<(String, i64), f64> {
    let since = from - Duration::days(SPREAD_DAYS);
    let mut residuals: HashMap<(String, i64), Vec<f64>> = HashMap::new();
    let mut occasional: HashMap<(String, i64), Vec<f64>> = HashMap::new();
    for ((currency, _), idx) in by_merchant {
        let before: Vec<&Line> = idx
            .iter()
            .map(|&i| expenses[i])
            .filter(|l| l.date >= since && l.date < from)
            .collect();
        let logs: Vec<f64> = before.iter().map(|l| (-l.amount as f64).ln()).collect();
        let (center, _) = median_mad(&logs);
        for (line, log) in before.iter().zip(&logs) {
            let Some(category) = line.category_id else {
                continue;
            };
            let key = (currency.clone(), category);
            if before.len() >= MIN_HISTORY {
                residuals.entry(key).or_default().push(log - center);
            } else {
                occasional.entry(key).or_default().push(*log);
            }
        }
    }
    for (key, logs) in occasional {
        let (center, _) = median_mad(&logs);
        residuals
            .entry(key)
            .or_default()
            .extend(logs.iter().map(|l| l - center));
    }
    residuals
        .into_iter()
        .filter(|(_, r)| r.len() >= MIN_CATEGORY_RESIDUALS)
        .map(|(key, r)| {
            let mut dev: Vec<f64> = r.iter().map(|x| x.abs()).collect();
            (key, MAD_SCALE * median(&mut dev))
        })
        .collect()
}

fn in_period(cx: &Context, date: NaiveDate) -> bool {
    (cx.from..=cx.to).contains(&date)
}

/// Unusual amounts, duplicates and new merchants: one pass over each merchant's payments.
fn payments(cx: &Context, found: &mut Vec<Found>) {
    for ((currency, merchant), idx) in &cx.by_merchant {
        for (pos, &i) in idx.iter().enumerate() {
            let line = cx.expenses[i];
            if !in_period(cx, line.date) {
                continue;
            }
            let since = line.date - Duration::days(HISTORY_DAYS);
            let history: Vec<&Line> = idx[..pos]
                .iter()
                .rev()
                .map(|&j| cx.expenses[j])
                .take_while(|l| l.date >= since)
                .take(HISTORY_PAYMENTS)
                .collect();
            if let Some(f) = duplicate(line, &history, merchant) {
                found.push(f);
                continue;
            }
            if pos == 0 {
                if let Some(f) = new_merchant(cx, i, merchant) {
                    found.push(f);
                }
                continue;
            }
            if let Some(f) = unusual(cx, i, &history, currency, merchant) {
                found.push(f);
            }
        }
    }
}

fn duplicate(line: &Line, history: &[&Line], merchant: &str) -> Option<Found> {
    let earlier = history
        .iter()
        .find(|h| h.amount == line.amount && (line.date - h.date).num_days() <= DUPLICATE_DAYS)?;
    // A merchant paid the same amount twice in a row before (a daily coffee, a toll) is a habit.
    let habit = history
        .windows(2)
        .filter(|w| {
            w[0].amount == w[1].amount && (w[0].date - w[1].date).num_days() <= DUPLICATE_DAYS
        })
        .count();
    if habit >= 2 {
        return None;
    }
    let money = format_minor(-line.amount, &line.currency);
    let days = (line.date - earlier.date).num_days();
    Some(Found {
        key: format!("duplicate_charge|{}", line.id),
        kind: Kind::DuplicateCharge,
        subject: format!("{}|{merchant}", line.currency),
        magnitude: -line.amount,
        date: line.date,
        severity: Severity::Medium,
        score: 1.0,
        amount: line.amount,
        currency: line.currency.clone(),
        usual_amount: None,
        times_usual: None,
        based_on: 1,
        message: format!(
            "{money} at {} again {}: a possible duplicate of the payment on {}",
            name_of(line),
            match days {
                0 => "the same day".to_owned(),
                1 => "1 day later".to_owned(),
                d => format!("{d} days later"),
            },
            earlier.date.format("%-d %B %Y")
        ),
        merchant: Some(name_of(line)),
        category_id: line.category_id,
        series_id: None,
        transaction_ids: vec![earlier.id, line.id],
    })
}

/// The user's payments (positive minor units) in the year before `line` in its currency.
fn year_before(cx: &Context, i: usize) -> Vec<i64> {
    let line = cx.expenses[i];
    let since = line.date - Duration::days(365);
    cx.expenses[..i]
        .iter()
        .rev()
        .take_while(|l| l.date >= since)
        .filter(|l| l.currency == line.currency)
        .map(|l| -l.amount)
        .collect()
}

fn new_merchant(cx: &Context, i: usize, merchant: &str) -> Option<Found> {
    let line = cx.expenses[i];
    // Everything is new in the first months of a ledger.
    let first = cx.expenses.first()?.date;
    if (line.date - first).num_days() < 90 {
        return None;
    }
    let year = year_before(cx, i);
    if year.len() < MIN_PAYMENTS_FOR_LARGE {
        return None;
    }
    let usual = median_amount(&year).max(1);
    let times = -line.amount as f64 / usual as f64;
    if times < NEW_MERCHANT_TIMES {
        return None;
    }
    let largest = year.iter().copied().max().unwrap_or(0);
    let severity = if -line.amount > largest {
        Severity::High
    } else {
        Severity::Medium
    };
    let name = name_of(line);
    Some(Found {
        key: format!("new_merchant|{}", line.id),
        kind: Kind::NewMerchant,
        subject: format!("{}|{merchant}", line.currency),
        magnitude: -line.amount,
        date: line.date,
        severity,
        score: times,
        amount: line.amount,
        currency: line.currency.clone(),
        usual_amount: Some(-usual),
        times_usual: Some(round2(times)),
        based_on: year.len(),
        message: format!(
            "{} to {name}, a merchant you have not paid before, is {:.1} times your median \
             payment of {} (over {} payments in the year before)",
            format_minor(-line.amount, &line.currency),
            times,
            format_minor(usual, &line.currency),
            year.len()
        ),
        merchant: Some(name),
        category_id: line.category_id,
        series_id: None,
        transaction_ids: vec![line.id],
    })
}

fn unusual(
    cx: &Context,
    i: usize,
    history: &[&Line],
    currency: &str,
    merchant: &str,
) -> Option<Found> {
    let line = cx.expenses[i];
    let (amounts, whose): (Vec<i64>, String) = if history.len() >= MIN_HISTORY {
        (
            history.iter().map(|l| -l.amount).collect(),
            "its".to_owned(),
        )
    } else {
        let category = line.category_id?;
        let since = line.date - Duration::days(HISTORY_DAYS);
        let amounts: Vec<i64> = cx.expenses[..i]
            .iter()
            .rev()
            .take_while(|l| l.date >= since)
            .filter(|l| l.category_id == Some(category) && l.currency == currency)
            .take(HISTORY_PAYMENTS * 2)
            .map(|l| -l.amount)
            .collect();
        if amounts.len() < MIN_CATEGORY_HISTORY {
            return None;
        }
        (amounts, "the category's".to_owned())
    };
    let logs: Vec<f64> = amounts.iter().map(|a| (*a as f64).ln()).collect();
    let (center, own) = median_mad(&logs);
    let n = amounts.len() as f64;
    let weight = cx.rule.category_weight;
    let spread = match line
        .category_id
        .and_then(|c| cx.category_spread.get(&(currency.to_owned(), c)))
    {
        Some(pooled) if weight > 0.0 => {
            ((n * own * own + weight * pooled * pooled) / (n + weight)).sqrt()
        }
        _ => own,
    };
    let z = ((-line.amount) as f64).ln() - center;
    let z = z / (spread.max(MIN_LOG_SPREAD) * (1.0 + cx.rule.small_sample / n).sqrt());
    let usual = median_amount(&amounts).max(1);
    let times = -line.amount as f64 / usual as f64;
    if z < cx.rule.z || times < cx.rule.times {
        return None;
    }
    let severity = if times >= 8.0 {
        Severity::High
    } else if times >= 4.0 {
        Severity::Medium
    } else {
        Severity::Low
    };
    let name = name_of(line);
    Some(Found {
        key: format!("unusual_amount|{}", line.id),
        kind: Kind::UnusualAmount,
        subject: format!("{currency}|{merchant}"),
        magnitude: -line.amount,
        date: line.date,
        severity,
        score: times,
        amount: line.amount,
        currency: currency.to_owned(),
        usual_amount: Some(-usual),
        times_usual: Some(round2(times)),
        based_on: amounts.len(),
        message: format!(
            "{} at {name} is {:.1} times {whose} usual {} (median of {} payments)",
            format_minor(-line.amount, currency),
            times,
            format_minor(usual, currency),
            amounts.len()
        ),
        merchant: Some(name),
        category_id: line.category_id,
        series_id: None,
        transaction_ids: vec![line.id],
    })
}

fn bills(series: &[RecurringSeries], from: NaiveDate, to: NaiveDate, found: &mut Vec<Found>) {
    let period = from..=to;
    for s in series
        .iter()
        .filter(|s| s.direction == Direction::Expense && s.choice != Choice::Dismissed)
    {
        let subject = format!("series:{}", s.id);
        for change in &s.changes {
            if !period.contains(&change.change.date) {
                continue;
            }
            match change.change.kind {
                ChangeKind::Missing if s.status == Status::Missing => found.push(Found {
                    key: format!("bill_missing|{}|{}", s.id, change.change.date),
                    kind: Kind::BillMissing,
                    subject: subject.clone(),
                    magnitude: -s.typical_amount,
                    date: change.change.date,
                    severity: Severity::Medium,
                    score: 1.0,
                    amount: s.typical_amount,
                    currency: s.currency.clone(),
                    usual_amount: Some(s.typical_amount),
                    times_usual: None,
                    based_on: s.payments,
                    message: change.message.clone(),
                    merchant: Some(s.name.clone()),
                    category_id: s.category_id,
                    series_id: Some(s.id),
                    transaction_ids: s.transaction_ids.last().copied().into_iter().collect(),
                }),
                ChangeKind::PriceChange => {
                    let (Some(before), Some(after)) =
                        (change.change.from_amount, change.change.to_amount)
                    else {
                        continue;
                    };
                    // Both negative: a rise is a more negative amount.
                    let rise = after as f64 / before as f64 - 1.0;
                    if rise < PRICE_RISE {
                        continue;
                    }
                    let at = s
                        .transaction_ids
                        .iter()
                        .copied()
                        .rev()
                        .take(1)
                        .collect::<Vec<_>>();
                    found.push(Found {
                        key: format!("bill_changed|{}|{}", s.id, change.change.date),
                        kind: Kind::BillChanged,
                        subject: subject.clone(),
                        magnitude: -after,
                        date: change.change.date,
                        severity: if rise >= 0.2 {
                            Severity::Medium
                        } else {
                            Severity::Low
                        },
                        score: rise,
                        amount: after,
                        currency: s.currency.clone(),
                        usual_amount: Some(before),
                        times_usual: Some(round2(after as f64 / before as f64)),
                        based_on: s.payments,
                        message: change.message.clone(),
                        merchant: Some(s.name.clone()),
                        category_id: s.category_id,
                        series_id: Some(s.id),
                        transaction_ids: at,
                    })
                }
                ChangeKind::Missing => {}
            }
        }
    }
}

fn pace(cx: &Context, flagged: &[i64], found: &mut Vec<Found>) {
    // Spending per currency, category and month, payments flagged on their own left out so
    // that one spike is not reported twice.
    let mut months: BTreeMap<(String, i64), BTreeMap<NaiveDate, i64>> = BTreeMap::new();
    let first_month = shift_months(cx.from, -PACE_MONTHS);
    for line in &cx.expenses {
        let Some(category) = line.category_id else {
            continue;
        };
        if line.date < first_month || flagged.contains(&line.id) {
            continue;
        }
        let slot = months
            .entry((line.currency.clone(), category))
            .or_default()
            .entry(first_of_month(line.date))
            .or_insert(0);
        *slot = slot.saturating_add(-line.amount);
    }
    let history_start = cx.expenses.first().map(|l| first_of_month(l.date));
    let Some(history_start) = history_start else {
        return;
    };
    let mut month = first_of_month(cx.from);
    while month <= cx.to {
        let through = last_of_month(month).min(cx.to);
        for ((currency, category), totals) in &months {
            let spent = totals.get(&month).copied().unwrap_or(0);
            if spent == 0 {
                continue;
            }
            // Zero months count: a category usually empty has a usual month of zero.
            let before: Vec<i64> = (1..=PACE_MONTHS)
                .map(|k| shift_months(month, -k))
                .filter(|m| *m >= history_start)
                .map(|m| totals.get(&m).copied().unwrap_or(0))
                .collect();
            if before.len() < PACE_MIN_MONTHS {
                continue;
            }
            let values: Vec<f64> = before.iter().map(|v| *v as f64).collect();
            let (usual, spread) = median_mad(&values);
            // An irregular category (usual month zero: travel, big purchases) has no pace.
            if usual <= 0.0 {
                continue;
            }
            let times = spent as f64 / usual;
            let z = (spent as f64 - usual) / spread.max(0.1 * usual);
            if times < PACE_TIMES || z < PACE_Z {
                continue;
            }
            let usual_minor = usual.round() as i64;
            let in_progress = through < last_of_month(month);
            found.push(Found {
                key: format!(
                    "category_pace|{currency}|{category}|{}",
                    month.format("%Y-%m")
                ),
                kind: Kind::CategoryPace,
                subject: format!("{currency}|category:{category}"),
                magnitude: spent,
                date: through,
                severity: if times >= 2.5 {
                    Severity::Medium
                } else {
                    Severity::Low
                },
                score: times,
                amount: -spent,
                currency: currency.clone(),
                usual_amount: Some(-usual_minor),
                times_usual: Some(round2(times)),
                based_on: before.len(),
                message: format!(
                    "{} spent in this category {} {} is {:.1} times its usual month of {} \
                     (median of the {} months before)",
                    format_minor(spent, currency),
                    if in_progress { "so far in" } else { "in" },
                    month.format("%B %Y"),
                    times,
                    format_minor(usual_minor, currency),
                    before.len()
                ),
                merchant: None,
                category_id: Some(*category),
                series_id: None,
                transaction_ids: Vec::new(),
            });
        }
        month = shift_months(month, 1);
    }
}

/// Whether `found` is like an anomaly the user accepted (same kind and subject, no larger
/// than the accepted size times `ACCEPTED_BAND`).
pub fn accepted(found: &Found, kind: &str, subject: &str, magnitude: i64) -> bool {
    found.kind.as_str() == kind
        && found.subject == subject
        && found.magnitude as f64 <= magnitude as f64 * ACCEPTED_BAND
}

/// Most severe first, then the furthest out, then the newest; at most `MAX_PER_MONTH` per
/// calendar month of their dates.
pub fn rank(mut found: Vec<Found>) -> Vec<Found> {
    found.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.score.total_cmp(&a.score))
            .then(b.date.cmp(&a.date))
            .then(a.key.cmp(&b.key))
    });
    let mut per_month: HashMap<(i32, u32), usize> = HashMap::new();
    found.retain(|f| {
        let n = per_month
            .entry((f.date.year(), f.date.month()))
            .or_insert(0);
        *n += 1;
        *n <= MAX_PER_MONTH
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::day;

    fn line(id: i64, date: NaiveDate, amount: i64, description: &str) -> Line {
        Line {
            id,
            account_id: 1,
            date,
            amount,
            currency: "USD".into(),
            description: description.into(),
            merchant: None,
            category_id: Some(1),
        }
    }

    /// Weekly payments at `amounts` (cycled) from 2 February 2026, ids from 1.
    fn weekly(amounts: &[i64], n: usize, what: &str) -> Vec<Line> {
        (0..n)
            .map(|i| {
                line(
                    i as i64 + 1,
                    day(2026, 2, 2) + Duration::days(7 * i as i64),
                    amounts[i % amounts.len()],
                    what,
                )
            })
            .collect()
    }

    #[test]
    fn median_and_mad_by_hand() {
        // Sorted 1 2 3 4 100: median 3; deviations 2 1 0 1 97 → sorted 0 1 1 2 97: MAD 1.
        let (m, s) = median_mad(&[4.0, 1.0, 100.0, 3.0, 2.0]);
        assert_eq!(m, 3.0);
        assert!((s - 1.4826).abs() < 1e-12);
        assert_eq!(median_mad(&[]), (0.0, 0.0));
    }

    #[test]
    fn a_category_spread_pools_its_occasional_merchants() {
        let from = day(2026, 6, 1);
        let at = |k: i64| from - Duration::days(10 + k);
        // A regular grocer, 6 × 10.00 and 6 × 40.00: median 20.00 (between the two), every
        // payment ln 2 from it.
        let mut lines: Vec<Line> = (0..12)
            .map(|k| {
                line(
                    k + 1,
                    at(k),
                    if k < 6 { -1000 } else { -4000 },
                    "REGULAR GROCER",
                )
            })
            .collect();
        // Neither a later payment nor one older than two years counts.
        lines.push(line(
            50,
            from + Duration::days(1),
            -1_000_000,
            "REGULAR GROCER",
        ));
        lines.push(line(
            51,
            from - Duration::days(801),
            -1_000_000,
            "REGULAR GROCER",
        ));
        let spreads = |lines: &[Line]| {
            let mut expenses: Vec<&Line> = lines.iter().collect();
            expenses.sort_by_key(|l| (l.date, l.id));
            let mut by_merchant: HashMap<(String, String), Vec<usize>> = HashMap::new();
            for (i, l) in expenses.iter().enumerate() {
                by_merchant
                    .entry((l.currency.clone(), line_key(l)))
                    .or_default()
                    .push(i);
            }
            category_spreads(&expenses, &by_merchant, from)
        };
        // 12 residuals: fewer than the 20 a spread needs.
        assert!(spreads(&lines).is_empty());
        // Nine shops paid once each (4 × 10.00, 20.00, 4 × 40.00): taken around their own
        // median, 20.00, so 4 × ln 2, 0, 4 × ln 2. With the grocer's 12: 21 residuals, 20 of
        // them ln 2 away: MAD ln 2, scaled 1.4826 × 0.6931472 = 1.0276600.
        for (k, amount) in [
            -1000, -1000, -1000, -1000, -2000, -4000, -4000, -4000, -4000,
        ]
        .into_iter()
        .enumerate()
        {
            let name = [
                "ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT", "GOLF", "HOTEL", "INDIA",
            ][k];
            lines.push(line(100 + k as i64, at(20 + k as i64), amount, name));
        }
        let spread = spreads(&lines)[&("USD".to_owned(), 1)];
        assert!((spread - 1.027_660).abs() < 1e-6, "{spread}");
    }

    #[test]
    fn one_past_outlier_does_not_hide_the_next() {
        let mut lines = weekly(&[-4000, -4500, -5000, -4200, -4800], 20, "GREEN GROCER");
        let last = lines.last().unwrap().date;
        lines.push(line(100, last + Duration::days(3), -45000, "GREEN GROCER"));
        lines.push(line(101, last + Duration::days(6), -22500, "GREEN GROCER"));
        let found = detect(
            &lines,
            &[],
            last + Duration::days(1),
            last + Duration::days(6),
        );
        let ids: Vec<i64> = found.iter().map(|f| f.transaction_ids[0]).collect();
        assert_eq!(ids, [100, 101]);
        // 21 payments before the second; the median of 4 × (40, 42, 45, 48, 50) and 450 is 45.
        let second = &found[1];
        assert_eq!(second.usual_amount, Some(-4500));
        assert_eq!(second.times_usual, Some(5.0));
        assert_eq!(second.based_on, 21);
        assert_eq!(found[0].severity, Severity::High);
        assert_eq!(second.severity, Severity::Medium);
    }

    #[test]
    fn ordinary_wobble_is_not_unusual() {
        let mut lines = weekly(&[-4000, -4500, -5000, -4200, -4800], 20, "GREEN GROCER");
        let last = lines.last().unwrap().date;
        // 2.2 times: past the log-space z but below UNUSUAL_TIMES.
        lines.push(line(100, last + Duration::days(3), -9900, "GREEN GROCER"));
        assert!(detect(&lines, &[], day(2026, 1, 1), last + Duration::days(3)).is_empty());
    }

    #[test]
    fn a_merchant_with_little_history_is_judged_by_its_category() {
        let mut lines = weekly(&[-1000, -1200, -1100], 12, "CAFE ONE");
        let last = lines.last().unwrap().date;
        lines.push(line(50, last + Duration::days(1), -900, "CAFE TWO"));
        lines.push(line(51, last + Duration::days(2), -6600, "CAFE TWO"));
        let found = detect(&lines, &[], last, last + Duration::days(2));
        assert_eq!(found.len(), 1);
        // The category's 13 payments before: 4 × 10, 4 × 12, 4 × 11 and 9 → median 11.
        assert_eq!(found[0].usual_amount, Some(-1100));
        assert_eq!(found[0].times_usual, Some(6.0));
        assert!(found[0].message.contains("the category's usual 11.00"));
    }

    #[test]
    fn duplicates_but_not_habits() {
        let mut lines = weekly(&[-3000], 3, "HARDWARE HUT");
        lines.push(line(10, day(2026, 2, 18), -3000, "HARDWARE HUT"));
        let found = detect(&lines, &[], day(2026, 2, 1), day(2026, 3, 1));
        let dups: Vec<_> = found
            .iter()
            .filter(|f| f.kind == Kind::DuplicateCharge)
            .collect();
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].transaction_ids, [3, 10]);
        // A toll paid at the same price most days is a habit after two repeats.
        let daily: Vec<Line> = (0..6)
            .map(|i| line(i, day(2026, 3, 1) + Duration::days(i), -250, "CITY TOLL"))
            .collect();
        let found = detect(&daily, &[], day(2026, 3, 1), day(2026, 3, 31));
        let ids: Vec<i64> = found.iter().map(|f| f.transaction_ids[1]).collect();
        assert_eq!(ids, [1, 2]);
    }

    #[test]
    fn a_large_first_payment_to_a_new_merchant() {
        // 30 payments of 20.00 over 30 weeks, then 200.00 (10×) and 100.00 (5×) to new shops.
        let mut lines = weekly(&[-2000], 30, "CORNER SHOP");
        let last = lines.last().unwrap().date;
        // In a category of their own: this test is not about the month's pace.
        for (id, days, amount, what) in [
            (100, 1, -20000, "TV WAREHOUSE"),
            (101, 2, -10000, "SHOE PALACE"),
        ] {
            let mut l = line(id, last + Duration::days(days), amount, what);
            l.category_id = Some(2);
            lines.push(l);
        }
        let found = detect(
            &lines,
            &[],
            last + Duration::days(1),
            last + Duration::days(2),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, Kind::NewMerchant);
        assert_eq!(found[0].transaction_ids, [100]);
        assert_eq!(found[0].times_usual, Some(10.0));
        assert_eq!(found[0].based_on, 30);
        // Larger than any payment of the year before.
        assert_eq!(found[0].severity, Severity::High);
    }

    #[test]
    fn money_in_is_never_an_anomaly() {
        let mut lines = weekly(&[-4000], 10, "GREEN GROCER");
        lines.push(line(100, day(2026, 4, 20), 400_000, "GREEN GROCER"));
        lines.push(line(101, day(2026, 4, 21), 400_000, "GREEN GROCER"));
        assert!(detect(&lines, &[], day(2026, 4, 1), day(2026, 4, 30)).is_empty());
    }

    #[test]
    fn a_category_month_far_above_usual() {
        // Six months of 4 × 50.00 in category 1, then a month of 10 × 50.00: 500 against 200.
        let mut lines = Vec::new();
        for m in 0..7 {
            let n = if m == 6 { 10 } else { 4 };
            for k in 0..n {
                let id = (m * 100 + k) as i64;
                let date = shift_months(day(2026, 1, 1), m) + Duration::days(k as i64 * 2);
                lines.push(line(
                    id,
                    date,
                    -5000,
                    [
                        "ALPHA MART",
                        "BETA MART",
                        "GAMMA MART",
                        "DELTA MART",
                        "OMEGA MART",
                    ][k as usize % 5],
                ));
            }
        }
        let found = detect(&lines, &[], day(2026, 7, 1), day(2026, 7, 31));
        let pace: Vec<_> = found
            .iter()
            .filter(|f| f.kind == Kind::CategoryPace)
            .collect();
        assert_eq!(pace.len(), 1, "{found:?}");
        assert_eq!(pace[0].amount, -50000);
        assert_eq!(pace[0].usual_amount, Some(-20000));
        assert_eq!(pace[0].times_usual, Some(2.5));
        assert_eq!(pace[0].severity, Severity::Medium);
        assert_eq!(pace[0].key, "category_pace|USD|1|2026-07");
    }

    #[test]
    fn a_missing_bill_and_a_price_rise_from_the_series() {
        use crate::forecast::bills::unstored;
        use crate::forecast::recurring;
        let lines: Vec<Line> = (0..6)
            .map(|i| {
                let date = shift_months(day(2026, 1, 5), i) + Duration::days(4);
                line(
                    i as i64 + 1,
                    date,
                    if i < 4 { -1000 } else { -1300 },
                    "CITY GYM",
                )
            })
            .collect();
        // Paid on the 5th, Jan to June, 13.00 from May; 5 July expected, missing after the 12th.
        let today = day(2026, 7, 20);
        let series: Vec<RecurringSeries> = recurring::detect(&lines, today)
            .into_iter()
            .enumerate()
            .map(|(i, s)| unstored(s, i as i64 + 1))
            .collect();
        let found = detect(&lines, &series, day(2026, 5, 1), today);
        let kinds: Vec<(Kind, NaiveDate)> = found.iter().map(|f| (f.kind, f.date)).collect();
        assert_eq!(
            kinds,
            [
                (Kind::BillChanged, day(2026, 5, 5)),
                (Kind::BillMissing, day(2026, 7, 5))
            ]
        );
        assert_eq!(found[0].times_usual, Some(1.3));
        assert_eq!(found[0].severity, Severity::Medium);
        assert_eq!(found[1].subject, "series:1");
    }

    #[test]
    fn rank_caps_each_month() {
        let one = |key: &str, date: NaiveDate, severity: Severity, score: f64| Found {
            key: key.into(),
            kind: Kind::UnusualAmount,
            subject: String::new(),
            magnitude: 1,
            date,
            severity,
            score,
            amount: -1,
            currency: "USD".into(),
            usual_amount: None,
            times_usual: None,
            based_on: 0,
            message: String::new(),
            merchant: None,
            category_id: None,
            series_id: None,
            transaction_ids: Vec::new(),
        };
        let mut found: Vec<Found> = (0..6)
            .map(|i| {
                one(
                    &format!("a{i}"),
                    day(2026, 3, 1 + i),
                    Severity::Low,
                    i as f64,
                )
            })
            .collect();
        found.push(one("high", day(2026, 3, 20), Severity::High, 0.0));
        found.push(one("april", day(2026, 4, 2), Severity::Low, 0.0));
        let keys: Vec<String> = rank(found).into_iter().map(|f| f.key).collect();
        assert_eq!(keys, ["high", "a5", "a4", "a3", "april"]);
    }

    #[test]
    fn accepted_within_the_band_only() {
        let lines = {
            let mut l = weekly(&[-4000], 10, "GREEN GROCER");
            l.push(line(100, day(2026, 4, 20), -20000, "GREEN GROCER"));
            l
        };
        let f = &detect(&lines, &[], day(2026, 4, 1), day(2026, 4, 30))[0];
        assert!(accepted(f, "unusual_amount", "USD|green grocer", 16000));
        assert!(!accepted(f, "unusual_amount", "USD|green grocer", 15999));
        assert!(!accepted(f, "duplicate_charge", "USD|green grocer", 20000));
        assert!(!accepted(f, "unusual_amount", "USD|other", 20000));
    }
}
