//! Reports: a period's money as a PDF, an XLSX workbook or a CSV file, saved for the user. A
//! report record is made at once; its file is made in the request when the period is small and
//! in the background otherwise (`worker`), by whichever server instance claims the record.
//! Files go through the storage module and live exactly as long as their record.

pub mod pdf;
pub mod summary;
pub mod tables;
pub mod worker;
pub mod xlsx;

use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::analytics::period::{Period, PeriodKind};
use crate::db::schema::{report_accounts, reports, transactions};
use crate::db::{DbConn, Pool};
use crate::debts::{self, CurrentDebt};
use crate::error::ApiError;
use crate::forecast::bills::Ledgers;
use crate::goals::{self, GoalView};
use crate::ledger::transactions::{self as ledger, Exported, Resolved};
use crate::ledger::{accounts as account_store, export, not_found};
use crate::storage::Storage;
use crate::users::User;
use crate::with_conn;

use summary::PeriodSummary;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = ReportKind)]
pub enum Kind {
    Pdf,
    Xlsx,
    Csv,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Xlsx => "xlsx",
            Kind::Csv => "csv",
        }
    }

    fn parse(value: &str) -> Kind {
        match value {
            "pdf" => Kind::Pdf,
            "xlsx" => Kind::Xlsx,
            _ => Kind::Csv,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Csv => "text/csv; charset=utf-8",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = ReportStatus)]
pub enum Status {
    Queued,
    Running,
    Ready,
    Failed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Ready => "ready",
            Status::Failed => "failed",
        }
    }

    fn parse(value: &str) -> Status {
        match value {
            "queued" => Status::Queued,
            "running" => Status::Running,
            "ready" => Status::Ready,
            _ => Status::Failed,
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = reports)]
pub struct Record {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub period_kind: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub include_transactions: bool,
    pub status: String,
    pub progress: i32,
    pub transaction_count: i64,
    pub failure: Option<String>,
    pub file_key: Option<String>,
    pub file_size: Option<i64>,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<NaiveDateTime>,
    pub attempts: i32,
    pub created_at: NaiveDateTime,
    pub finished_at: Option<NaiveDateTime>,
}

impl Record {
    pub fn kind(&self) -> Kind {
        Kind::parse(&self.kind)
    }

    pub fn status(&self) -> Status {
        Status::parse(&self.status)
    }

    pub fn period(&self) -> Period {
        let kind = match self.period_kind.as_str() {
            "month" => PeriodKind::Month,
            "year" => PeriodKind::Year,
            _ => PeriodKind::Range,
        };
        Period::of(kind, self.period_from, self.period_to)
    }

    /// `dhana-2026-03.pdf`, `dhana-2025.xlsx`, `dhana-2026-01-01_2026-03-31.csv`.
    pub fn file_name(&self) -> String {
        let period = self.period();
        let label = match period.kind {
            PeriodKind::Range => format!("{}_{}", period.from, period.to),
            _ => period.label,
        };
        format!("dhana-{label}.{}", self.kind().as_str())
    }
}

/// A report with the accounts it is restricted to.
pub type WithAccounts = (Record, Vec<i64>);

/// What a user asks for.
pub struct NewReport {
    pub kind: Kind,
    pub period: Period,
    /// Only these accounts; empty: all.
    pub accounts: Vec<i64>,
    pub include_transactions: bool,
}

/// Whether the file of a new report is made in the request or left to the background worker.
pub enum Making {
    Now,
    InBackground,
}

/// The most transactions a PDF lists. genpdf lays out every cell as a paragraph and keeps every
/// page until the end: a 100,000-row year took 25 s of CPU and 7 GB of memory for 2,000 pages
/// (`scripts/bench-reports`). The workbook and the CSV hold any number of rows.
pub const PDF_TRANSACTIONS_MAX: i64 = 2_000;

/// Records the report: `running` and claimed by `instance` when it has at most
/// `background_above` transactions (the caller then makes it at once with `make`), `queued`
/// for the worker otherwise.
pub fn create(
    conn: &mut DbConn,
    user_id: i64,
    new: NewReport,
    instance: &str,
    background_above: i64,
) -> Result<(WithAccounts, Making), ApiError> {
    let mut accounts = new.accounts.clone();
    accounts.sort_unstable();
    accounts.dedup();
    for id in &accounts {
        account_store::get(conn, user_id, *id)
            .map_err(|_| ApiError::validation("account_ids", "are not all your accounts"))?;
    }
    let count = transaction_count(conn, user_id, &new.period, &accounts)?;
    if new.kind == Kind::Pdf && new.include_transactions && count > PDF_TRANSACTIONS_MAX {
        return Err(ApiError::validation(
            "include_transactions",
            format!(
                "the period has {count} transactions and a PDF lists at most \
                 {PDF_TRANSACTIONS_MAX}: choose a shorter period, or the Excel or CSV report"
            ),
        ));
    }
    let making = if count > background_above {
        Making::InBackground
    } else {
        Making::Now
    };
    let now = Utc::now().naive_utc();
    let (status, claimed_by, claimed_at) = match making {
        Making::Now => (Status::Running, Some(instance.to_owned()), Some(now)),
        Making::InBackground => (Status::Queued, None, None),
    };
    let period_kind = match new.period.kind {
        PeriodKind::Month => "month",
        PeriodKind::Year => "year",
        PeriodKind::Range => "range",
    };
    let values = (
        reports::user_id.eq(user_id),
        reports::kind.eq(new.kind.as_str()),
        reports::period_kind.eq(period_kind),
        reports::period_from.eq(new.period.from),
        reports::period_to.eq(new.period.to),
        reports::include_transactions.eq(new.include_transactions),
        reports::status.eq(status.as_str()),
        reports::progress.eq(0),
        reports::transaction_count.eq(count),
        reports::claimed_by.eq(claimed_by),
        reports::claimed_at.eq(claimed_at),
        reports::attempts.eq(i32::from(matches!(making, Making::Now))),
        reports::created_at.eq(now),
    );
    let record = conn.transaction(|conn| {
        let record: Record = with_conn!(conn, c => diesel::insert_into(reports::table)
            .values(values.clone())
            .returning(Record::as_returning())
            .get_result(c))?;
        for account in &accounts {
            with_conn!(conn, c => diesel::insert_into(report_accounts::table)
                .values((
                    report_accounts::report_id.eq(record.id),
                    report_accounts::account_id.eq(*account),
                ))
                .execute(c))?;
        }
        Ok::<_, ApiError>(record)
    })?;
    Ok(((record, accounts), making))
}

/// Transactions in the period (every currency, transfers too: what the CSV lists).
fn transaction_count(
    conn: &mut DbConn,
    user_id: i64,
    period: &Period,
    accounts: &[i64],
) -> Result<i64, ApiError> {
    Ok(with_conn!(conn, c => {
        let mut q = transactions::table
            .filter(transactions::user_id.eq(user_id))
            .filter(transactions::date.between(period.from, period.to))
            .select(count_star())
            .into_boxed::<Backend>();
        if !accounts.is_empty() {
            q = q.filter(transactions::account_id.eq_any(accounts));
        }
        q.get_result(c)
    })?)
}

fn accounts_of(conn: &mut DbConn, report_ids: &[i64]) -> Result<Vec<(i64, i64)>, ApiError> {
    Ok(with_conn!(conn, c => report_accounts::table
        .filter(report_accounts::report_id.eq_any(report_ids))
        .select((report_accounts::report_id, report_accounts::account_id))
        .order((report_accounts::report_id, report_accounts::account_id))
        .load(c))?)
}

fn with_accounts(conn: &mut DbConn, records: Vec<Record>) -> Result<Vec<WithAccounts>, ApiError> {
    let ids: Vec<i64> = records.iter().map(|r| r.id).collect();
    let links = accounts_of(conn, &ids)?;
    Ok(records
        .into_iter()
        .map(|r| {
            let accounts = links
                .iter()
                .filter(|(report, _)| *report == r.id)
                .map(|(_, account)| *account)
                .collect();
            (r, accounts)
        })
        .collect())
}

/// The user's reports, newest first, before the report `before_id` when given.
pub fn list(
    conn: &mut DbConn,
    user_id: i64,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<WithAccounts>, ApiError> {
    let records: Vec<Record> = with_conn!(conn, c => {
        let mut q = reports::table
            .filter(reports::user_id.eq(user_id))
            .select(Record::as_select())
            .order(reports::id.desc())
            .limit(limit)
            .into_boxed::<Backend>();
        if let Some(before) = before_id {
            q = q.filter(reports::id.lt(before));
        }
        q.load(c)
    })?;
    with_accounts(conn, records)
}

fn owned(conn: &mut DbConn, user_id: i64, id: i64) -> Result<Record, ApiError> {
    with_conn!(conn, c => reports::table
        .filter(reports::id.eq(id))
        .filter(reports::user_id.eq(user_id))
        .select(Record::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| not_found("report", id))
}

pub fn get(conn: &mut DbConn, user_id: i64, id: i64) -> Result<WithAccounts, ApiError> {
    let record = owned(conn, user_id, id)?;
    Ok(with_accounts(conn, vec![record])?.remove(0))
}

/// The finished file: (bytes, record). A report still being made, or one that failed, has none.
pub fn file(
    conn: &mut DbConn,
    storage: &Storage,
    user_id: i64,
    id: i64,
) -> Result<(Vec<u8>, Record), ApiError> {
    let record = owned(conn, user_id, id)?;
    let key = match (&record.file_key, record.status()) {
        (Some(key), Status::Ready) => key.clone(),
        (_, Status::Failed) => return Err(ApiError::Conflict("the report failed".into())),
        _ => return Err(ApiError::Conflict("the report is not ready yet".into())),
    };
    let bytes = storage
        .get(&key)
        .map_err(|e| ApiError::Internal(format!("report file {key}: {e}")))?;
    Ok((bytes, record))
}

/// Deletes the report and its file (a file still being made is removed by its maker, who finds
/// the record gone).
pub fn delete(conn: &mut DbConn, storage: &Storage, user_id: i64, id: i64) -> Result<(), ApiError> {
    let record = owned(conn, user_id, id)?;
    with_conn!(conn, c => diesel::delete(reports::table.find(record.id)).execute(c))?;
    storage.delete_all(record.file_key);
    Ok(())
}

/// Deletes the reports restricted to the account (inside the caller's transaction) and returns
/// their file keys, for the caller to remove once the account is gone.
pub fn delete_for_account(conn: &mut DbConn, account_id: i64) -> Result<Vec<String>, ApiError> {
    let ids: Vec<i64> = with_conn!(conn, c => report_accounts::table
        .filter(report_accounts::account_id.eq(account_id))
        .select(report_accounts::report_id)
        .load(c))?;
    let keys: Vec<Option<String>> = with_conn!(conn, c => diesel::delete(
        reports::table.filter(reports::id.eq_any(&ids))
    )
    .returning(reports::file_key)
    .get_results(c))?;
    Ok(keys.into_iter().flatten().collect())
}

/// The file keys of all the user's reports, for removal once the user is deleted.
pub fn file_keys_of_user(conn: &mut DbConn, user_id: i64) -> Result<Vec<String>, ApiError> {
    let keys: Vec<Option<String>> = with_conn!(conn, c => reports::table
        .filter(reports::user_id.eq(user_id))
        .select(reports::file_key)
        .load(c))?;
    Ok(keys.into_iter().flatten().collect())
}

/// Everything a report file shows.
pub struct Contents {
    pub user: User,
    pub period: Period,
    /// Names of the accounts it is restricted to; empty: all.
    pub account_names: Vec<String>,
    pub generated_at: NaiveDateTime,
    pub summary: PeriodSummary,
    /// Oldest first, with (currency, account name, category name); empty for a PDF without
    /// its appendix.
    pub transactions: Vec<Exported>,
    pub goals: Vec<GoalView>,
    pub debts: Vec<CurrentDebt>,
    /// Insights, forecast and upcoming bills as of the day it is made; `None` for a report on
    /// some accounts only, since they are about all of them.
    pub ahead: Option<summary::Ahead>,
}

/// Days of upcoming bills a report lists: what `GET /bills/upcoming` lists by default.
pub const BILL_DAYS: i64 = 30;

/// "all" or the names of the accounts the report is restricted to.
pub fn accounts_line(contents: &Contents) -> String {
    if contents.account_names.is_empty() {
        "all".into()
    } else {
        contents.account_names.join(", ")
    }
}

/// Reports `percent` done (0–100) while a file is made; the worker keeps its claim alive with it.
pub type Progress<'a> = &'a mut dyn FnMut(i32);

/// How long a report waits for a second connection to read its rows on before reading them on
/// its first: long enough for the pool to open one, short against the report itself.
const SECOND_CONNECTION_WAIT: Duration = Duration::from_millis(100);

/// Makes the report's file: reads what it shows, then writes it.
pub fn render(
    conn: &mut DbConn,
    pool: &Pool,
    ledgers: &Ledgers,
    record: &Record,
    accounts: &[i64],
    today: NaiveDate,
    progress: Progress,
) -> Result<Vec<u8>, ApiError> {
    let user = crate::users::find(conn, record.user_id)?
        .ok_or_else(|| not_found("user", record.user_id))?;
    let period = record.period();
    let filter = Resolved::days(period.from, period.to, accounts);
    if record.kind() == Kind::Csv {
        progress(50);
        return Ok(export::csv(conn, user.id, &filter)?.into_bytes());
    }
    let wants_rows = record.kind() == Kind::Xlsx || record.include_transactions;
    // The rows are read on a second connection while this one computes the summary: each takes a
    // few hundred milliseconds for a 100,000-row year, and the machine has more than one core. A
    // busy pool is not waited for: the rows are then read here, after the summary.
    let (summary, ahead, transactions) = std::thread::scope(|scope| {
        let (user_id, filter) = (user.id, &filter);
        let reader = wants_rows
            .then(|| pool.get_timeout(Some(SECOND_CONNECTION_WAIT)).ok())
            .flatten()
            .map(|mut second| {
                scope.spawn(move || ledger::all_matching(&mut second, user_id, filter))
            });
        let summary = summary::period_summary(
            conn,
            user.id,
            &user.base_currency,
            accounts,
            period.clone(),
            today,
        )?;
        progress(20);
        let ahead = if accounts.is_empty() {
            Some(summary::ahead(
                conn,
                ledgers,
                user.id,
                &user.base_currency,
                today,
                BILL_DAYS,
            )?)
        } else {
            None
        };
        progress(30);
        let transactions = match reader {
            Some(reader) => reader
                .join()
                .map_err(|_| ApiError::Internal("reading a report's rows panicked".into()))??,
            None if wants_rows => ledger::all_matching(conn, user_id, filter)?,
            None => Vec::new(),
        };
        Ok::<_, ApiError>((summary, ahead, transactions))
    })?;
    progress(40);
    let mut account_names = Vec::new();
    for id in accounts {
        account_names.push(account_store::get(conn, user.id, *id)?.name);
    }
    let contents = Contents {
        ahead,
        goals: goals::list(conn, user.id, today, false)?,
        debts: debts::list(conn, user.id)?,
        user,
        period,
        account_names,
        generated_at: Utc::now().naive_utc(),
        summary,
        transactions,
    };
    match record.kind() {
        Kind::Pdf => pdf::write(&contents, progress),
        _ => xlsx::write(&contents, progress),
    }
}

/// Makes the file of a report this instance claimed and stores it; marks the report ready, or
/// failed (the cause goes to the log). A report deleted, or taken over, meanwhile keeps nothing.
pub fn make(
    conn: &mut DbConn,
    pool: &Pool,
    storage: &Storage,
    ledgers: &Ledgers,
    instance: &str,
    (record, accounts): &WithAccounts,
    progress: Progress,
) -> Result<(), ApiError> {
    let today = Utc::now().date_naive();
    let made = render(conn, pool, ledgers, record, accounts, today, progress).and_then(|bytes| {
        let key = storage
            .put(&format!("reports/{}", record.user_id), &bytes)
            .map_err(|e| ApiError::Internal(format!("storing report {}: {e}", record.id)))?;
        Ok((key, bytes.len() as i64))
    });
    let ours = reports::table
        .filter(reports::id.eq(record.id))
        .filter(reports::status.eq(Status::Running.as_str()))
        .filter(reports::claimed_by.eq(instance));
    let now = Utc::now().naive_utc();
    match made {
        Ok((key, size)) => {
            let kept = with_conn!(conn, c => diesel::update(ours)
                .set((
                    reports::status.eq(Status::Ready.as_str()),
                    reports::progress.eq(100),
                    reports::file_key.eq(&key),
                    reports::file_size.eq(size),
                    reports::finished_at.eq(now),
                ))
                .execute(c));
            if !matches!(kept, Ok(1)) {
                storage.delete_all([key]);
            }
            kept?;
        }
        Err(error) => {
            tracing::error!(report = record.id, error = ?error, "a report could not be made");
            with_conn!(conn, c => diesel::update(ours)
                .set((
                    reports::status.eq(Status::Failed.as_str()),
                    reports::failure.eq("the report could not be made"),
                    reports::finished_at.eq(now),
                ))
                .execute(c))?;
        }
    }
    Ok(())
}
