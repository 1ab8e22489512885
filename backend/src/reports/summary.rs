//! The numbers of a period that reports and email summaries show: the dashboard's figures
//! (income, spending, net, savings rate against the period before, by category, by month),
//! computed by `analytics::dashboard` and never again here, plus every budget's standing in
//! each month of the period.

use chrono::NaiveDate;

use crate::analytics::dashboard::{self, Dashboard};
use crate::analytics::period::{first_of_month, shift_months, Period};
use crate::budgets::{self, MonthStatus};
use crate::db::DbConn;
use crate::error::ApiError;

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
