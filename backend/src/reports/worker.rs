//! Makes queued reports in the background. Every server instance runs one worker; a report
//! belongs to the instance that claimed it (`claimed_by`, `claimed_at`) by an update that only
//! one of several instances can win. The claimer refreshes `claimed_at` with every progress
//! step, so a claim left unrefreshed for `LEASE` belongs to a process that died: it is queued
//! again, or marked failed after `MAX_ATTEMPTS`, by whichever worker notices first (at start-up
//! and on every round after).

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{make, Record, Status};
use crate::db::schema::reports;
use crate::db::{DbConn, Pool};
use crate::error::ApiError;
use crate::forecast::bills::Ledgers;
use crate::storage::Storage;
use crate::with_conn;

/// How long a claim lasts without a progress step.
pub const LEASE: Duration = Duration::seconds(60);

/// Tries (claims) a report gets before it is given up as failed.
const MAX_ATTEMPTS: i32 = 3;

/// Requeues (or fails, after `MAX_ATTEMPTS`) the reports whose claim expired before `now`;
/// returns how many it touched.
pub fn recover(conn: &mut DbConn, now: NaiveDateTime) -> Result<usize, ApiError> {
    let expired = now - LEASE;
    let stale = || {
        reports::table
            .filter(reports::status.eq(Status::Running.as_str()))
            .filter(reports::claimed_at.lt(expired))
    };
    let requeued = with_conn!(conn, c => diesel::update(stale().filter(reports::attempts.lt(MAX_ATTEMPTS)))
        .set((
            reports::status.eq(Status::Queued.as_str()),
            reports::claimed_by.eq(None::<String>),
            reports::claimed_at.eq(None::<NaiveDateTime>),
            reports::progress.eq(0),
        ))
        .execute(c))?;
    let failed = with_conn!(conn, c => diesel::update(stale())
        .set((
            reports::status.eq(Status::Failed.as_str()),
            reports::failure.eq("the server making it stopped, several times"),
            reports::finished_at.eq(now),
        ))
        .execute(c))?;
    if requeued + failed > 0 {
        tracing::warn!(
            requeued,
            failed,
            "reports left running by a stopped server recovered"
        );
    }
    Ok(requeued + failed)
}

/// Claims the oldest queued report for `instance`, if any (none when another instance won it).
pub fn claim(conn: &mut DbConn, instance: &str) -> Result<Option<Record>, ApiError> {
    let next: Option<i64> = with_conn!(conn, c => reports::table
        .filter(reports::status.eq(Status::Queued.as_str()))
        .select(reports::id)
        .order(reports::id.asc())
        .first(c)
        .optional())?;
    let Some(id) = next else { return Ok(None) };
    let now = Utc::now().naive_utc();
    let won = with_conn!(conn, c => diesel::update(
        reports::table
            .filter(reports::id.eq(id))
            .filter(reports::status.eq(Status::Queued.as_str()))
    )
    .set((
        reports::status.eq(Status::Running.as_str()),
        reports::claimed_by.eq(instance),
        reports::claimed_at.eq(now),
        reports::attempts.eq(reports::attempts + 1),
    ))
    .returning(Record::as_returning())
    .get_result(c)
    .optional())?;
    Ok(won)
}

/// Records progress and refreshes the claim, while it is still this instance's.
pub fn heartbeat(conn: &mut DbConn, id: i64, instance: &str, percent: i32) -> Result<(), ApiError> {
    with_conn!(conn, c => diesel::update(
        reports::table
            .filter(reports::id.eq(id))
            .filter(reports::claimed_by.eq(instance))
            .filter(reports::status.eq(Status::Running.as_str()))
    )
    .set((
        reports::progress.eq(percent.clamp(0, 99)),
        reports::claimed_at.eq(Utc::now().naive_utc()),
    ))
    .execute(c))?;
    Ok(())
}

/// One round: recovers expired claims, then makes one queued report. Returns whether it made
/// one (so the caller looks for the next at once).
pub fn round(
    pool: &Pool,
    storage: &Storage,
    ledgers: &Ledgers,
    instance: &str,
) -> Result<bool, ApiError> {
    let mut conn = pool.get()?;
    recover(&mut conn, Utc::now().naive_utc())?;
    let Some(record) = claim(&mut conn, instance)? else {
        return Ok(false);
    };
    let report = super::with_accounts(&mut conn, vec![record])?.remove(0);
    // Progress goes through a second connection: the first is busy reading the report's data.
    let mut beat_conn = pool.get()?;
    let id = report.0.id;
    let mut progress = |percent: i32| {
        if let Err(error) = heartbeat(&mut beat_conn, id, instance, percent) {
            tracing::warn!(report = id, error = ?error, "report progress not recorded");
        }
    };
    make(
        &mut conn,
        pool,
        storage,
        ledgers,
        instance,
        &report,
        &mut progress,
    )?;
    Ok(true)
}
