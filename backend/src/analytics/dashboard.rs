//! The dashboard: a period's income and spending against the period before, by category and
//! over time, in shapes Chart.js draws directly.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::analytics::period::{
    first_of_month, last_of_month, month_label, shift_months, Period, PeriodKind,
};
use crate::analytics::sums::{self, CategorySum, CurrencyTotals, Merchant, Scope};
use crate::budgets::{self, MonthStatus, Standing};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::ledger::categories::{self, Category};

const TOP: i64 = 10;

#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct Summary {
    /// Money earned (minor units).
    pub income: i64,
    /// Money spent, refunds netted against their category (positive, minor units). A category
    /// whose refunds exceed its spending adds nothing here; the excess is in `refunds`.
    pub spending: i64,
    /// Refunds beyond their category's spending in the period (positive, minor units), such as
    /// the return of something bought in an earlier period.
    pub refunds: i64,
    /// `income - spending + refunds`: what the period added to the accounts.
    pub net: i64,
    /// `net / income`; `null` without income.
    pub savings_rate: Option<f64>,
}

impl Summary {
    fn new(income: i64, spending: i64, refunds: i64) -> Self {
        let net = income - spending + refunds;
        Summary {
            income,
            spending,
            refunds,
            net,
            savings_rate: (income > 0).then(|| round4(net as f64 / income as f64)),
        }
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Change from `before` to `now` in percent; `null` when there is nothing to compare with.
fn change(now: i64, before: i64) -> Option<f64> {
    (before != 0).then(|| round4((now - before) as f64 * 100.0 / before.abs() as f64))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Changes {
    pub income_percent: Option<f64>,
    pub spending_percent: Option<f64>,
    pub net_percent: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryShare {
    /// `null`: uncategorized.
    pub category_id: Option<i64>,
    pub name: String,
    pub color: String,
    /// Minor units, positive.
    pub amount: i64,
    /// Of the period's total, 0–1.
    pub share: f64,
    pub count: i64,
    pub previous_amount: i64,
    pub change_percent: Option<f64>,
}

/// Chart.js data: `labels` and one dataset per series.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "labels": ["2026-01", "2026-02", "2026-03"],
    "datasets": [
        {"label": "income", "data": [250000, 250000, 262000]},
        {"label": "spending", "data": [180250, 201000, 175400]},
        {"label": "net", "data": [69750, 49000, 86600]}
    ]
}))]
pub struct Chart {
    pub labels: Vec<String>,
    pub datasets: Vec<Dataset>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Dataset {
    pub label: String,
    /// Minor units.
    pub data: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LargeExpense {
    pub id: i64,
    pub date: NaiveDate,
    /// Minor units (negative).
    pub amount: i64,
    pub description: String,
    pub category_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub period: Period,
    /// Set when no period was asked for and the current month (this one, `YYYY-MM`) has no
    /// transactions yet: `period` is then the latest month that has.
    #[schema(example = "2026-11")]
    pub fell_back_from: Option<String>,
    pub previous_period: Period,
    /// Everything below is in this currency (your base currency); accounts in other currencies
    /// are in `other_currencies`, never added in.
    pub currency: String,
    pub summary: Summary,
    pub previous: Summary,
    pub change: Changes,
    /// Expense categories (and uncategorized money out) with spending left after refunds;
    /// shares are of `summary.spending`, so none is negative.
    pub spending_by_category: Vec<CategoryShare>,
    /// Expense categories whose refunds exceeded their spending: the excess, with shares of
    /// `summary.refunds`.
    pub refunds_by_category: Vec<CategoryShare>,
    pub income_by_category: Vec<CategoryShare>,
    /// Income, spending and net per month: the year's months, or the 12 months to the period's end.
    pub monthly: Chart,
    /// For a month: spending accumulated day by day, this month and the month before.
    pub daily_cumulative: Option<Chart>,
    pub top_merchants: Vec<Merchant>,
    pub largest_expenses: Vec<LargeExpense>,
    /// Transactions of the period (any currency) without a category.
    pub uncategorized_count: i64,
    /// For a month: budgets at or over 80% of their limit.
    pub budget_alerts: Vec<MonthStatus>,
    pub other_currencies: Vec<CurrencyTotals>,
}

/// The months a period's monthly chart covers (first days).
fn chart_months(period: &Period) -> Vec<NaiveDate> {
    let last = first_of_month(period.to);
    let first = match period.kind {
        PeriodKind::Year => first_of_month(period.from),
        _ => shift_months(last, -11),
    };
    let mut months = vec![first];
    while *months.last().unwrap_or(&last) < last {
        months.push(shift_months(months[months.len() - 1], 1));
    }
    months
}

/// Which side of the ledger a category total is on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    /// Income categories' net, and uncategorized money in.
    Income,
    /// Expense categories' net where spending outweighs refunds, and uncategorized money out.
    Spending,
    /// Expense categories' net where refunds outweigh spending.
    Refunds,
}

struct Sums<'a> {
    rows: Vec<CategorySum>,
    categories: &'a HashMap<i64, Category>,
}

impl Sums<'_> {
    /// The sums within `from..=to`, which `build` loads so that no sum straddles its ends.
    fn in_range(&self, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = &CategorySum> {
        self.rows
            .iter()
            .filter(move |r| r.first >= from && r.last <= to)
    }

    fn category(&self, row: &CategorySum) -> Option<&Category> {
        row.category_id.and_then(|id| self.categories.get(&id))
    }

    fn summary(&self, from: NaiveDate, to: NaiveDate) -> Summary {
        let total = |side| -> i64 {
            self.by_category(from, to, side)
                .values()
                .map(|(a, _)| a)
                .sum()
        };
        // Income stays the plain net of income categories, so that `net` is every amount of
        // the period added up even when one of them gave back more than it brought in.
        let income = self
            .in_range(from, to)
            .map(|r| sums::income(self.category(r), r))
            .sum();
        Summary::new(income, total(Side::Spending), total(Side::Refunds))
    }

    /// Per category: (amount, count) on one side of the ledger, every amount positive (an
    /// income category that gave back more than it brought in has no share).
    fn by_category(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        side: Side,
    ) -> HashMap<Option<i64>, (i64, i64)> {
        let kind = match side {
            Side::Income => "income",
            Side::Spending | Side::Refunds => "expense",
        };
        let mut net: HashMap<Option<i64>, (i64, i64)> = HashMap::new();
        for r in self.in_range(from, to) {
            let c = self.category(r);
            let amount = match side {
                Side::Income => sums::income(c, r),
                Side::Spending | Side::Refunds => sums::spending(c, r),
            };
            let relevant = match c {
                Some(c) => c.kind == kind,
                None => amount != 0,
            };
            if relevant {
                let entry = net.entry(r.category_id).or_default();
                entry.0 += amount;
                entry.1 += r.count;
            }
        }
        // A category's net is only known over the whole period, so the split into spending
        // and refunds beyond it happens after adding up.
        net.into_iter()
            .filter_map(|(id, (amount, count))| {
                let amount = if side == Side::Refunds {
                    -amount
                } else {
                    amount
                };
                (amount > 0).then_some((id, (amount, count)))
            })
            .collect()
    }

    fn shares(&self, period: &Period, previous: &Period, side: Side) -> Vec<CategoryShare> {
        let now = self.by_category(period.from, period.to, side);
        let before = self.by_category(previous.from, previous.to, side);
        let total: i64 = now.values().map(|(a, _)| *a).sum();
        let mut shares: Vec<CategoryShare> = now
            .into_iter()
            .map(|(id, (amount, count))| {
                let category = id.and_then(|id| self.categories.get(&id));
                let previous_amount = before.get(&id).map_or(0, |(a, _)| *a);
                CategoryShare {
                    category_id: id,
                    name: category.map_or_else(|| "Uncategorized".into(), |c| c.name.clone()),
                    color: category.map_or_else(
                        || categories::UNCATEGORIZED_COLOR.into(),
                        |c| c.color.clone(),
                    ),
                    amount,
                    share: round4(amount as f64 / total as f64),
                    count,
                    previous_amount,
                    change_percent: change(amount, previous_amount),
                }
            })
            .collect();
        shares.sort_by(|a, b| b.amount.cmp(&a.amount).then(a.name.cmp(&b.name)));
        shares
    }

    fn monthly(&self, months: &[NaiveDate]) -> Chart {
        let summaries: Vec<Summary> = months
            .iter()
            .map(|m| self.summary(*m, last_of_month(*m)))
            .collect();
        let series = |label: &str, f: fn(&Summary) -> i64| Dataset {
            label: label.into(),
            data: summaries.iter().map(f).collect(),
        };
        Chart {
            labels: months.iter().map(|m| month_label(*m)).collect(),
            datasets: vec![
                series("income", |s| s.income),
                series("spending", |s| s.spending),
                series("net", |s| s.net),
            ],
        }
    }

    /// Spending accumulated by day of month, for this month (up to today while it runs) and
    /// the one before (its last total carried on where it has fewer days).
    fn daily_cumulative(&self, month: NaiveDate, today: NaiveDate) -> Chart {
        let days = last_of_month(month).day();
        let cumulative = |first: NaiveDate, upto: u32| {
            let mut per_day = vec![0i64; days as usize];
            for r in self.in_range(first, last_of_month(first)) {
                let slot = (r.first.day() - 1).min(days - 1) as usize;
                per_day[slot] += sums::spending(self.category(r), r);
            }
            per_day
                .iter()
                .scan(0, |running, v| {
                    *running += v;
                    Some(*running)
                })
                .take(upto as usize)
                .collect::<Vec<_>>()
        };
        let shown = if first_of_month(today) == month {
            today.day()
        } else {
            days
        };
        let previous = shift_months(month, -1);
        Chart {
            labels: (1..=days).map(|d| d.to_string()).collect(),
            datasets: vec![
                Dataset {
                    label: month_label(month),
                    data: cumulative(month, shown),
                },
                Dataset {
                    label: month_label(previous),
                    data: cumulative(previous, days),
                },
            ],
        }
    }
}

/// The dashboard of `period` for the user, in `currency`, optionally for some accounts only
/// (empty: all).
pub fn build(
    conn: &mut DbConn,
    user_id: i64,
    currency: &str,
    accounts: &[i64],
    period: Period,
    today: NaiveDate,
) -> Result<Dashboard, ApiError> {
    let previous = period.previous();
    let months = chart_months(&period);
    let is_month = period.kind == PeriodKind::Month;
    // Budgets count every account, so they only join a report on all of them.
    let month_budgets = if is_month && accounts.is_empty() {
        budgets::for_month(conn, user_id, period.from)?
    } else {
        Vec::new()
    };
    let earliest = previous
        .from
        .min(months[0])
        .min(shift_months(period.from, -1))
        .min(budgets::history_start(&month_budgets, period.from));
    let categories = categories::by_id(conn, user_id)?;
    let wide = Scope {
        user_id,
        currency,
        accounts,
        from: earliest,
        to: period.to,
    };
    // The daily chart needs its two months by day, and so do months a range starts or ends in.
    let mut by_day = sums::cut_months(&[(period.from, period.to), (previous.from, previous.to)]);
    if is_month {
        by_day.extend([period.from, previous.from]);
    }
    let sums = Sums {
        rows: sums::by_category(conn, &wide, &by_day)?,
        categories: &categories,
    };
    let scope = Scope {
        from: period.from,
        ..wide
    };
    let summary = sums.summary(period.from, period.to);
    let before = sums.summary(previous.from, previous.to);
    let (items, overall) =
        budgets::standings(month_budgets, &categories, &sums.rows, period.from, today)?;
    let budget_alerts = items
        .into_iter()
        .chain(overall)
        .filter(|b| b.status != Standing::Ok)
        .collect();
    Ok(Dashboard {
        change: Changes {
            income_percent: change(summary.income, before.income),
            spending_percent: change(summary.spending, before.spending),
            net_percent: change(summary.net, before.net),
        },
        spending_by_category: sums.shares(&period, &previous, Side::Spending),
        refunds_by_category: sums.shares(&period, &previous, Side::Refunds),
        income_by_category: sums.shares(&period, &previous, Side::Income),
        monthly: sums.monthly(&months),
        daily_cumulative: is_month.then(|| sums.daily_cumulative(period.from, today)),
        top_merchants: sums::top_merchants(conn, &scope, TOP)?,
        largest_expenses: sums::largest_expenses(conn, &scope, TOP)?
            .into_iter()
            .map(
                |(id, date, amount, description, category_id)| LargeExpense {
                    id,
                    date,
                    amount,
                    description,
                    category_id,
                },
            )
            .collect(),
        uncategorized_count: sums::uncategorized_count(conn, &scope)?,
        other_currencies: sums::other_currencies(conn, &scope)?,
        currency: currency.to_owned(),
        summary,
        previous: before,
        budget_alerts,
        previous_period: previous,
        period,
        fell_back_from: None,
    })
}
