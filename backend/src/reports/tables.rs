//! The sections of a report as plain tables of typed cells, which the PDF and the workbook each
//! lay out in their own way. A new section is one function here.

use std::borrow::Cow;

use chrono::NaiveDate;

use super::Contents;
use crate::analytics::dashboard::{CategoryShare, Summary};
use crate::forecast::outlook::Item;

/// Borrows from the report's contents where it can: a 100,000-row year would otherwise copy
/// every text of every transaction once more.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell<'a> {
    Text(Cow<'a, str>),
    /// Minor units of the currency.
    Money(i64, &'a str),
    /// In percent (`12.5` is 12.5%); empty when there is nothing to compare with.
    Percent(Option<f64>),
    Date(NaiveDate),
    Count(i64),
    /// A figure that cannot be given (the sentence beside it says why).
    Blank,
}

pub struct Table<'a> {
    /// Also the sheet's name, so at most 31 characters.
    pub title: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell<'a>>>,
    /// A sentence on what the table is about, printed with it.
    pub note: Option<String>,
}

fn text<'a>(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
    Cell::Text(s.into())
}

/// Income, spending, refunds, net and savings rate, this period against the one before.
pub fn summary(c: &Contents) -> Table<'_> {
    let d = &c.summary.dashboard;
    let money = |v: i64| Cell::Money(v, &d.currency);
    let row = |name: &'static str, f: fn(&Summary) -> i64, change: Option<f64>| {
        vec![
            text(name),
            money(f(&d.summary)),
            money(f(&d.previous)),
            Cell::Percent(change),
        ]
    };
    let rate = |s: &Summary| s.savings_rate.map(|r| r * 100.0);
    Table {
        note: None,
        title: "Summary",
        headers: vec!["", "This period", "Previous period", "Change %"],
        rows: vec![
            row("Income", |s| s.income, d.change.income_percent),
            row("Spending", |s| s.spending, d.change.spending_percent),
            row("Refunds", |s| s.refunds, None),
            row("Net", |s| s.net, d.change.net_percent),
            vec![
                text("Savings rate %"),
                Cell::Percent(rate(&d.summary)),
                Cell::Percent(rate(&d.previous)),
                Cell::Percent(None),
            ],
        ],
    }
}

fn shares<'a>(title: &'static str, currency: &'a str, shares: &'a [CategoryShare]) -> Table<'a> {
    Table {
        note: None,
        title,
        headers: vec![
            "Category",
            "Amount",
            "Share %",
            "Transactions",
            "Previous",
            "Change %",
        ],
        rows: shares
            .iter()
            .map(|s| {
                vec![
                    text(&s.name),
                    Cell::Money(s.amount, currency),
                    Cell::Percent(Some(s.share * 100.0)),
                    Cell::Count(s.count),
                    Cell::Money(s.previous_amount, currency),
                    Cell::Percent(s.change_percent),
                ]
            })
            .collect(),
    }
}

/// Spending by category (refunds already netted), as on the dashboard.
pub fn spending_by_category(c: &Contents) -> Table<'_> {
    let d = &c.summary.dashboard;
    shares("By category", &d.currency, &d.spending_by_category)
}

pub fn income_by_category(c: &Contents) -> Table<'_> {
    let d = &c.summary.dashboard;
    shares("Income by category", &d.currency, &d.income_by_category)
}

/// Income, spending and net per month (the dashboard's chart: a year's months, or the 12 months
/// to the period's end).
pub fn by_month(c: &Contents) -> Table<'_> {
    let d = &c.summary.dashboard;
    let series = |label: &str| d.monthly.datasets.iter().find(|s| s.label == label);
    let value = |label: &str, i: usize| {
        Cell::Money(
            series(label)
                .and_then(|s| s.data.get(i))
                .copied()
                .unwrap_or(0),
            &d.currency,
        )
    };
    Table {
        note: None,
        title: "By month",
        headers: vec!["Month", "Income", "Spending", "Net"],
        rows: d
            .monthly
            .labels
            .iter()
            .enumerate()
            .map(|(i, month)| {
                vec![
                    text(month),
                    value("income", i),
                    value("spending", i),
                    value("net", i),
                ]
            })
            .collect(),
    }
}

pub fn budgets(c: &Contents) -> Table<'_> {
    let currency = &c.summary.dashboard.currency;
    let money = |v: i64| Cell::Money(v, currency);
    Table {
        note: None,
        title: "Budgets",
        headers: vec!["Month", "Budget", "Limit", "Spent", "Remaining", "Used %"],
        rows: c
            .summary
            .budgets
            .iter()
            .map(|b| {
                vec![
                    text(b.month.format("%Y-%m").to_string()),
                    text(&b.status.name),
                    money(b.status.limit),
                    money(b.status.spent),
                    money(b.status.remaining),
                    Cell::Percent(b.status.percent),
                ]
            })
            .collect(),
    }
}

pub fn goals(c: &Contents) -> Table<'_> {
    Table {
        note: None,
        title: "Goals",
        headers: vec![
            "Goal",
            "Target",
            "Saved",
            "Remaining",
            "Done %",
            "Target date",
            "Expected",
        ],
        rows: c
            .goals
            .iter()
            .map(|g| {
                let money = |v: i64| Cell::Money(v, &g.goal.currency);
                vec![
                    text(&g.goal.name),
                    money(g.goal.target_amount),
                    money(g.progress.saved),
                    money(g.progress.remaining),
                    Cell::Percent(Some(g.progress.percent)),
                    g.goal.target_date.map_or_else(|| text(""), Cell::Date),
                    text(g.progress.projection.as_ref().map_or_else(
                        || g.progress.projection_note.unwrap_or("").replace('_', " "),
                        |p| p.expected.clone(),
                    )),
                ]
            })
            .collect(),
    }
}

pub fn debts(c: &Contents) -> Table<'_> {
    Table {
        note: None,
        title: "Debts",
        headers: vec!["Debt", "Kind", "Balance", "APR %"],
        rows: c
            .debts
            .iter()
            .map(|d| {
                vec![
                    text(&d.debt.name),
                    text(d.debt.kind.replace('_', " ")),
                    Cell::Money(d.balance, &d.debt.currency),
                    Cell::Percent(Some(d.debt.apr_bp as f64 / 100.0)),
                ]
            })
            .collect(),
    }
}

pub const TRANSACTION_HEADERS: [&str; 8] = [
    "Date",
    "Account",
    "Description",
    "Merchant",
    "Category",
    "Amount",
    "Currency",
    "Notes",
];

/// One transaction as a row of `TRANSACTION_HEADERS`.
pub fn transaction_row(c: &Contents, i: usize) -> Vec<Cell<'_>> {
    let t = &c.transactions[i];
    vec![
        Cell::Date(t.date),
        text(&t.account),
        text(&t.description),
        text(t.merchant.as_deref().unwrap_or_default()),
        text(t.category.as_deref().unwrap_or_default()),
        Cell::Money(t.amount, &t.currency),
        text(&t.currency),
        text(t.notes.as_deref().unwrap_or_default()),
    ]
}

/// Today's insights as `GET /insights` lists them, each with its first figure (the one its
/// sentence is about).
pub fn insights(c: &Contents) -> Table<'_> {
    let Some(ahead) = &c.ahead else {
        return empty("Insights");
    };
    Table {
        title: "Insights",
        // The sentence last: a PDF row broken over two pages then reads on where it stopped.
        headers: vec!["Month", "Severity", "Amount", "Change %", "Insight"],
        rows: ahead
            .insights
            .iter()
            .map(|i| {
                let said = &i.said;
                vec![
                    text(&said.period),
                    text(said.severity.as_str()),
                    said.figures
                        .first()
                        .map_or(Cell::Blank, |f| Cell::Money(f.amount, &f.currency)),
                    Cell::Percent(said.change_percent),
                    text(&said.message),
                ]
            })
            .collect(),
        note: Some(format!(
            "As of {}, about all accounts (most severe first).",
            ahead.today
        )),
    }
}

/// Next month's forecast as `GET /forecast` answers it: total spending, income, net savings and
/// each expense category, with the 80% interval, or why there is no figure yet.
pub fn forecast<'a>(c: &'a Contents) -> Table<'a> {
    let Some(ahead) = &c.ahead else {
        return empty("Forecast");
    };
    let f = &ahead.forecast;
    let money = |v: Option<i64>| v.map_or(Cell::Blank, |v| Cell::Money(v, &f.currency));
    let row = |item: &'a Item| {
        vec![
            text(&item.name),
            money(item.amount),
            money(item.low),
            money(item.high),
            Cell::Money(item.known_amount, &f.currency),
            text(
                item.not_enough_data
                    .as_ref()
                    .map_or("", |n| n.message.as_str()),
            ),
        ]
    };
    Table {
        title: "Forecast",
        headers: vec![
            "Forecast",
            "Expected",
            "Low (80%)",
            "High (80%)",
            "Known bills",
            "Note",
        ],
        rows: [&f.spending, &f.income, &f.net]
            .into_iter()
            .chain(&f.categories)
            .map(row)
            .collect(),
        note: Some(format!(
            "For {}, as forecast on {} from {} complete months of history, all accounts; \
             80% of months fall between low and high.",
            f.month, ahead.today, f.history_months
        )),
    }
}

/// The bills expected from today, as `GET /bills/upcoming` lists them.
pub fn upcoming_bills(c: &Contents) -> Table<'_> {
    let Some(ahead) = &c.ahead else {
        return empty("Upcoming bills");
    };
    Table {
        title: "Upcoming bills",
        headers: vec!["Due", "Bill", "Amount", ""],
        rows: ahead
            .bills
            .iter()
            .map(|b| {
                vec![
                    Cell::Date(b.date),
                    text(&b.name),
                    Cell::Money(b.amount, &b.currency),
                    text(if b.overdue { "overdue" } else { "" }),
                ]
            })
            .collect(),
        note: Some(format!(
            "Due from {} through {}, all accounts.",
            ahead.today, ahead.bills_until
        )),
    }
}

/// A section with nothing to show, which `sections` leaves out.
fn empty(title: &'static str) -> Table<'static> {
    Table {
        title,
        headers: Vec::new(),
        rows: Vec::new(),
        note: None,
    }
}

/// The sections after the summary, in the order both formats show them; empty ones are left out.
pub fn sections(c: &Contents) -> Vec<Table<'_>> {
    [
        spending_by_category(c),
        income_by_category(c),
        by_month(c),
        budgets(c),
        goals(c),
        debts(c),
        insights(c),
        forecast(c),
        upcoming_bills(c),
    ]
    .into_iter()
    .filter(|t| !t.rows.is_empty())
    .collect()
}
