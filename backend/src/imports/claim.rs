//! Who is committing an import. A commit first claims its import with a conditional UPDATE
//! (only one of several racing requests can move it out of `previewed`/`failed`), then holds the
//! claim inside its write transaction, where the import row is locked until the rows and the
//! final status are in. A process killed mid-commit loses its transaction (nothing partial
//! stays) but leaves the claim; the claim names its instance and time, so it is returned to
//! `previewed` when it is older than the configured lifetime or when the same instance starts
//! again, by a conditional UPDATE that is safe with several instances sweeping at once.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::imports;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::users::now;
use crate::with_conn;

use super::{ImportRecord, Status, UNCOMMITTED};

/// Why a released import is `previewed` again; shown as its `failure`.
const RELEASED: &str = "the server stopped while committing this import; nothing of it was \
written, and it can be committed again";

#[derive(Clone, Debug)]
pub struct Claims {
    /// This server process's name in claims: its configured instance id and a random suffix,
    /// so two processes never mistake each other's claims for their own.
    instance: String,
    /// The configured instance id: claims under it are from an earlier run of this instance.
    stable_id: String,
    ttl: Duration,
}

impl Claims {
    pub fn new(stable_id: &str, ttl_seconds: u64) -> Self {
        Claims {
            instance: format!("{stable_id}#{:08x}", rand::random::<u32>()),
            stable_id: stable_id.to_owned(),
            ttl: Duration::seconds(i64::try_from(ttl_seconds).unwrap_or(i64::MAX / 1000)),
        }
    }

    /// Claims older than this are dead.
    fn cutoff(&self, now: NaiveDateTime) -> NaiveDateTime {
        now.checked_sub_signed(self.ttl)
            .unwrap_or(NaiveDateTime::MIN)
    }

    /// Whether a record's claim is still alive (a live commit owns it).
    pub fn is_live(&self, record: &ImportRecord) -> bool {
        record.status == Status::Committing.as_str()
            && record.claimed_at.is_some_and(|at| at >= self.cutoff(now()))
    }

    /// Takes the import for one commit attempt; `None` when another attempt holds a live claim
    /// or the import is no longer committable. Returns the attempt's token.
    pub fn claim(&self, conn: &mut DbConn, id: i64) -> Result<Option<String>, ApiError> {
        let token = format!("{}/{:016x}", self.instance, rand::random::<u64>());
        let now = now();
        let cutoff = self.cutoff(now);
        let taken = with_conn!(conn, c => diesel::update(
            imports::table.find(id).filter(
                imports::status.eq_any(UNCOMMITTED).or(imports::status
                    .eq(Status::Committing.as_str())
                    .and(imports::claimed_at.lt(cutoff).or(imports::claimed_at.is_null()))),
            ),
        )
        .set((
            imports::status.eq(Status::Committing.as_str()),
            imports::claimed_by.eq(&token),
            imports::claimed_at.eq(now),
            imports::failure.eq(None::<String>),
        ))
        .execute(c))?;
        Ok((taken == 1).then_some(token))
    }

    /// Inside the write transaction: confirms the attempt still owns its claim and locks the
    /// import row until the transaction ends, so no sweep or takeover can slip in meanwhile.
    pub fn hold(&self, conn: &mut DbConn, id: i64, token: &str) -> Result<(), ApiError> {
        let held = with_conn!(conn, c => diesel::update(
            imports::table
                .find(id)
                .filter(imports::status.eq(Status::Committing.as_str()))
                .filter(imports::claimed_by.eq(token)),
        )
        .set(imports::claimed_at.eq(now()))
        .execute(c))?;
        if held == 1 {
            Ok(())
        } else {
            Err(ApiError::Conflict(
                "this commit's claim on the import expired and another commit took it over".into(),
            ))
        }
    }

    /// Returns dead claims (expired, or left by this instance before it restarted) to
    /// `previewed`. Each row is re-checked by the UPDATE itself, so instances sweeping at once
    /// cannot release a claim a live commit holds.
    pub fn sweep(&self, conn: &mut DbConn) -> Result<usize, ApiError> {
        let cutoff = self.cutoff(now());
        let escaped = self
            .stable_id
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let mine = format!("{escaped}#%");
        Ok(with_conn!(conn, c => diesel::update(
            imports::table
                .filter(imports::status.eq(Status::Committing.as_str()))
                .filter(
                    imports::claimed_at
                        .lt(cutoff)
                        .or(imports::claimed_at.is_null())
                        .or(imports::claimed_by.like(&mine).escape('\\')),
                ),
        )
        .set((
            imports::status.eq(Status::Previewed.as_str()),
            imports::claimed_by.eq(None::<String>),
            imports::claimed_at.eq(None::<NaiveDateTime>),
            imports::failure.eq(Some(RELEASED)),
        ))
        .execute(c))?)
    }
}
