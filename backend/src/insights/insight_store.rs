//! A user's insights: composed from the ledger, the recurring series, the balance projection
//! and the month's anomalies (`sentences`), given stable ids (one per kind, subject and period)
//! and the user's dismissals kept in `insights`.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::analytics::period::first_of_month;
use crate::budgets;
use crate::db::schema::{categories, insights};
use crate::db::DbConn;
use crate::error::ApiError;
use crate::forecast::bills::{self, Ledgers};
use crate::forecast::outlook;
use crate::insights::anomaly_store;
use crate::insights::sentences::{self, InsightNotYet, Said};
use crate::ledger::not_found;
use crate::users::now;
use crate::with_conn;

/// Days of balance projection the low point is looked for in.
const PROJECTION_DAYS: i64 = 90;

#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 5, "kind": "category_change", "severity": "low", "period": "2026-10",
    "message": "Groceries: 412.00 in October, up 20% from 343.33 in September and 25% above your usual month (329.60)",
    "figures": [{"name": "spent", "amount": -41200, "currency": "USD"},
                {"name": "last_month", "amount": -34333, "currency": "USD"},
                {"name": "usual_month", "amount": -32960, "currency": "USD"}],
    "change_percent": 20.0, "category_id": 3, "series_id": null, "account_id": null,
    "anomaly_id": null, "budget_id": null, "transaction_ids": [], "dismissed": false
}))]
pub struct Insight {
    pub id: i64,
    #[serde(flatten)]
    pub said: Said,
    /// You dismissed it.
    pub dismissed: bool,
}

pub struct Listed {
    pub items: Vec<Insight>,
    pub not_enough_data: Vec<InsightNotYet>,
}

fn compose(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    currency: &str,
    today: NaiveDate,
) -> Result<(Vec<Said>, Vec<InsightNotYet>), ApiError> {
    let ledger = bills::ledger(conn, ledgers, user_id, today)?;
    let series = bills::find_in(conn, user_id, &ledger, today)?.series;
    let projections = outlook::balances(conn, ledgers, user_id, today, PROJECTION_DAYS)?;
    let anomalies =
        anomaly_store::list(conn, ledgers, user_id, first_of_month(today), today, false)?.items;
    let (budgets, _) =
        budgets::month_status(conn, user_id, currency, first_of_month(today), today)?;
    let rows = with_conn!(conn, c => categories::table
        .filter(categories::user_id.eq(user_id))
        .select((categories::id, categories::name, categories::parent_id))
        .load::<(i64, String, Option<i64>)>(c))?;
    let parents: HashMap<i64, i64> = rows
        .iter()
        .filter_map(|(id, _, parent)| parent.map(|p| (*id, p)))
        .collect();
    let names: HashMap<i64, String> = rows.into_iter().map(|(id, name, _)| (id, name)).collect();
    Ok(sentences::compose(&sentences::Inputs {
        today,
        currency,
        lines: &ledger.lines,
        series: &series,
        projections: &projections,
        anomalies: &anomalies,
        category_names: &names,
        category_parents: &parents,
        budgets: &budgets,
    }))
}

/// Today's insights, most severe first; dismissed ones only when `include_dismissed`.
pub fn list(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    currency: &str,
    today: NaiveDate,
    include_dismissed: bool,
) -> Result<Listed, ApiError> {
    let (said, not_enough_data) = compose(conn, ledgers, user_id, currency, today)?;
    let rows = remember(conn, user_id, &said)?;
    let items = said
        .into_iter()
        .filter_map(|s| {
            let (id, dismissed) = *rows.get(&s.key)?;
            (include_dismissed || !dismissed).then_some(Insight {
                id,
                said: s,
                dismissed,
            })
        })
        .collect();
    Ok(Listed {
        items,
        not_enough_data,
    })
}

/// Gives each insight a row (ids stay stable across runs) and returns (id, dismissed) by key.
fn remember(
    conn: &mut DbConn,
    user_id: i64,
    said: &[Said],
) -> Result<HashMap<String, (i64, bool)>, ApiError> {
    let keys: Vec<&str> = said.iter().map(|s| s.key.as_str()).collect();
    type Row = (i64, String, Option<chrono::NaiveDateTime>);
    let load = |conn: &mut DbConn| -> Result<Vec<Row>, ApiError> {
        Ok(with_conn!(conn, c => insights::table
            .filter(insights::user_id.eq(user_id))
            .filter(insights::insight_key.eq_any(&keys))
            .select((insights::id, insights::insight_key, insights::dismissed_at))
            .load(c))?)
    };
    let mut rows = load(conn)?;
    if rows.len() < keys.len() {
        let now = now();
        let new: Vec<_> = keys
            .iter()
            .filter(|k| !rows.iter().any(|r| r.1 == **k))
            .map(|k| {
                (
                    insights::user_id.eq(user_id),
                    insights::insight_key.eq(*k),
                    insights::created_at.eq(now),
                )
            })
            .collect();
        // Two requests may compose the same insight at once; the unique key keeps one row.
        with_conn!(conn, c => diesel::insert_into(insights::table)
            .values(&new)
            .on_conflict((insights::user_id, insights::insight_key))
            .do_nothing()
            .execute(c))?;
        rows = load(conn)?;
    }
    Ok(rows
        .into_iter()
        .map(|(id, key, dismissed)| (key, (id, dismissed.is_some())))
        .collect())
}

/// Dismisses an insight (or brings it back); it stays dismissed for its period.
pub fn decide(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    currency: &str,
    id: i64,
    dismissed: bool,
    today: NaiveDate,
) -> Result<Insight, ApiError> {
    let key: Option<String> = with_conn!(conn, c => insights::table
        .filter(insights::id.eq(id))
        .filter(insights::user_id.eq(user_id))
        .select(insights::insight_key)
        .first(c)
        .optional())?;
    let key = key.ok_or_else(|| not_found("insight", id))?;
    with_conn!(conn, c => diesel::update(insights::table.find(id))
        .set(insights::dismissed_at.eq(dismissed.then(now)))
        .execute(c))?;
    let (said, _) = compose(conn, ledgers, user_id, currency, today)?;
    let said = said
        .into_iter()
        .find(|s| s.key == key)
        .ok_or_else(|| ApiError::NotFound(format!("insight {id} no longer applies")))?;
    Ok(Insight {
        id,
        said,
        dismissed,
    })
}
