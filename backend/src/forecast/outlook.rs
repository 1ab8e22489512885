//! How a user's month ahead is forecast: spending per expense category and in total, income
//! and net savings, each with an 80% interval; the pace of the month in progress; and each
//! account's balance day by day.
//!
//! Every figure splits into what is known and what is not. Recurring bills and income
//! (`recurring`) expected in the month are known; the rest of each month's history (the
//! variable part) is forecast by `monthly`, and the known amounts are added to its point and
//! interval. Only complete months in the base currency count; months without spending count
//! as zero.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::analytics::period::{first_of_month, last_of_month, month_label, shift_months};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::forecast::bills::{self, Choice, Choices, Ledgers, RecurringSeries};
use crate::forecast::learned::ForecastModel;
use crate::forecast::monthly::{self, Backtest, Method, Parts, Role, Target};
use crate::forecast::recurring::{self, AmountKind, Direction, Line, Status};
use crate::forecast::NotEnoughData;
use crate::ledger::categories::{self, Category};
use crate::ledger::{accounts, cache};

/// A category's forecast (or the total's, income's, net savings').
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(example = json!({"category_id": 3, "name": "Dining", "amount": 31250, "low": 24000,
    "high": 39800, "known_amount": 0, "method": "mean3", "basis": "the mean of the last 3 \
    months, the baseline with the smallest error on this series' own past; the 80% interval is \
    its past errors' 10th–90th percentile × 1.21, the factor that made such intervals cover \
    80% of months on the synthetic households it was fitted on", "backtests": [{"method": "mean3",
    "origins": 12, "mae": 4210.5, "mase": 0.81}], "not_enough_data": null}))]
#[schema(as = ForecastItem)]
pub struct Item {
    /// `null` for uncategorized spending and for the totals.
    pub category_id: Option<i64>,
    pub name: String,
    /// The forecast, minor units: spending and income positive, net savings signed.
    pub amount: Option<i64>,
    /// The 80% interval.
    pub low: Option<i64>,
    pub high: Option<i64>,
    /// The part made of recurring bills (or income) expected in the month.
    pub known_amount: i64,
    /// The baseline chosen for the variable part: the one with the smallest backtest error.
    pub method: Option<Method>,
    /// What the forecast rests on: the baseline or the learned model, and how the interval
    /// was calibrated.
    pub basis: Option<String>,
    /// Every baseline's backtest on this series' variable part.
    pub backtests: Vec<Backtest>,
    pub not_enough_data: Option<NotEnoughData>,
    /// The forecast of the variable part before the artifact was applied (for the evaluation).
    #[serde(skip)]
    pub parts: Option<Parts>,
}

/// The month in progress at its pace so far.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = ForecastPaceItem)]
pub struct PaceItem {
    pub category_id: Option<i64>,
    pub name: String,
    /// Spent from the 1st through today.
    pub spent: i64,
    /// `spent` × days in the month ÷ days so far.
    pub at_this_pace: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = ForecastPace)]
pub struct Pace {
    pub days_elapsed: u32,
    pub days_in_month: u32,
    pub total: PaceItem,
    /// Categories with spending this month, most first.
    pub categories: Vec<PaceItem>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = ForecastOutlook)]
pub struct Outlook {
    /// The month forecast, `YYYY-MM`.
    pub month: String,
    pub currency: String,
    /// Complete months of history the forecast rests on.
    pub history_months: u32,
    pub spending: Item,
    pub income: Item,
    /// Income − spending.
    pub net: Item,
    /// Expense categories with spending in the history, largest forecast first.
    pub categories: Vec<Item>,
    /// For the month in progress.
    pub pace: Option<Pace>,
    pub not_enough_data: Option<NotEnoughData>,
}

/// A monthly series split into its whole and the part recurring series explain.
#[derive(Clone, Debug, Default)]
struct Split {
    total: Vec<i64>,
    known: Vec<i64>,
}

impl Split {
    fn new(months: usize) -> Self {
        Split {
            total: vec![0; months],
            known: vec![0; months],
        }
    }

    fn add(&mut self, month: usize, amount: i64, known: bool) {
        self.total[month] = self.total[month].saturating_add(amount);
        if known {
            self.known[month] = self.known[month].saturating_add(amount);
        }
    }

    fn variable(&self) -> Vec<i64> {
        self.total
            .iter()
            .zip(&self.known)
            .map(|(t, k)| t.saturating_sub(*k))
            .collect()
    }
}

/// What a line counts as: spending in a category (positive when money goes out), or income.
enum Flow {
    Spending(Option<i64>, i64),
    Income(i64),
}

fn flow(line: &Line, kinds: &HashMap<i64, &str>) -> Option<Flow> {
    match line.category_id.and_then(|c| kinds.get(&c).copied()) {
        Some("expense") => Some(Flow::Spending(
            line.category_id,
            line.amount.saturating_neg(),
        )),
        Some("income") => Some(Flow::Income(line.amount)),
        Some(_) => None,
        // Uncategorized: the sign says which it is.
        None if line.amount < 0 => Some(Flow::Spending(None, line.amount.saturating_neg())),
        None => Some(Flow::Income(line.amount)),
    }
}

fn months_between(first: NaiveDate, month: NaiveDate) -> usize {
    ((month.year() - first.year()) * 12 + month.month() as i32 - first.month() as i32).max(0)
        as usize
}

/// The forecast for `target` (the first day of the month in progress or of the next one).
pub fn outlook(
    lines: &[Line],
    categories: &[Category],
    series: &[RecurringSeries],
    currency: &str,
    today: NaiveDate,
    target: NaiveDate,
) -> Outlook {
    let current = first_of_month(today);
    let horizon = months_between(current, target) + 1;
    let lines: Vec<&Line> = lines.iter().filter(|l| l.currency == currency).collect();
    let first = lines.iter().map(|l| first_of_month(l.date)).min();
    // Complete months: from the first with a transaction through last month.
    let months = first.map_or(0, |f| months_between(f, current));
    let start = first.unwrap_or(current);
    // Only fixed-amount series are known: a varying bill (heating) follows the seasons, which
    // its recent median does not, so it is forecast with the variable rest (measured: the
    // seasonal-bill group's MASE fell from 1.76 to the seasonal baseline's once they were).
    let counted: Vec<&RecurringSeries> = series
        .iter()
        .filter(|s| {
            s.currency == currency
                && s.choice != Choice::Dismissed
                && s.amount_kind == AmountKind::Fixed
        })
        .collect();
    let recurring_ids: HashSet<i64> = counted
        .iter()
        .flat_map(|s| s.transaction_ids.iter().copied())
        .collect();
    let kinds: HashMap<i64, &str> = categories.iter().map(|c| (c.id, c.kind.as_str())).collect();
    let names: HashMap<i64, &str> = categories.iter().map(|c| (c.id, c.name.as_str())).collect();

    let mut spending: BTreeMap<Option<i64>, Split> = BTreeMap::new();
    let mut total = Split::new(months);
    let mut income = Split::new(months);
    let mut known_in_target: HashMap<Option<i64>, i64> = HashMap::new();
    let mut known_income_in_target = 0i64;
    let mut pace_spent: BTreeMap<Option<i64>, i64> = BTreeMap::new();
    let target_end = last_of_month(target);
    for line in &lines {
        let Some(flow) = flow(line, &kinds) else {
            continue;
        };
        let known = recurring_ids.contains(&line.id);
        let month = first_of_month(line.date);
        if month < current {
            let m = months_between(start, month);
            match flow {
                Flow::Spending(c, amount) => {
                    spending
                        .entry(c)
                        .or_insert_with(|| Split::new(months))
                        .add(m, amount, known);
                    total.add(m, amount, known);
                }
                Flow::Income(amount) => income.add(m, amount, known),
            }
        } else if month == current {
            if let Flow::Spending(c, amount) = flow {
                let spent = pace_spent.entry(c).or_default();
                *spent = spent.saturating_add(amount);
            }
        }
        // Recurring payments already made in the target month are known for it.
        if known && month == target {
            match flow {
                Flow::Spending(c, amount) => {
                    let known = known_in_target.entry(c).or_default();
                    *known = known.saturating_add(amount);
                }
                Flow::Income(amount) => {
                    known_income_in_target = known_income_in_target.saturating_add(amount)
                }
            }
        }
    }
    // Recurring payments still expected in the target month.
    for s in counted.iter().filter(|s| s.status == Status::Active) {
        let Some(next) = s.next_date else { continue };
        let dates = recurring::expected(s.cadence, next, s.day_of_month, target_end);
        let due = dates.iter().filter(|d| **d >= target).count() as i64;
        let amount = s
            .next_amount
            .unwrap_or(s.typical_amount)
            .saturating_mul(due);
        match s.direction {
            Direction::Expense => {
                let known = known_in_target.entry(s.category_id).or_default();
                *known = known.saturating_sub(amount);
            }
            Direction::Income => {
                known_income_in_target = known_income_in_target.saturating_add(amount)
            }
        }
    }
    let known_total = known_in_target
        .values()
        .fold(0i64, |sum, v| sum.saturating_add(*v));

    let name = |c: Option<i64>| {
        c.and_then(|c| names.get(&c).map(|n| n.to_string()))
            .unwrap_or_else(|| "Uncategorized".into())
    };
    let item = |category_id: Option<i64>, name: String, split: &Split, known: i64, role: Role| {
        let mut item = Item {
            category_id,
            name,
            amount: None,
            low: None,
            high: None,
            known_amount: known,
            method: None,
            basis: None,
            backtests: Vec::new(),
            not_enough_data: None,
            parts: None,
        };
        let at = Target {
            month: target.month(),
            known,
            role,
        };
        match monthly::forecast(&split.variable(), horizon, at, ForecastModel::shipped()) {
            Ok(f) => {
                item.amount = Some(f.amount.saturating_add(known));
                item.low = Some(f.low.saturating_add(known));
                item.high = Some(f.high.saturating_add(known));
                item.method = Some(f.method);
                item.basis = Some(f.basis);
                item.backtests = f.backtests;
                item.parts = Some(f.parts);
            }
            Err(missing) => item.not_enough_data = Some(missing),
        }
        item
    };
    let net_split = Split {
        total: income
            .total
            .iter()
            .zip(&total.total)
            .map(|(i, s)| i.saturating_sub(*s))
            .collect(),
        known: income
            .known
            .iter()
            .zip(&total.known)
            .map(|(i, s)| i.saturating_sub(*s))
            .collect(),
    };
    let mut category_items: Vec<Item> = spending
        .iter()
        .map(|(c, split)| {
            let known = known_in_target.get(c).copied().unwrap_or(0);
            item(*c, name(*c), split, known, Role::Category)
        })
        .collect();
    category_items.sort_by(|a, b| b.amount.cmp(&a.amount).then_with(|| a.name.cmp(&b.name)));

    let pace = (target == current).then(|| {
        let days_elapsed = today.day();
        let days_in_month = last_of_month(today).day();
        let at_pace = |spent: i64| -> i64 {
            let v = i128::from(spent) * i128::from(days_in_month);
            let d = i128::from(days_elapsed);
            i64::try_from((2 * v + d * v.signum()) / (2 * d)).unwrap_or(i64::MAX)
        };
        let pace_item = |category_id: Option<i64>, name: String, spent: i64| PaceItem {
            category_id,
            name,
            spent,
            at_this_pace: at_pace(spent),
        };
        let mut categories: Vec<PaceItem> = pace_spent
            .iter()
            .filter(|(_, spent)| **spent != 0)
            .map(|(c, spent)| pace_item(*c, name(*c), *spent))
            .collect();
        categories.sort_by(|a, b| b.spent.cmp(&a.spent).then_with(|| a.name.cmp(&b.name)));
        Pace {
            days_elapsed,
            days_in_month,
            total: pace_item(
                None,
                "Total".into(),
                pace_spent
                    .values()
                    .fold(0i64, |sum, v| sum.saturating_add(*v)),
            ),
            categories,
        }
    });

    Outlook {
        month: month_label(target),
        currency: currency.to_owned(),
        history_months: months as u32,
        spending: item(
            None,
            "Total".into(),
            &total,
            known_total,
            Role::TotalSpending,
        ),
        income: item(
            None,
            "Income".into(),
            &income,
            known_income_in_target,
            Role::IncomeOrNet,
        ),
        net: item(
            None,
            "Net savings".into(),
            &net_split,
            known_income_in_target.saturating_sub(known_total),
            Role::IncomeOrNet,
        ),
        categories: category_items,
        pace,
        not_enough_data: NotEnoughData::check(monthly::NEEDS_MONTHS as u32, months as u32),
    }
}

/// The month in progress and the next are the months a forecast is given for.
pub fn target_month(today: NaiveDate, month: Option<NaiveDate>) -> Option<NaiveDate> {
    let current = first_of_month(today);
    match month {
        None => Some(shift_months(current, 1)),
        Some(m) if m == current || m == shift_months(current, 1) => Some(m),
        Some(_) => None,
    }
}

/// One day of an account's projected balance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct BalanceDay {
    pub date: NaiveDate,
    pub balance: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AccountProjection {
    pub account_id: i64,
    pub name: String,
    pub currency: String,
    /// Today's balance.
    pub balance: i64,
    /// Mean daily money in minus out over the last 90 days, recurring payments left out: the
    /// variable part spread over the days ahead.
    pub variable_per_day: i64,
    /// Recurring bills and income expected on this account, by date.
    pub known: Vec<KnownPayment>,
    /// Today and each day ahead.
    pub days: Vec<BalanceDay>,
    /// The lowest projected balance and its first day.
    pub low: BalanceDay,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct KnownPayment {
    pub series_id: i64,
    pub name: String,
    pub date: NaiveDate,
    pub amount: i64,
}

/// Days of history the variable daily flow is taken from.
pub const VARIABLE_DAYS: i64 = 90;

/// An account's balance for `days` days after `today`: recurring payments of series last paid
/// from it on their expected dates, and its variable flow spread evenly (cumulated and rounded
/// per day, so no rounding drift builds up).
pub fn project(
    account: (i64, &str, &str, i64),
    lines: &[Line],
    series: &[RecurringSeries],
    today: NaiveDate,
    days: i64,
) -> AccountProjection {
    let (account_id, name, currency, balance) = account;
    let counted: Vec<&RecurringSeries> = series
        .iter()
        .filter(|s| s.account_id == account_id && s.choice != Choice::Dismissed)
        .collect();
    let recurring_ids: HashSet<i64> = counted
        .iter()
        .flat_map(|s| s.transaction_ids.iter().copied())
        .collect();
    let since = today - Duration::days(VARIABLE_DAYS);
    let variable: i128 = lines
        .iter()
        .filter(|l| {
            l.account_id == account_id
                && l.date > since
                && l.date <= today
                && !recurring_ids.contains(&l.id)
        })
        .map(|l| i128::from(l.amount))
        .sum();
    let end = today + Duration::days(days);
    let mut known: Vec<KnownPayment> = counted
        .iter()
        .filter(|s| s.status == Status::Active)
        .flat_map(|s| {
            let dates = s.next_date.map_or_else(Vec::new, |next| {
                recurring::expected(s.cadence, next, s.day_of_month, end)
            });
            dates
                .into_iter()
                // An overdue payment still within its grace is expected tomorrow at the latest.
                .map(move |d| KnownPayment {
                    series_id: s.id,
                    name: s.name.clone(),
                    date: d.max(today + Duration::days(1)),
                    amount: s.next_amount.unwrap_or(s.typical_amount),
                })
        })
        .collect();
    known.sort_by(|a, b| a.date.cmp(&b.date).then(a.series_id.cmp(&b.series_id)));
    let spread = |d: i64| -> i64 {
        let v = variable * i128::from(d);
        let n = i128::from(VARIABLE_DAYS);
        i64::try_from((2 * v + n * v.signum()) / (2 * n)).unwrap_or(0)
    };
    let mut out = Vec::with_capacity(days as usize + 1);
    let mut paid = 0i64;
    let mut next_known = known.iter().peekable();
    for d in 0..=days {
        let date = today + Duration::days(d);
        while let Some(k) = next_known.next_if(|k| k.date <= date) {
            paid = paid.saturating_add(k.amount);
        }
        out.push(BalanceDay {
            date,
            balance: balance.saturating_add(paid).saturating_add(spread(d)),
        });
    }
    let low = out
        .iter()
        .fold(None::<&BalanceDay>, |low, day| match low {
            Some(l) if l.balance <= day.balance => Some(l),
            _ => Some(day),
        })
        .cloned()
        .expect("at least today");
    AccountProjection {
        account_id,
        name: name.to_owned(),
        currency: currency.to_owned(),
        balance,
        variable_per_day: spread(1),
        known,
        days: out,
        low,
    }
}

/// What an outlook depends on besides the ledger (up to `today`): the month, the base
/// currency, the user's choices about the series and the categories' kinds and names.
#[derive(PartialEq)]
pub struct OutlookKey {
    today: NaiveDate,
    target: NaiveDate,
    currency: String,
    series: Choices,
    categories: Vec<(i64, String, String)>,
}

/// `outlook` for one user from the database, kept per ledger version.
pub fn for_user(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    currency: &str,
    today: NaiveDate,
    target: NaiveDate,
) -> Result<Outlook, ApiError> {
    let version = cache::version(conn, user_id)?;
    let ledger = bills::ledger(conn, ledgers, user_id, today)?;
    let found = bills::find_in(conn, user_id, &ledger, today)?;
    let categories = categories::list(conn, user_id)?;
    let key = OutlookKey {
        today,
        target,
        currency: currency.to_owned(),
        series: bills::choices(&found.series),
        categories: categories
            .iter()
            .map(|c| (c.id, c.kind.clone(), c.name.clone()))
            .collect(),
    };
    let outlook = ledgers.outlooks.get_or_load_at(user_id, version, key, || {
        let o = outlook(
            &ledger.lines,
            &categories,
            &found.series,
            currency,
            today,
            target,
        );
        let weight = o.categories.len() + 1;
        Ok((o, weight))
    })?;
    Ok(Outlook::clone(&outlook))
}

/// What balance projections depend on besides the ledger (accounts included): the day, how
/// far ahead, and the user's choices about the series.
#[derive(PartialEq)]
pub struct BalanceKey {
    today: NaiveDate,
    days: i64,
    series: Choices,
}

/// `project` for each of the user's open accounts, kept per ledger version. Today's balances
/// come from the monthly sums (`accounts::transaction_sums`), not from every transaction.
pub fn balances(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    today: NaiveDate,
    days: i64,
) -> Result<Vec<AccountProjection>, ApiError> {
    let version = cache::version(conn, user_id)?;
    let ledger = bills::ledger(conn, ledgers, user_id, today)?;
    let found = bills::find_in(conn, user_id, &ledger, today)?;
    let key = BalanceKey {
        today,
        days,
        series: bills::choices(&found.series),
    };
    let projections = ledgers.balances.get_or_load_at(user_id, version, key, || {
        let sums = accounts::transaction_sums(conn, user_id)?;
        let projections = accounts::list(conn, user_id, false)?
            .iter()
            .map(|a| {
                let balance = accounts::balance(a, &sums)?;
                Ok(project(
                    (a.id, &a.name, &a.currency, balance),
                    &ledger.lines,
                    &found.series,
                    today,
                    days,
                ))
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let weight = projections.iter().map(|p| p.days.len()).sum::<usize>() + 1;
        Ok((projections, weight))
    })?;
    Ok(projections.to_vec())
}

/// Complete months of a user's ledger in one currency: spending per category and income.
pub struct History {
    /// The last complete month (the month before `today`'s).
    pub last_month: NaiveDate,
    /// Spending (positive when money goes out) per category (`None`: uncategorized), one
    /// value per month from the first month with a transaction, zero months included.
    pub spending: BTreeMap<Option<i64>, Vec<i64>>,
    pub income: Vec<i64>,
}

pub fn history(
    lines: &[Line],
    categories: &[Category],
    currency: &str,
    today: NaiveDate,
) -> History {
    let current = first_of_month(today);
    let lines: Vec<&Line> = lines.iter().filter(|l| l.currency == currency).collect();
    let first = lines.iter().map(|l| first_of_month(l.date)).min();
    let months = first.map_or(0, |f| months_between(f, current));
    let start = first.unwrap_or(current);
    let kinds: HashMap<i64, &str> = categories.iter().map(|c| (c.id, c.kind.as_str())).collect();
    let mut spending: BTreeMap<Option<i64>, Vec<i64>> = BTreeMap::new();
    let mut income: Vec<i64> = vec![0; months];
    for line in lines.iter().filter(|l| first_of_month(l.date) < current) {
        let m = months_between(start, first_of_month(line.date));
        match flow(line, &kinds) {
            Some(Flow::Spending(c, amount)) => {
                let row = spending.entry(c).or_insert_with(|| vec![0; months]);
                row[m] = row[m].saturating_add(amount);
            }
            Some(Flow::Income(amount)) => income[m] = income[m].saturating_add(amount),
            None => {}
        }
    }
    History {
        last_month: shift_months(current, -1),
        spending,
        income,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::day;

    #[test]
    fn forecasts_are_for_this_month_or_the_next() {
        let today = day(2026, 12, 30);
        assert_eq!(target_month(today, None), Some(day(2027, 1, 1)));
        assert_eq!(
            target_month(today, Some(day(2026, 12, 1))),
            Some(day(2026, 12, 1))
        );
        assert_eq!(
            target_month(today, Some(day(2027, 1, 1))),
            Some(day(2027, 1, 1))
        );
        assert_eq!(target_month(today, Some(day(2027, 2, 1))), None);
        assert_eq!(target_month(today, Some(day(2026, 11, 1))), None);
    }

    #[test]
    fn a_balance_with_no_history_stays_flat() {
        let p = project((1, "Cash", "USD", 5000), &[], &[], day(2026, 1, 31), 3);
        assert_eq!(p.days.len(), 4);
        assert!(p.days.iter().all(|d| d.balance == 5000));
        // Ties keep the first day.
        assert_eq!(
            p.low,
            BalanceDay {
                date: day(2026, 1, 31),
                balance: 5000
            }
        );
    }

    #[test]
    fn absurd_amounts_saturate_instead_of_failing() {
        // The ledger does not bound amounts yet: nothing here may overflow.
        let lines: Vec<Line> = (0..8)
            .flat_map(|m| {
                let date = shift_months(day(2026, 1, 10), m);
                [i64::MIN, i64::MAX, i64::MIN + 1]
                    .into_iter()
                    .enumerate()
                    .map(move |(i, amount)| Line {
                        id: m as i64 * 3 + i as i64,
                        account_id: 1,
                        date,
                        amount,
                        currency: "USD".into(),
                        description: "HUGE CORP".into(),
                        merchant: None,
                        category_id: None,
                    })
            })
            .collect();
        let today = day(2026, 9, 15);
        let series: Vec<RecurringSeries> = recurring::detect(&lines, today)
            .into_iter()
            .enumerate()
            .map(|(i, s)| bills::unstored(s, i as i64))
            .collect();
        let o = outlook(&lines, &[], &series, "USD", today, day(2026, 10, 1));
        assert!(o.spending.amount.is_some());
        project((1, "A", "USD", i64::MAX), &lines, &series, today, 366);
        crate::forecast::recommend::limit(
            &[i64::MAX, 0, i64::MAX],
            day(2026, 8, 1),
            day(2026, 10, 1),
            "USD",
        )
        .unwrap();
    }
}
