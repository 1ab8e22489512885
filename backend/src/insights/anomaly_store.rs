//! A user's anomalies: detected from the ledger (`anomalies`), given stable ids, and the user's
//! "this is fine" kept in `anomalies` so that it and similar ones stop being raised.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::analytics::period::{first_of_month, last_of_month};
use crate::db::schema::anomalies;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::forecast::bills::{self, Choices, Ledgers, NEEDS_MONTHS};
use crate::forecast::{months_of_history, NotEnoughData};
use crate::insights::anomalies::{self as detection, Found};
use crate::ledger::{cache, not_found};
use crate::users::now;
use crate::with_conn;

#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 17, "kind": "unusual_amount", "severity": "medium", "date": "2026-11-21",
    "amount": -4250, "currency": "USD", "usual_amount": -810, "times_usual": 5.25,
    "based_on": 14, "merchant": "Chipotle", "category_id": 2, "series_id": null,
    "transaction_ids": [9120], "dismissed": false,
    "message": "42.50 at Chipotle is 5.2 times its usual 8.10 (median of 14 payments)"
}))]
pub struct Anomaly {
    pub id: i64,
    #[serde(flatten)]
    pub found: Found,
    /// You marked it "this is fine".
    pub dismissed: bool,
}

/// Anomalies of a period, or why there are few.
pub struct Listed {
    pub items: Vec<Anomaly>,
    /// How many were not raised because you accepted a similar one.
    pub silenced: usize,
    pub not_enough_data: Option<NotEnoughData>,
}

type Dismissed = (i64, String, String, String, i64);

fn dismissed_rows(conn: &mut DbConn, user_id: i64) -> Result<Vec<Dismissed>, ApiError> {
    Ok(with_conn!(conn, c => anomalies::table
        .filter(anomalies::user_id.eq(user_id))
        .filter(anomalies::dismissed_at.is_not_null())
        .select((
            anomalies::id,
            anomalies::anomaly_key,
            anomalies::kind,
            anomalies::subject,
            anomalies::magnitude,
        ))
        .load(c))?)
}

/// What detection depends on besides the ledger (up to `to`): the period and the user's
/// choices about the series (a dismissed series raises no bill anomaly, a renamed one is named
/// so). Dismissed anomalies are applied after, on every read.
#[derive(PartialEq)]
pub struct DetectionKey {
    from: NaiveDate,
    to: NaiveDate,
    series: Choices,
}

/// Everything detected from `from` through `to` (not after `today`), before dismissals; kept
/// per ledger version.
fn detect(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Arc<Vec<Found>>, Option<NotEnoughData>), ApiError> {
    let version = cache::version(conn, user_id)?;
    let ledger = bills::ledger(conn, ledgers, user_id, to)?;
    let series = bills::find_in(conn, user_id, &ledger, to)?.series;
    let first = ledger.lines.iter().map(|l| l.date).min();
    let not_enough = NotEnoughData::check(NEEDS_MONTHS, months_of_history(first, to));
    let key = DetectionKey {
        from,
        to,
        series: bills::choices(&series),
    };
    let found = ledgers
        .anomalies
        .get_or_load_at(user_id, version, key, || {
            let found = detection::detect(&ledger.lines, &series, from, to);
            let weight = found.len() + 1;
            Ok((found, weight))
        })?;
    Ok((found, not_enough))
}

/// The anomalies dated from `from` through `to`: ranked and capped per month, the ones like an
/// accepted one left out; your dismissed ones too when `include_dismissed`.
pub fn list(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    from: NaiveDate,
    to: NaiveDate,
    include_dismissed: bool,
) -> Result<Listed, ApiError> {
    let (found, not_enough_data) = detect(conn, ledgers, user_id, from, to)?;
    let dismissed = dismissed_rows(conn, user_id)?;
    let mut own = Vec::new();
    let mut raised = Vec::new();
    let mut silenced = 0;
    for f in found.iter().cloned() {
        if dismissed.iter().any(|d| d.1 == f.key) {
            if include_dismissed {
                own.push(f);
            }
        } else if dismissed
            .iter()
            .any(|d| detection::accepted(&f, &d.2, &d.3, d.4))
        {
            silenced += 1;
        } else {
            raised.push(f);
        }
    }
    let mut raised = detection::rank(raised);
    let shown_raised = raised.len();
    raised.extend(own);
    let ids = remember(conn, user_id, &raised)?;
    let items = raised
        .into_iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let id = *ids.get(&f.key)?;
            Some(view(f, id, i >= shown_raised))
        })
        .collect();
    Ok(Listed {
        items,
        silenced,
        not_enough_data,
    })
}

/// Gives each anomaly a row (ids stay stable across runs) and returns the ids by key.
fn remember(
    conn: &mut DbConn,
    user_id: i64,
    found: &[Found],
) -> Result<HashMap<String, i64>, ApiError> {
    let keys: Vec<&str> = found.iter().map(|f| f.key.as_str()).collect();
    let load = |conn: &mut DbConn| -> Result<Vec<(i64, String)>, ApiError> {
        Ok(with_conn!(conn, c => anomalies::table
            .filter(anomalies::user_id.eq(user_id))
            .filter(anomalies::anomaly_key.eq_any(&keys))
            .select((anomalies::id, anomalies::anomaly_key))
            .load(c))?)
    };
    let mut rows = load(conn)?;
    if rows.len() < keys.len() {
        let now = now();
        let new: Vec<_> = found
            .iter()
            .filter(|f| !rows.iter().any(|r| r.1 == f.key))
            .map(|f| {
                (
                    anomalies::user_id.eq(user_id),
                    anomalies::anomaly_key.eq(&f.key),
                    anomalies::kind.eq(f.kind.as_str()),
                    anomalies::subject.eq(&f.subject),
                    anomalies::magnitude.eq(f.magnitude),
                    anomalies::date.eq(f.date),
                    anomalies::created_at.eq(now),
                )
            })
            .collect();
        // Two requests may raise the same anomaly at once; the unique key keeps one row.
        with_conn!(conn, c => diesel::insert_into(anomalies::table)
            .values(&new)
            .on_conflict((anomalies::user_id, anomalies::anomaly_key))
            .do_nothing()
            .execute(c))?;
        rows = load(conn)?;
    }
    Ok(rows.into_iter().map(|(id, key)| (key, id)).collect())
}

fn view(found: Found, id: i64, dismissed: bool) -> Anomaly {
    Anomaly {
        id,
        found,
        dismissed,
    }
}

/// One anomaly by id, as detection sees it now (in the month it is dated).
pub fn get(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    id: i64,
    today: NaiveDate,
) -> Result<Anomaly, ApiError> {
    let (found, dismissed) = current(conn, ledgers, user_id, id, today)?;
    Ok(view(found, id, dismissed))
}

fn current(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    id: i64,
    today: NaiveDate,
) -> Result<(Found, bool), ApiError> {
    let row: Option<(String, NaiveDate, Option<chrono::NaiveDateTime>)> = with_conn!(conn, c => anomalies::table
            .filter(anomalies::id.eq(id))
            .filter(anomalies::user_id.eq(user_id))
            .select((anomalies::anomaly_key, anomalies::date, anomalies::dismissed_at))
            .first(c)
            .optional())?;
    let (key, date, dismissed_at) = row.ok_or_else(|| not_found("anomaly", id))?;
    let to = last_of_month(date).min(today).max(date);
    let (found, _) = detect(conn, ledgers, user_id, first_of_month(date), to)?;
    let found = found
        .iter()
        .find(|f| f.key == key)
        .cloned()
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "anomaly {id} is no longer found in your transactions"
            ))
        })?;
    Ok((found, dismissed_at.is_some()))
}

/// Marks an anomaly "this is fine" (`dismissed`) or raises it again. A dismissal accepts its
/// current size: similar ones up to `ACCEPTED_BAND` times it stop being raised.
pub fn decide(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user_id: i64,
    id: i64,
    dismissed: bool,
    today: NaiveDate,
) -> Result<Anomaly, ApiError> {
    let (found, _) = current(conn, ledgers, user_id, id, today)?;
    with_conn!(conn, c => diesel::update(anomalies::table.find(id))
        .set((
            anomalies::dismissed_at.eq(dismissed.then(now)),
            anomalies::magnitude.eq(found.magnitude),
        ))
        .execute(c))?;
    Ok(view(found, id, dismissed))
}
