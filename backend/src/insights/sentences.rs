//! Insights: short sentences made from numbers by templates (never free text). Each one states
//! its figures, its period and what it links to, and is raised only when it passes a threshold
//! relative to the user's own history (a share of their usual month), never a fixed amount.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::analytics::period::{first_of_month, last_of_month, month_label, shift_months};
use crate::budgets::MonthStatus;
use crate::forecast::bills::{self, Choice, RecurringSeries};
use crate::forecast::outlook::AccountProjection;
use crate::forecast::recurring::{Cadence, ChangeKind, Direction, Line, Status};
use crate::forecast::{months_of_history, NotEnoughData};
use crate::insights::anomalies::{median_mad, Severity};
use crate::insights::anomaly_store::Anomaly;
use crate::insights::overspend;
use crate::money::format_minor;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InsightKind {
    BudgetOverspend,
    CategoryChange,
    SavingsRate,
    SubscriptionsTotal,
    PriceRise,
    UpcomingBill,
    LowPoint,
    Anomaly,
}

impl InsightKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InsightKind::BudgetOverspend => "budget_overspend",
            InsightKind::CategoryChange => "category_change",
            InsightKind::SavingsRate => "savings_rate",
            InsightKind::SubscriptionsTotal => "subscriptions_total",
            InsightKind::PriceRise => "price_rise",
            InsightKind::UpcomingBill => "upcoming_bill",
            InsightKind::LowPoint => "low_point",
            InsightKind::Anomaly => "anomaly",
        }
    }
}

/// A figure an insight states.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Figure {
    /// What it is: `spent`, `last_month`, `usual_month`, `income`, `monthly_total`, `amount`,
    /// `balance`, `low`…
    pub name: String,
    /// Signed minor units.
    pub amount: i64,
    pub currency: String,
}

/// One insight as composed, before its id and your dismissal.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = InsightFound)]
pub struct Said {
    /// Kind, subject and period: one per period (dedup), stable across runs.
    #[serde(skip)]
    pub key: String,
    pub kind: InsightKind,
    pub severity: Severity,
    /// `YYYY-MM`: the month it is about.
    pub period: String,
    pub message: String,
    pub figures: Vec<Figure>,
    /// The change it states in percent (or percentage points for the savings rate).
    pub change_percent: Option<f64>,
    pub category_id: Option<i64>,
    pub series_id: Option<i64>,
    pub account_id: Option<i64>,
    pub anomaly_id: Option<i64>,
    /// The budget it is about (a forecast overspending it).
    pub budget_id: Option<i64>,
    pub transaction_ids: Vec<i64>,
}

/// An insight that cannot be said yet, and why.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InsightNotYet {
    pub kind: InsightKind,
    #[serde(flatten)]
    pub not_enough_data: NotEnoughData,
}

/// A category's month must differ from the compared one by this share …
pub const CHANGE_SHARE: f64 = 0.25;
/// … and by this share of the user's median monthly spending: small categories' swings are
/// not news.
pub const CHANGE_OF_SPENDING: f64 = 0.05;
/// Savings-rate changes from this many percentage points are said.
pub const SAVINGS_POINTS: f64 = 5.0;
/// A bill due soon is large from this share of the median monthly spending.
pub const LARGE_BILL_SHARE: f64 = 0.2;
/// How far ahead upcoming bills are looked at.
const UPCOMING_DAYS: i64 = 14;
/// Price rises this recent are said.
const PRICE_RISE_DAYS: i64 = 90;
/// Months for "the usual month".
const USUAL_MONTHS: i32 = 6;
const USUAL_NEEDS: u32 = 4;
/// At most this many anomalies become insights.
const ANOMALIES: usize = 3;
/// A forecast this share of the limit or more over it is high severity …
pub const OVERSPEND_HIGH: f64 = 0.25;
/// … and from this share medium; any overrun is at least low.
pub const OVERSPEND_MEDIUM: f64 = 0.10;

pub struct Inputs<'a> {
    pub today: NaiveDate,
    /// The base currency: only its lines are compared month to month.
    pub currency: &'a str,
    pub lines: &'a [Line],
    pub series: &'a [RecurringSeries],
    pub projections: &'a [AccountProjection],
    /// Anomalies raised this month, most severe first.
    pub anomalies: &'a [Anomaly],
    pub category_names: &'a HashMap<i64, String>,
    /// Subcategory → parent: a budget counts its subcategories' spending.
    pub category_parents: &'a HashMap<i64, i64>,
    /// This month's category budgets as the budgets page shows them.
    pub budgets: &'a [MonthStatus],
}

fn pct(x: f64) -> f64 {
    (x * 1000.0).round() / 10.0
}

fn money(amount: i64, currency: &str) -> String {
    format_minor(amount, currency)
}

fn figure(name: &str, amount: i64, currency: &str) -> Figure {
    Figure {
        name: name.into(),
        amount,
        currency: currency.into(),
    }
}

/// Monthly spending per category and monthly income, in the base currency.
struct Months {
    spent: BTreeMap<i64, BTreeMap<NaiveDate, i64>>,
    total: BTreeMap<NaiveDate, i64>,
    income: BTreeMap<NaiveDate, i64>,
}

fn months(lines: &[Line], currency: &str) -> Months {
    let mut m = Months {
        spent: BTreeMap::new(),
        total: BTreeMap::new(),
        income: BTreeMap::new(),
    };
    for l in lines.iter().filter(|l| l.currency == currency) {
        let month = first_of_month(l.date);
        if l.amount < 0 {
            let out = -l.amount;
            let t = m.total.entry(month).or_insert(0);
            *t = t.saturating_add(out);
            if let Some(c) = l.category_id {
                let s = m.spent.entry(c).or_default().entry(month).or_insert(0);
                *s = s.saturating_add(out);
            }
        } else {
            let i = m.income.entry(month).or_insert(0);
            *i = i.saturating_add(l.amount);
        }
    }
    m
}

fn median_of(values: &[i64]) -> f64 {
    let v: Vec<f64> = values.iter().map(|x| *x as f64).collect();
    median_mad(&v).0
}

/// Every insight for today, and the ones that cannot be said yet.
pub fn compose(i: &Inputs) -> (Vec<Said>, Vec<InsightNotYet>) {
    let mut said = Vec::new();
    let mut not_yet = Vec::new();
    let cur = i.currency;
    let last = shift_months(i.today, -1);
    let first = i.lines.iter().map(|l| l.date).min();
    let complete = months_of_history(first, last_of_month(last));
    let m = months(i.lines, cur);
    let at =
        |map: &BTreeMap<NaiveDate, i64>, month: NaiveDate| map.get(&month).copied().unwrap_or(0);
    let usual_months: Vec<NaiveDate> = (1..=USUAL_MONTHS)
        .map(|k| shift_months(last, -k))
        .filter(|mo| first.is_some_and(|f| *mo >= first_of_month(f)))
        .collect();
    let spending: Vec<i64> = usual_months.iter().map(|mo| at(&m.total, *mo)).collect();
    let usual_spending = median_of(&spending);
    let period = month_label(last);
    let prev = shift_months(last, -1);
    let month_name = |d: NaiveDate| d.format("%B").to_string();

    // Category changes: the last complete month against the one before and the usual month.
    match NotEnoughData::check(2, complete) {
        Some(n) => not_yet.push(InsightNotYet {
            kind: InsightKind::CategoryChange,
            not_enough_data: n,
        }),
        None => {
            let floor = CHANGE_OF_SPENDING * usual_spending;
            for (category, by_month) in &m.spent {
                let now = at(by_month, last);
                let before = at(by_month, prev);
                let usual = (complete > USUAL_NEEDS).then(|| {
                    median_of(
                        &usual_months
                            .iter()
                            .map(|mo| at(by_month, *mo))
                            .collect::<Vec<_>>(),
                    )
                });
                let moved = |base: f64| {
                    base > 0.0
                        && (now as f64 - base).abs() >= CHANGE_SHARE * base
                        && (now as f64 - base).abs() >= floor
                };
                let vs_last = moved(before as f64);
                let vs_usual = usual.is_some_and(moved);
                if !vs_last && !vs_usual {
                    continue;
                }
                let name = i
                    .category_names
                    .get(category)
                    .cloned()
                    .unwrap_or_else(|| "Uncategorized".into());
                let change = |base: f64| pct((now as f64 - base) / base);
                let words = |c: f64| if c >= 0.0 { "up" } else { "down" };
                let mut message = format!("{name}: {} in {}", money(now, cur), month_name(last));
                let mut figures = vec![figure("spent", -now, cur)];
                let mut change_percent = None;
                if before > 0 {
                    let c = change(before as f64);
                    message += &format!(
                        ", {} {}% from {} in {}",
                        words(c),
                        c.abs(),
                        money(before, cur),
                        month_name(prev)
                    );
                    figures.push(figure("last_month", -before, cur));
                    change_percent = Some(c);
                }
                if let Some(u) = usual.filter(|u| *u > 0.0) {
                    let c = change(u);
                    let u = u.round() as i64;
                    message += &format!(
                        "{} {}% {} your usual month ({})",
                        if before > 0 { " and" } else { "," },
                        c.abs(),
                        if c >= 0.0 { "above" } else { "below" },
                        money(u, cur)
                    );
                    figures.push(figure("usual_month", -u, cur));
                    change_percent = change_percent.or(Some(c));
                }
                let up = change_percent.unwrap_or(0.0);
                said.push(Said {
                    key: format!("category_change|{category}|{period}"),
                    kind: InsightKind::CategoryChange,
                    severity: if up >= 50.0 {
                        Severity::Medium
                    } else {
                        Severity::Low
                    },
                    period: period.clone(),
                    message,
                    figures,
                    change_percent,
                    category_id: Some(*category),
                    series_id: None,
                    account_id: None,
                    anomaly_id: None,
                    budget_id: None,
                    transaction_ids: Vec::new(),
                });
            }
        }
    }

    // Savings rate: the last complete month against the one before.
    let rate = |mo: NaiveDate| {
        let income = at(&m.income, mo);
        (income > 0).then(|| (income - at(&m.total, mo)) as f64 / income as f64)
    };
    match NotEnoughData::check(2, complete) {
        Some(n) => not_yet.push(InsightNotYet {
            kind: InsightKind::SavingsRate,
            not_enough_data: n,
        }),
        None => {
            if let (Some(now), Some(before)) = (rate(last), rate(prev)) {
                let points = pct(now - before);
                if points.abs() >= SAVINGS_POINTS {
                    said.push(Said {
                        key: format!("savings_rate|{period}"),
                        kind: InsightKind::SavingsRate,
                        severity: if points < 0.0 {
                            Severity::Medium
                        } else {
                            Severity::Low
                        },
                        period: period.clone(),
                        message: format!(
                            "You saved {}% of your income in {}, {} from {}% in {}",
                            pct(now),
                            month_name(last),
                            if points >= 0.0 { "up" } else { "down" },
                            pct(before),
                            month_name(prev)
                        ),
                        figures: vec![
                            figure("income", at(&m.income, last), cur),
                            figure("spent", -at(&m.total, last), cur),
                            figure("net", at(&m.income, last) - at(&m.total, last), cur),
                        ],
                        change_percent: Some(points),
                        category_id: None,
                        series_id: None,
                        account_id: None,
                        anomaly_id: None,
                        budget_id: None,
                        transaction_ids: Vec::new(),
                    });
                }
            }
        }
    }

    // Subscriptions and bills: their monthly total and recent price rises.
    let this_month = month_label(i.today);
    let live: Vec<&RecurringSeries> = i
        .series
        .iter()
        .filter(|s| {
            s.direction == Direction::Expense
                && s.choice != Choice::Dismissed
                && s.status == Status::Active
                && s.currency == cur
        })
        .collect();
    match NotEnoughData::check(bills::NEEDS_MONTHS, months_of_history(first, i.today)) {
        Some(n) => not_yet.push(InsightNotYet {
            kind: InsightKind::SubscriptionsTotal,
            not_enough_data: n,
        }),
        None if !live.is_empty() => {
            let per_month: i64 = live
                .iter()
                .map(|s| {
                    let (n, d) = match s.cadence {
                        Cadence::Weekly => (52, 12),
                        Cadence::Biweekly => (26, 12),
                        Cadence::Monthly => (1, 1),
                        Cadence::Quarterly => (1, 3),
                        Cadence::Yearly => (1, 12),
                    };
                    -s.typical_amount * n / d
                })
                .fold(0i64, |a, b| a.saturating_add(b));
            said.push(Said {
                key: format!("subscriptions_total|{this_month}"),
                kind: InsightKind::SubscriptionsTotal,
                severity: Severity::Low,
                period: this_month.clone(),
                message: format!(
                    "Your {} recurring bills and subscriptions come to {} a month",
                    live.len(),
                    money(per_month, cur)
                ),
                figures: vec![figure("monthly_total", -per_month, cur)],
                change_percent: None,
                category_id: None,
                series_id: None,
                account_id: None,
                anomaly_id: None,
                budget_id: None,
                transaction_ids: Vec::new(),
            });
        }
        None => {}
    }
    for s in &live {
        for c in s.changes.iter().filter(|c| {
            c.change.kind == ChangeKind::PriceChange
                && c.change.date > i.today - Duration::days(PRICE_RISE_DAYS)
        }) {
            let (Some(from), Some(to)) = (c.change.from_amount, c.change.to_amount) else {
                continue;
            };
            if to >= from {
                continue;
            }
            said.push(Said {
                key: format!("price_rise|{}|{}", s.id, c.change.date),
                kind: InsightKind::PriceRise,
                severity: Severity::Low,
                period: month_label(c.change.date),
                message: c.message.clone(),
                figures: vec![figure("before", from, cur), figure("after", to, cur)],
                change_percent: Some(pct(to as f64 / from as f64 - 1.0)),
                category_id: s.category_id,
                series_id: Some(s.id),
                account_id: None,
                anomaly_id: None,
                budget_id: None,
                transaction_ids: s.transaction_ids.last().copied().into_iter().collect(),
            });
        }
    }

    // Large bills due soon.
    if usual_spending > 0.0 {
        for bill in bills::upcoming(i.series, i.today, i.today + Duration::days(UPCOMING_DAYS)) {
            if bill.currency != cur || ((-bill.amount) as f64) < LARGE_BILL_SHARE * usual_spending {
                continue;
            }
            said.push(Said {
                key: format!("upcoming_bill|{}|{}", bill.series_id, bill.date),
                kind: InsightKind::UpcomingBill,
                severity: Severity::Low,
                period: month_label(bill.date),
                message: format!(
                    "{} of {} is due on {}",
                    bill.name,
                    money(-bill.amount, cur),
                    bill.date.format("%-d %B")
                ),
                figures: vec![figure("amount", bill.amount, cur)],
                change_percent: None,
                category_id: bill.category_id,
                series_id: Some(bill.series_id),
                account_id: None,
                anomaly_id: None,
                budget_id: None,
                transaction_ids: Vec::new(),
            });
        }
    }

    // The cash-flow low point of each account.
    for p in i.projections {
        let tight = p.low.balance < 0 || (p.balance > 0 && p.low.balance < p.balance / 10);
        if !tight || p.low.date == i.today {
            continue;
        }
        said.push(Said {
            key: format!("low_point|{}|{this_month}", p.account_id),
            kind: InsightKind::LowPoint,
            severity: if p.low.balance < 0 {
                Severity::High
            } else {
                Severity::Medium
            },
            period: this_month.clone(),
            message: format!(
                "{} is projected to fall to {} on {}, from {} today",
                p.name,
                money(p.low.balance, &p.currency),
                p.low.date.format("%-d %B %Y"),
                money(p.balance, &p.currency)
            ),
            figures: vec![
                figure("balance", p.balance, &p.currency),
                figure("low", p.low.balance, &p.currency),
            ],
            change_percent: None,
            category_id: None,
            series_id: None,
            account_id: Some(p.account_id),
            anomaly_id: None,
            budget_id: None,
            transaction_ids: Vec::new(),
        });
    }

    // Budgets this month's forecast overruns: the pace so far plus the bills still to come.
    let mut overspend_not_yet = None;
    for b in i.budgets.iter().filter(|b| b.limit > 0) {
        let Some(category) = b.category_id else {
            continue;
        };
        let in_category = |c: Option<i64>| {
            c.is_some_and(|c| c == category || i.category_parents.get(&c) == Some(&category))
        };
        let f =
            match overspend::month_at_pace(b.spent, in_category, i.lines, i.series, cur, i.today) {
                Ok(f) => f,
                Err(missing) => {
                    overspend_not_yet = Some(missing);
                    continue;
                }
            };
        if f.amount <= b.limit {
            continue;
        }
        let over = f.amount - b.limit;
        let share = over as f64 / b.limit as f64;
        said.push(Said {
            key: format!("budget_overspend|{}|{this_month}", b.budget_id),
            kind: InsightKind::BudgetOverspend,
            severity: if share >= OVERSPEND_HIGH {
                Severity::High
            } else if share >= OVERSPEND_MEDIUM {
                Severity::Medium
            } else {
                Severity::Low
            },
            period: this_month.clone(),
            message: format!(
                "{}: on course for {} in {} against a budget of {}, {} ({}%) over; 80% likely between {} and {}, {} spent so far",
                b.name,
                money(f.amount, cur),
                month_name(i.today),
                money(b.limit, cur),
                money(over, cur),
                pct(share),
                money(f.low, cur),
                money(f.high, cur),
                money(f.spent, cur)
            ),
            figures: vec![
                figure("limit", -b.limit, cur),
                figure("forecast", -f.amount, cur),
                figure("low", -f.low, cur),
                figure("high", -f.high, cur),
                figure("over", -over, cur),
                figure("spent", -f.spent, cur),
                figure("bills_to_come", -f.known_rest, cur),
            ],
            change_percent: Some(pct(share)),
            category_id: Some(category),
            series_id: None,
            account_id: None,
            anomaly_id: None,
            budget_id: Some(b.budget_id),
            transaction_ids: Vec::new(),
        });
    }
    if let Some(missing) = overspend_not_yet {
        not_yet.push(InsightNotYet {
            kind: InsightKind::BudgetOverspend,
            not_enough_data: missing,
        });
    }

    // The month's most severe anomalies.
    for a in i.anomalies.iter().filter(|a| !a.dismissed).take(ANOMALIES) {
        let f = &a.found;
        said.push(Said {
            key: format!("anomaly|{}", a.id),
            kind: InsightKind::Anomaly,
            severity: f.severity,
            period: month_label(f.date),
            message: f.message.clone(),
            figures: std::iter::once(figure("amount", f.amount, &f.currency))
                .chain(f.usual_amount.map(|u| figure("usual", u, &f.currency)))
                .collect(),
            change_percent: f.times_usual.map(|t| pct(t - 1.0)),
            category_id: f.category_id,
            series_id: f.series_id,
            account_id: None,
            anomaly_id: Some(a.id),
            budget_id: None,
            transaction_ids: f.transaction_ids.clone(),
        });
    }
    said.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.kind.cmp(&b.kind)));
    (said, not_yet)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::analytics::period::day;
    use crate::forecast::outlook::BalanceDay;

    pub(crate) fn line(id: i64, date: NaiveDate, amount: i64, category: i64) -> Line {
        Line {
            id,
            account_id: 1,
            date,
            amount,
            currency: "USD".into(),
            description: format!("SHOP {id}"),
            merchant: None,
            category_id: Some(category),
        }
    }

    fn compose_for(lines: &[Line], projections: &[AccountProjection]) -> Vec<Said> {
        let names = HashMap::from([(1, "Groceries".to_owned()), (2, "Books".to_owned())]);
        compose(&Inputs {
            today: day(2026, 11, 20),
            currency: "USD",
            lines,
            series: &[],
            projections,
            anomalies: &[],
            category_names: &names,
            category_parents: &HashMap::new(),
            budgets: &[],
        })
        .0
    }

    #[test]
    fn small_categories_swinging_are_not_news() {
        // Groceries 1,000.00 a month; books 10.00 then 30.00 (+200%, but 20.00 is under 5% of
        // the usual 1,010.00 spending).
        let mut lines = Vec::new();
        for m in 0..6 {
            let month = shift_months(day(2026, 5, 1), m);
            lines.push(line(m as i64 * 10, month + Duration::days(3), -100_000, 1));
            let books = if m == 5 { -3000 } else { -1000 };
            lines.push(line(m as i64 * 10 + 1, month + Duration::days(4), books, 2));
        }
        assert!(compose_for(&lines, &[])
            .iter()
            .all(|s| s.kind != InsightKind::CategoryChange));
        // 70.00 of books: 60.00 more, past 5% of the usual 1,010.00 (50.50).
        lines.last_mut().unwrap().amount = -7000;
        let said = compose_for(&lines, &[]);
        let books: Vec<_> = said
            .iter()
            .filter(|s| s.kind == InsightKind::CategoryChange)
            .collect();
        assert_eq!(books.len(), 1);
        assert_eq!(books[0].category_id, Some(2));
        assert_eq!(books[0].change_percent, Some(600.0));
        assert_eq!(books[0].key, "category_change|2|2026-10");
    }

    #[test]
    fn a_low_point_below_zero_is_high() {
        let p = AccountProjection {
            account_id: 4,
            name: "Checking".into(),
            currency: "USD".into(),
            balance: 50_000,
            variable_per_day: -1000,
            known: Vec::new(),
            days: Vec::new(),
            low: BalanceDay {
                date: day(2026, 12, 14),
                balance: -12_000,
            },
        };
        let said = compose_for(&[], &[p]);
        assert_eq!(said.len(), 1);
        assert_eq!(said[0].kind, InsightKind::LowPoint);
        assert_eq!(said[0].severity, Severity::High);
        assert_eq!(
            said[0].message,
            "Checking is projected to fall to -120.00 on 14 December 2026, from 500.00 today"
        );
        assert_eq!(said[0].account_id, Some(4));
    }
}
