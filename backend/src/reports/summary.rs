//! The numbers of a period that reports and email summaries show: the dashboard's figures
//! (income, spending, net, savings rate against the period before, by category, by month),
//! computed by `analytics::dashboard` and never again here, plus every budget's standing in
//! each month of the period; and what lies ahead as the app shows it on the day a report or an
//! email is made (`ahead`).

use chrono::{Duration, NaiveDate};

use crate::analytics::dashboard::{self, Dashboard};
use crate::analytics::period::{first_of_month, shift_months, Period};
use crate::budgets::{self, MonthStatus};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::forecast::bills::{self, Ledgers, UpcomingBill};
use crate::forecast::outlook::{self, Outlook};
use crate::insights::insight_store::{self, Insight};
use crate::ledger::categories;

/// A budget's standing in one month of the period.
#[derive(Clone, Debug)]
pub struct BudgetMonth {
    /// First day of the month.
    pub month: NaiveDate,
    pub status: MonthStatus,
}

#[derive(Debug)]
pub struct PeriodSummary {
    /// Exactly what `GET /dashboard` answers for the same period and accounts.
    pub dashboard: Dashboard,
    /// Each budget in each month of the period up to the current one, by month then name (the
    /// overall budget last). Empty for a report on some accounts only: budgets count them all.
    pub budgets: Vec<BudgetMonth>,
}

/// The summary of `period` for the user in `currency`, of `accounts` only (empty: all).
pub fn period_summary(
    conn: &mut DbConn,
    user_id: i64,
    currency: &str,
    accounts: &[i64],
    period: Period,
    today: NaiveDate,
) -> Result<PeriodSummary, ApiError> {
    let mut budgets = Vec::new();
    if accounts.is_empty() {
        let mut month = first_of_month(period.from);
        let last = period.to.min(today);
        while month <= last {
            let (items, overall) = budgets::month_status(conn, user_id, currency, month, today)?;
            budgets.extend(
                items
                    .into_iter()
                    .chain(overall)
                    .map(|status| BudgetMonth { month, status }),
            );
            month = shift_months(month, 1);
        }
    }
    let dashboard = dashboard::build(conn, user_id, currency, accounts, period, today)?;
    Ok(PeriodSummary { dashboard, budgets })
}

/// The insights, next month's forecast and the upcoming bills on the day `today`: exactly what
/// `GET /insights`, `GET /forecast` and `GET /bills/upcoming?days=` answer then. They are about
/// all of the user's accounts and about today, not about a past period.
#[derive(Debug)]
pub struct Ahead {
    pub today: NaiveDate,
    /// Not dismissed, most severe first.
    pub insights: Vec<Insight>,
    /// For the month after `today`'s.
    pub forecast: Outlook,
    /// Due from `today` through `bills_until`, by date.
    pub bills: Vec<UpcomingBill>,
    pub bills_until: NaiveDate,
}

/// `Ahead` for the user in `currency`, with the bills of the next `bill_days` days.
pub fn ahead(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    currency: &str,
    today: NaiveDate,
    bill_days: i64,
) -> Result<Ahead, ApiError> {
    let ledger = bills::ledger(conn, ledgers, user_id, today)?;
    let series = bills::find_in(conn, user_id, &ledger, today)?.series;
    let next_month = shift_months(first_of_month(today), 1);
    let forecast = outlook::outlook(
        &ledger.lines,
        &categories::list(conn, user_id)?,
        &series,
        currency,
        today,
        next_month,
    );
    let insights = insight_store::list(conn, ledgers, user_id, currency, today, false)?.items;
    let bills_until = today + Duration::days(bill_days);
    Ok(Ahead {
        today,
        insights,
        forecast,
        bills: bills::upcoming(&series, today, bills_until),
        bills_until,
    })
}
