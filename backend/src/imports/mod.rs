//! The life of an import: an uploaded bank file is previewed (parsed, nothing written), then
//! committed (all its new rows in one transaction, duplicates skipped), and can be undone (exactly
//! its rows removed). The file itself is read by `crate::bankfile`; this module decides what is
//! stored.

mod claim;
mod derived;
mod gate;
mod plan;
pub mod progress;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::bankfile::{
    self, DateOrder, DateOrderBasis, ImportError, Item, Limits, Mapping, ParseOptions, ParsedRow,
    Reading, RowProblem,
};
use crate::db::schema::{imports, mapping_profiles, transactions};
use crate::db::DbConn;
use crate::error::{ApiError, FieldError};
use crate::ledger::accounts::{self, Account, AccountKind};
use crate::ledger::transactions::CategorySource;
use crate::ledger::{merchants, not_found};
use crate::ml::registry::Categorizer;
use crate::money;
use crate::storage::Storage;
use crate::users::now;
use crate::with_conn;

pub use claim::Claims;
pub use gate::{Caps, Gate, Pass};
pub use plan::{Planned, Planner, PreviewRow};
pub use progress::Progress;

/// How many preview rows an upload answers with.
pub const PREVIEW_ROWS: usize = 20;
/// How many row problems are kept with an import (the count is always exact).
pub const KEPT_PROBLEMS: usize = 200;
/// Rows planned and written at a time on SQLite, one INSERT each (18 columns × 1,800 rows =
/// 32,400 variables, under its limit of 32,766); each batch also advances the progress.
const INSERT_BATCH: usize = 1800;
/// SQLite's page cache during a commit, in KiB. In the default (`db::SQLITE_CACHE_KIB`) a large
/// import's index pages do not fit: SQLite writes them out to the WAL in mid-transaction and
/// reads them back, over and over (a fifth of a commit's time in the profile).
const COMMIT_CACHE_KIB: i64 = 65_536;
/// Rows per COPY on PostgreSQL; each batch also advances the progress. The first COPY waits
/// for its batch to be read and planned, so a small batch starts the writing sooner; 20 COPYs
/// of 5,000 rows cost PostgreSQL the same as 5 of 20,000 (measured: docs/BENCHMARKS.md).
const COPY_BATCH: usize = 5_000;
/// How long a preview nobody commits is kept (with its stored file).
const PREVIEW_LIFETIME_HOURS: i64 = 24;

/// A transaction row as an import writes it. It owns its text: diesel reuses a prepared
/// multi-row INSERT only for rows of a type without borrowed parts (`insert_sqlite`).
#[derive(Insertable)]
#[diesel(table_name = transactions, treat_none_as_default_value = false)]
struct NewRow {
    user_id: i64,
    account_id: i64,
    date: chrono::NaiveDate,
    amount: i64,
    description: String,
    merchant: Option<String>,
    merchant_key: String,
    notes: Option<String>,
    category_id: Option<i64>,
    category_source: Option<&'static str>,
    category_confidence: Option<f64>,
    suggested_category_id: Option<i64>,
    is_transfer: bool,
    import_id: Option<i64>,
    external_id: Option<String>,
    fingerprint: String,
    created_at: Stamp,
    updated_at: Stamp,
}

/// The commit's time, as every row of it is stamped: SQLite takes a timestamp as text, which
/// diesel formats anew for each value it binds (two a row, a tenth of the insert's binding in
/// the profile); this one is formatted once per commit and bound as it is.
#[derive(Debug, Clone, diesel::expression::AsExpression)]
#[diesel(sql_type = diesel::sql_types::Timestamp)]
struct Stamp {
    at: NaiveDateTime,
    /// `at` as diesel writes a timestamp into SQLite.
    text: std::sync::Arc<str>,
}

impl Stamp {
    fn new(at: NaiveDateTime) -> Self {
        let text = at.format("%F %T%.f").to_string().into();
        Stamp { at, text }
    }
}

impl diesel::serialize::ToSql<diesel::sql_types::Timestamp, diesel::sqlite::Sqlite> for Stamp {
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
    ) -> diesel::serialize::Result {
        out.set_value(&*self.text);
        Ok(diesel::serialize::IsNull::No)
    }
}

impl diesel::serialize::ToSql<diesel::sql_types::Timestamp, diesel::pg::Pg> for Stamp {
    fn to_sql<'b>(
        &'b self,
        out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
    ) -> diesel::serialize::Result {
        diesel::serialize::ToSql::<diesel::sql_types::Timestamp, diesel::pg::Pg>::to_sql(
            &self.at, out,
        )
    }
}

impl NewRow {
    fn of(p: Planned, record: &ImportRecord, now: &Stamp) -> Self {
        NewRow {
            user_id: record.user_id,
            account_id: p.account_id,
            date: p.date,
            amount: p.amount,
            description: p.description.to_owned(),
            merchant: p.merchant.map(str::to_owned),
            merchant_key: p.merchant_key,
            notes: p.notes.map(str::to_owned),
            category_id: p.category_id,
            category_source: p.category_source.map(CategorySource::as_str),
            category_confidence: p.category_confidence,
            suggested_category_id: p.suggested_category_id,
            is_transfer: p.is_transfer,
            import_id: Some(record.id),
            external_id: p.external_id.map(str::to_owned),
            fingerprint: p.fingerprint,
            created_at: now.clone(),
            updated_at: now.clone(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Read and shown; nothing written yet.
    Previewed,
    /// Being written.
    Committing,
    /// Its rows are in the ledger.
    Committed,
    /// Writing failed; nothing was written. It can be committed again.
    Failed,
    /// Its rows were removed again.
    Undone,
    /// Committed, but the account already had every row: nothing was written. Kept so that a
    /// scheduled re-import gets an answer rather than an error; it can be discarded, and
    /// expires like a preview.
    NothingNew,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Previewed => "previewed",
            Status::Committing => "committing",
            Status::Committed => "committed",
            Status::Failed => "failed",
            Status::Undone => "undone",
            Status::NothingNew => "nothing_new",
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = imports)]
pub struct ImportRecord {
    pub id: i64,
    pub user_id: i64,
    pub account_id: i64,
    pub filename: String,
    pub format: String,
    pub status: String,
    pub mapping: String,
    pub file_key: String,
    pub file_sha256: String,
    pub file_size: i64,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub imported_count: i64,
    pub duplicate_count: i64,
    pub error_count: i64,
    pub skipped_count: i64,
    pub problems: String,
    pub failure: Option<String>,
    pub created_at: NaiveDateTime,
    pub committed_at: Option<NaiveDateTime>,
    pub undone_at: Option<NaiveDateTime>,
    pub claimed_by: Option<String>,
    pub claimed_at: Option<NaiveDateTime>,
}

impl ImportRecord {
    pub fn mapping(&self) -> Option<Mapping> {
        serde_json::from_str(&self.mapping).ok()
    }

    pub fn problems(&self) -> Vec<RowProblem> {
        serde_json::from_str(&self.problems).unwrap_or_default()
    }
}

/// A file as uploaded.
pub struct Upload {
    pub account_id: i64,
    pub filename: String,
    pub bytes: Vec<u8>,
    /// A mapping the caller chose; otherwise the one saved for this layout, or detection.
    pub mapping: Option<Mapping>,
    /// Overrides the mapping's `route_by_account`.
    pub route_by_account: Option<bool>,
}

/// What the file will become (or, after a one-call upload, became): the import record, what was
/// read, and the first rows as they will be stored.
pub struct Preview {
    pub record: ImportRecord,
    pub scan: Scan,
    pub rows: Vec<PreviewRow>,
    pub duplicates: usize,
}

/// A file read through once: what it is, what of its problems is kept, and the dates its rows
/// span. Its rows are not kept: planning and writing read the file again, so that no import
/// holds more than a batch of them.
pub struct Scan {
    pub reading: Reading,
    /// The first `KEPT_PROBLEMS` problems (the counts are in `reading`).
    pub problems: Vec<RowProblem>,
    /// The first `KEPT_PROBLEMS` problems that stop a commit.
    errors: Vec<RowProblem>,
    /// The first and last date of its rows.
    dates: Option<(chrono::NaiveDate, chrono::NaiveDate)>,
    /// Whether a row states its own currency.
    row_currencies: bool,
    /// The merchant keys of its money in: where refund evidence is looked for.
    credit_keys: HashSet<String>,
}

impl Scan {
    /// (unreadable, deliberately skipped) line counts.
    fn problem_counts(&self) -> (i64, i64) {
        (self.reading.errors as i64, self.reading.skipped as i64)
    }
}

/// A file-level problem, on the field the caller can fix.
impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> ApiError {
        let field = match e {
            ImportError::ColumnMissing { .. }
            | ImportError::ColumnNotFound { .. }
            | ImportError::BadMapping(_)
            | ImportError::UnknownEncoding(_) => "mapping",
            _ => "file",
        };
        ApiError::validation(field, e.to_string())
    }
}

/// How a file is read for an account.
fn options<'a>(
    account: &Account,
    filename: &'a str,
    mapping: Option<&'a Mapping>,
    limits: &Limits,
) -> ParseOptions<'a> {
    ParseOptions {
        limits: *limits,
        filename: Some(filename),
        mapping,
        minor_unit_digits: money::minor_unit_digits(&account.currency),
        card_account: account.kind == AccountKind::CreditCard.as_str(),
        no_wide_rows: false,
    }
}

/// Reads the file through once, keeping only what a scan keeps.
fn scan(bytes: &[u8], options: &ParseOptions) -> Result<Scan, ApiError> {
    let (mut problems, mut errors) = (Vec::new(), Vec::new());
    let (mut dates, mut row_currencies, mut credit_keys) = (None, false, HashSet::new());
    let reading = bankfile::read(bytes, options, |item| {
        match item {
            Item::Row(row) => {
                let (first, last) = dates.get_or_insert((row.date, row.date));
                *first = row.date.min(*first);
                *last = row.date.max(*last);
                row_currencies |= row.currency.is_some();
                if row.amount > 0 {
                    credit_keys.insert(merchants::key(row.payee.as_deref(), &row.description));
                }
            }
            Item::Problem(p) => {
                if !p.skipped && errors.len() < KEPT_PROBLEMS {
                    errors.push(p.clone());
                }
                if problems.len() < KEPT_PROBLEMS {
                    problems.push(p);
                }
            }
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(Scan {
        reading,
        problems,
        errors,
        dates,
        row_currencies,
        credit_keys,
    })
}

/// Reads the file again with the mapping a scan settled on, handing each row to `f`.
fn each_row(
    bytes: &[u8],
    options: &ParseOptions,
    scan: &Scan,
    mut f: impl FnMut(ParsedRow) -> Result<(), ApiError>,
) -> Result<(), ApiError> {
    let options = ParseOptions {
        mapping: Some(&scan.reading.mapping),
        no_wide_rows: scan.reading.findings.wide_rows.is_none(),
        ..*options
    };
    bankfile::read(bytes, &options, |item| match item {
        Item::Row(row) => f(row),
        Item::Problem(_) => Ok(()),
    })?;
    Ok(())
}

/// The file's layout, to find the mapping saved for files like it.
fn layout(parsed: &Reading) -> String {
    let shape = format!("{:?}|{}", parsed.format, parsed.headers.join("\u{1f}"));
    format!("{:x}", Sha256::digest(shape.as_bytes()))
}

/// The mapping saved for the layout, where one is. A field the saved mapping does not name was
/// added to `Mapping` after it was saved (Revolut's `fee_column`): it takes what detection found
/// for this file, as it would have had the field existed then, instead of its empty default.
fn saved_mapping(
    conn: &mut DbConn,
    account_id: i64,
    layout: &str,
    detected: &Mapping,
) -> Result<Option<Mapping>, ApiError> {
    let stored: Option<String> = with_conn!(conn, c => mapping_profiles::table
        .filter(mapping_profiles::account_id.eq(account_id))
        .filter(mapping_profiles::layout.eq(layout))
        .select(mapping_profiles::mapping)
        .first(c)
        .optional())?;
    let Some(Ok(serde_json::Value::Object(mut saved))) =
        stored.map(|m| serde_json::from_str::<serde_json::Value>(&m))
    else {
        return Ok(None);
    };
    if let Ok(serde_json::Value::Object(found)) = serde_json::to_value(detected) {
        for (field, value) in found {
            saved.entry(field).or_insert(value);
        }
    }
    Ok(serde_json::from_value(serde_json::Value::Object(saved)).ok())
}

fn save_mapping(
    conn: &mut DbConn,
    record: &ImportRecord,
    parsed: &Reading,
) -> Result<(), ApiError> {
    let layout = layout(parsed);
    let mapping = serde_json::to_string(&parsed.mapping)
        .map_err(|e| ApiError::Internal(format!("mapping: {e}")))?;
    let now = now();
    // One statement, so two commits of files of one layout cannot both find no profile and
    // both insert one.
    with_conn!(conn, c => diesel::insert_into(mapping_profiles::table)
        .values((
            mapping_profiles::user_id.eq(record.user_id),
            mapping_profiles::account_id.eq(record.account_id),
            mapping_profiles::layout.eq(&layout),
            mapping_profiles::mapping.eq(&mapping),
            mapping_profiles::updated_at.eq(now),
        ))
        .on_conflict((mapping_profiles::account_id, mapping_profiles::layout))
        .do_update()
        .set((
            mapping_profiles::mapping.eq(&mapping),
            mapping_profiles::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// Reads the file with the given mapping, else the mapping saved for its layout, else detection.
/// Dates that read two ways with nothing in the file to tell take the order of the account's
/// earlier imports, when those agree.
fn read(
    conn: &mut DbConn,
    account: &Account,
    bytes: &[u8],
    options: &ParseOptions,
) -> Result<Scan, ApiError> {
    let scanned = scan(bytes, options)?;
    if options.mapping.is_some() {
        return Ok(scanned);
    }
    let parsed = &scanned.reading;
    let saved = saved_mapping(conn, account.id, &layout(parsed), &parsed.mapping)?;
    let earlier = match (&saved, parsed.findings.unanswered()) {
        (None, Some(asked)) => earlier_date_order(conn, account.id, &asked.candidates)?,
        _ => None,
    };
    let chosen = match (saved, earlier) {
        (Some(saved), _) => Some(saved),
        (None, Some(order)) => Some(Mapping {
            date_order: Some(order),
            ..parsed.mapping.clone()
        }),
        (None, None) => None,
    };
    let Some(chosen) = chosen.filter(|m| *m != parsed.mapping) else {
        return Ok(scanned);
    };
    let reread = scan(
        bytes,
        &ParseOptions {
            mapping: Some(&chosen),
            ..*options
        },
    );
    let Ok(mut rescanned) = reread else {
        return Ok(scanned);
    };
    let reread = &mut rescanned.reading;
    // Say why the order is what it is, where the file alone left it open.
    if let (Some(asked), Some(order)) = (parsed.findings.unanswered(), chosen.date_order) {
        reread.findings.date_order = Some(bankfile::DateOrderFinding {
            order,
            basis: DateOrderBasis::EarlierImports,
            candidates: asked.candidates.clone(),
            exporter: None,
            message: format!(
                "Every date reads both ways; this account's earlier imports read dates as {}.",
                order.label()
            ),
        });
    }
    reread.findings.sign = reread.findings.sign.take().or(parsed.findings.sign.clone());
    reread.findings.wide_rows =
        (reread.findings.wide_rows.take()).or(parsed.findings.wide_rows.clone());
    Ok(rescanned)
}

/// The date order every earlier import into the account was read in (by its saved mappings),
/// when it is one of `candidates` and they agree.
fn earlier_date_order(
    conn: &mut DbConn,
    account_id: i64,
    candidates: &[DateOrder],
) -> Result<Option<DateOrder>, ApiError> {
    let stored: Vec<String> = with_conn!(conn, c => mapping_profiles::table
        .filter(mapping_profiles::account_id.eq(account_id))
        .select(mapping_profiles::mapping)
        .load(c))?;
    let orders: Vec<DateOrder> = stored
        .iter()
        .filter_map(|m| serde_json::from_str::<Mapping>(m).ok()?.date_order)
        .filter(|o| candidates.contains(o))
        .collect();
    let first = orders.first().copied();
    Ok(first.filter(|f| orders.iter().all(|o| o == f)))
}

fn account_for(conn: &mut DbConn, user_id: i64, account_id: i64) -> Result<Account, ApiError> {
    accounts::get(conn, user_id, account_id)
        .map_err(|_| ApiError::validation("account_id", "is not one of your accounts"))
}

/// Where the rows of a file go: the import's account or, when the mapping routes by account
/// (Dhana's own export of several accounts), the user's open account the row names.
struct Routes {
    account: Account,
    /// With routing: the user's open accounts by name.
    by_name: Option<HashMap<String, Account>>,
    /// The file's own currency, for rows that state none.
    currency: Option<String>,
    /// Every account a row may go to.
    accounts: Vec<i64>,
}

impl Routes {
    /// The account of a row, or why it has none: it names no account of the user's, or its
    /// money is in another currency than its account's (the amounts would be recorded as the
    /// wrong money).
    fn target(&self, row: &ParsedRow) -> Result<i64, FieldError> {
        let named = row
            .account
            .as_deref()
            .map(str::trim)
            .filter(|_| self.by_name.is_some());
        let target = match (named, &self.by_name) {
            (Some(name), Some(by_name)) => by_name.get(&name.to_lowercase()),
            _ => Some(&self.account),
        };
        let Some(target) = target else {
            return Err(FieldError::new(
                format!("line {}.account", row.line),
                format!(
                    "line {} belongs to the account \"{}\", and you have no open account of that name; create it, or import without routing by account",
                    row.line,
                    named.unwrap_or_default()
                ),
            ));
        };
        let currency = row.currency.as_ref().or(self.currency.as_ref());
        if let Some(currency) = currency.filter(|c| **c != target.currency) {
            let advice = if self.by_name.is_some() {
                format!("your account \"{}\" is in {}", target.name, target.currency)
            } else {
                format!(
                    "the account is in {}; import the rows of each currency into an account in that currency",
                    target.currency
                )
            };
            return Err(FieldError::new(
                format!("line {}.currency", row.line),
                format!("line {} is in {currency} but {advice}", row.line),
            ));
        }
        Ok(target.id)
    }
}

/// Where each row goes (see [`Routes`]). Refuses a file in another currency than its account,
/// and rows that cannot go anywhere, each by its line: a pass over the file when rows name an
/// account or a currency.
fn route(
    conn: &mut DbConn,
    user_id: i64,
    account: &Account,
    bytes: &[u8],
    options: &ParseOptions,
    scan: &Scan,
) -> Result<Routes, ApiError> {
    let parsed = &scan.reading;
    let routing = parsed.mapping.route_by_account && parsed.mapping.account_column.is_some();
    if let Some(currency) = parsed
        .currency
        .as_ref()
        .filter(|c| !routing && **c != account.currency)
    {
        return Err(ApiError::validation(
            "account_id",
            format!(
                "the file is in {currency} but the account is in {}; import it into an account in {currency}",
                account.currency
            ),
        ));
    }
    let by_name: Option<HashMap<String, Account>> = if routing {
        Some(
            accounts::list(conn, user_id, false)?
                .into_iter()
                .map(|a| (a.name.trim().to_lowercase(), a))
                .collect(),
        )
    } else {
        None
    };
    let mut targets = vec![account.id];
    targets.extend(by_name.iter().flat_map(|m| m.values().map(|a| a.id)));
    targets.sort_unstable();
    targets.dedup();
    let routes = Routes {
        account: account.clone(),
        by_name,
        currency: parsed.currency.clone(),
        accounts: targets,
    };
    let mut refused = Vec::new();
    if routing || scan.row_currencies {
        each_row(bytes, options, scan, |row| {
            if let Err(why) = routes.target(&row) {
                if refused.len() < KEPT_PROBLEMS {
                    refused.push(why);
                }
            }
            Ok(())
        })?;
    }
    if refused.is_empty() {
        return Ok(routes);
    }
    if !routing && parsed.mapping.account_column.is_some() {
        refused.insert(
            0,
            FieldError::new(
                "route_by_account",
                "the rows name their account (an export of several accounts): route each row to your account of that name and currency instead",
            ),
        );
    }
    refused.truncate(KEPT_PROBLEMS);
    Err(ApiError::Validation(refused))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|e| ApiError::Internal(format!("json: {e}")))
}

/// What an upload is for.
#[derive(Clone, Copy)]
pub enum Then {
    /// A preview: nothing reaches the ledger.
    Preview,
    /// The one-call upload (`?commit=true`): recorded as previewed, then committed at once.
    Commit { skip_invalid_rows: bool },
}

/// Reads an uploaded file and records it as previewed; then shows its first rows, or commits
/// it. A commit plans the rows once: the rows shown are its first ones, the duplicates its
/// count (a preview's own pass over the file would only count what the commit counts again).
pub fn upload(
    conn: &mut DbConn,
    runner: &Runner,
    user_id: i64,
    upload: Upload,
    then: Then,
) -> Result<Preview, ApiError> {
    let account = account_for(conn, user_id, upload.account_id)?;
    let options = options(
        &account,
        &upload.filename,
        upload.mapping.as_ref(),
        runner.limits,
    );
    let (record, scan, routes) = store(conn, runner, user_id, &account, &upload, &options)?;
    let Then::Commit { skip_invalid_rows } = then else {
        return preview_of(
            conn,
            runner.categorizer,
            user_id,
            routes,
            &upload.bytes,
            &options,
            record,
            scan,
        );
    };
    refuse_unreadable(&scan, skip_invalid_rows)?;
    let (record, rows) = commit_scanned(conn, runner, &record, &upload.bytes, &scan, &routes)?;
    Ok(Preview {
        duplicates: record.duplicate_count as usize,
        record,
        scan,
        rows,
    })
}

/// Reads an uploaded file, routes its rows, stores it and records it as previewed.
fn store(
    conn: &mut DbConn,
    runner: &Runner,
    user_id: i64,
    account: &Account,
    upload: &Upload,
    options: &ParseOptions,
) -> Result<(ImportRecord, Scan, Routes), ApiError> {
    let storage = runner.storage;
    expire_previews(conn, storage, user_id)?;
    let mut scan = read(conn, account, &upload.bytes, options)?;
    if let Some(route) = upload.route_by_account {
        scan.reading.mapping.route_by_account = route;
    }
    let routes = route(conn, user_id, account, &upload.bytes, options, &scan)?;
    let key = storage
        .put(&format!("imports/{user_id}"), &upload.bytes)
        .map_err(|e| ApiError::Internal(format!("storing the upload: {e}")))?;
    let parsed = &scan.reading;
    let row = (
        imports::user_id.eq(user_id),
        imports::account_id.eq(account.id),
        imports::filename.eq(&upload.filename),
        imports::format.eq(to_json(&parsed.format)?.trim_matches('"').to_owned()),
        imports::status.eq(Status::Previewed.as_str()),
        imports::mapping.eq(to_json(&parsed.mapping)?),
        imports::file_key.eq(&key),
        imports::file_sha256.eq(format!("{:x}", Sha256::digest(&upload.bytes))),
        imports::file_size.eq(upload.bytes.len() as i64),
        imports::total_rows.eq(parsed.rows as i64),
        imports::error_count.eq(scan.problem_counts().0),
        imports::skipped_count.eq(scan.problem_counts().1),
        imports::problems.eq(to_json(&scan.problems)?),
        imports::created_at.eq(now()),
    );
    let inserted = with_conn!(conn, c => diesel::insert_into(imports::table)
        .values(row)
        .returning(ImportRecord::as_returning())
        .get_result(c));
    match inserted {
        Ok(record) => Ok((record, scan, routes)),
        Err(e) => {
            // Nothing refers to the file yet: do not leave it behind.
            let _ = storage.delete(&key);
            Err(e.into())
        }
    }
}

pub fn get(conn: &mut DbConn, user_id: i64, id: i64) -> Result<ImportRecord, ApiError> {
    with_conn!(conn, c => imports::table
        .filter(imports::id.eq(id))
        .filter(imports::user_id.eq(user_id))
        .select(ImportRecord::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| not_found("import", id))
}

/// The user's imports, newest first.
pub fn list(
    conn: &mut DbConn,
    user_id: i64,
    account_id: Option<i64>,
    before_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ImportRecord>, ApiError> {
    Ok(with_conn!(conn, c => {
        let mut q = imports::table
            .filter(imports::user_id.eq(user_id))
            .select(ImportRecord::as_select())
            .order(imports::id.desc())
            .limit(limit)
            .into_boxed();
        if let Some(account) = account_id {
            q = q.filter(imports::account_id.eq(account));
        }
        if let Some(before) = before_id {
            q = q.filter(imports::id.lt(before));
        }
        q.load(c)
    })?)
}

/// The preview of a read file: its first rows as they will be stored, and how many of all are
/// duplicates (a pass over the file, planning each row and keeping the first few).
#[allow(clippy::too_many_arguments)]
fn preview_of(
    conn: &mut DbConn,
    categorizer: &Categorizer,
    user_id: i64,
    routes: Routes,
    bytes: &[u8],
    options: &ParseOptions,
    record: ImportRecord,
    scan: Scan,
) -> Result<Preview, ApiError> {
    let mut planner = Planner::new(
        conn,
        categorizer,
        user_id,
        &routes.accounts,
        scan.dates,
        &scan.credit_keys,
    )?;
    let (mut rows, mut duplicates) = (Vec::new(), 0);
    // Only the rows shown are categorized; the rest are only counted as duplicates or not.
    each_row(bytes, options, &scan, |row| {
        let account_id = routes
            .target(&row)
            .map_err(|e| ApiError::Validation(vec![e]))?;
        if rows.len() < PREVIEW_ROWS {
            let planned = planner.plan(&row, account_id);
            duplicates += usize::from(planned.duplicate);
            rows.push(PreviewRow::from(&planned));
        } else {
            duplicates += usize::from(planner.duplicate(&row, account_id));
        }
        Ok(())
    })?;
    Ok(Preview {
        record,
        scan,
        rows,
        duplicates,
    })
}

/// The original file of an import.
fn stored_file(storage: &Storage, record: &ImportRecord) -> Result<Vec<u8>, ApiError> {
    storage
        .get(&record.file_key)
        .map_err(|e| ApiError::Internal(format!("reading the stored upload: {e}")))
}

/// Reads the stored file again (with a corrected mapping, if given) and shows what it will be.
pub fn repreview(
    conn: &mut DbConn,
    runner: &Runner,
    user_id: i64,
    id: i64,
    mapping: Option<Mapping>,
) -> Result<Preview, ApiError> {
    let categorizer = runner.categorizer;
    let record = get(conn, user_id, id)?;
    let account = accounts::get(conn, user_id, record.account_id)?;
    let bytes = stored_file(runner.storage, &record)?;
    let mapping = mapping.or_else(|| record.mapping());
    let options = options(&account, &record.filename, mapping.as_ref(), runner.limits);
    let scan = read(conn, &account, &bytes, &options)?;
    let routes = route(conn, user_id, &account, &bytes, &options, &scan)?;
    let parsed = &scan.reading;
    let record = with_conn!(conn, c => diesel::update(imports::table.find(record.id))
        .set((
            imports::mapping.eq(to_json(&parsed.mapping)?),
            imports::total_rows.eq(parsed.rows as i64),
            imports::error_count.eq(scan.problem_counts().0),
            imports::skipped_count.eq(scan.problem_counts().1),
            imports::problems.eq(to_json(&scan.problems)?),
        ))
        .returning(ImportRecord::as_returning())
        .get_result(c))?;
    preview_of(
        conn,
        categorizer,
        user_id,
        routes,
        &bytes,
        &options,
        record,
        scan,
    )
}

pub struct CommitOptions {
    /// A corrected mapping; otherwise the import's own.
    pub mapping: Option<Mapping>,
    /// Import the readable rows even when some rows could not be read.
    pub skip_invalid_rows: bool,
}

/// Writes the import's new rows in one transaction: all of them or, on any error, none.
/// Rows already in the account (from an overlapping statement or an earlier import of the same
/// file) are skipped and counted. A preview whose dates read two ways with nothing to tell
/// asked how they are written; this commit waits for the answer (a mapping naming the order).
/// The one-call upload (`?commit=true`) has no preview to ask in: it imports in the order it
/// shows and says so in its findings, as scripts that cannot answer questions need.
pub fn commit(
    conn: &mut DbConn,
    runner: &Runner,
    user_id: i64,
    id: i64,
    options: CommitOptions,
) -> Result<ImportRecord, ApiError> {
    let record = get(conn, user_id, id)?;
    refuse_running_or_done(&record, runner.claims)?;
    let account = accounts::get(conn, user_id, record.account_id)?;
    let bytes = stored_file(runner.storage, &record)?;
    let mapping = options.mapping.or_else(|| record.mapping());
    let read_options = self::options(&account, &record.filename, mapping.as_ref(), runner.limits);
    let scan = read(conn, &account, &bytes, &read_options)?;
    // The preview asked how the dates are written: the answer comes with a mapping.
    if let Some(asked) = scan.reading.findings.unanswered() {
        return Err(ApiError::validation("mapping.date_order", &asked.message));
    }
    refuse_unreadable(&scan, options.skip_invalid_rows)?;
    let routes = route(conn, user_id, &account, &bytes, &read_options, &scan)?;
    commit_scanned(conn, runner, &record, &bytes, &scan, &routes).map(|(record, _)| record)
}

/// Refuses a commit of a file with unreadable rows, each named by its line, unless they are to
/// be skipped.
fn refuse_unreadable(scan: &Scan, skip_invalid_rows: bool) -> Result<(), ApiError> {
    if scan.reading.errors > 0 && !skip_invalid_rows {
        return Err(ApiError::Validation(
            scan.errors
                .iter()
                .map(|p| FieldError::new(format!("line {}.{}", p.line, p.field), &p.message))
                .collect(),
        ));
    }
    Ok(())
}

/// What a commit needs besides the connection: where files are, progress, the categorizer and
/// this instance's claims.
pub struct Runner<'a> {
    pub storage: &'a Storage,
    pub progress: &'a Progress,
    pub categorizer: &'a Categorizer,
    pub claims: &'a Claims,
    pub limits: &'a Limits,
}

fn refuse_running_or_done(record: &ImportRecord, claims: &Claims) -> Result<(), ApiError> {
    match record.status.as_str() {
        "committed" => Err(ApiError::Conflict(
            "this import is already committed".into(),
        )),
        // Undo deletes the stored statement: nothing of it stays on the server.
        "undone" => Err(ApiError::Conflict(
            "this import was undone and its file deleted; upload the file again to import it"
                .into(),
        )),
        "committing" if claims.is_live(record) => Err(being_committed()),
        _ => Ok(()),
    }
}

pub(crate) fn being_committed() -> ApiError {
    ApiError::Conflict(
        "this import is being committed right now by another request; wait for it to finish".into(),
    )
}

/// Commits an import whose file was just read and routed (by `upload` or `commit`),
/// its unreadable rows already refused or to be skipped. A file the account already has every
/// row of ends as `nothing_new`, not as an empty `committed` entry. Returns the record and the
/// first rows as planned (what a preview shows).
fn commit_scanned(
    conn: &mut DbConn,
    runner: &Runner,
    record: &ImportRecord,
    bytes: &[u8],
    scan: &Scan,
    routes: &Routes,
) -> Result<(ImportRecord, Vec<PreviewRow>), ApiError> {
    refuse_running_or_done(record, runner.claims)?;
    let account = accounts::get(conn, record.user_id, record.account_id)?;
    let options = options(
        &account,
        &record.filename,
        Some(&scan.reading.mapping),
        runner.limits,
    );
    let parsed = &scan.reading;
    let Some(token) = runner.claims.claim(conn, record.id)? else {
        // Lost the race: say what the winner made of it.
        let now = get(conn, record.user_id, record.id)?;
        refuse_running_or_done(&now, runner.claims)?;
        return Err(being_committed());
    };
    // The rows, the mapping profile and the final status are one transaction: a commit killed
    // anywhere in it leaves nothing but its claim.
    let written = conn.transaction(|conn| -> Result<_, ApiError> {
        runner.claims.hold(conn, record.id, &token)?;
        let (imported, duplicates, shown) =
            write(conn, runner, record, routes, bytes, &options, scan)?;
        save_mapping(conn, record, parsed)?;
        let (status, committed_at) = if imported == 0 && duplicates > 0 {
            (Status::NothingNew, None)
        } else {
            (Status::Committed, Some(now()))
        };
        let committed = with_conn!(conn, c => diesel::update(imports::table.find(record.id))
            .set((
                imports::status.eq(status.as_str()),
                imports::failure.eq(None::<String>),
                imports::claimed_by.eq(None::<String>),
                imports::claimed_at.eq(None::<NaiveDateTime>),
                imports::mapping.eq(to_json(&parsed.mapping)?),
                imports::total_rows.eq(parsed.rows as i64),
                imports::processed_rows.eq(parsed.rows as i64),
                imports::imported_count.eq(imported as i64),
                imports::duplicate_count.eq(duplicates as i64),
                imports::error_count.eq(scan.problem_counts().0),
                imports::skipped_count.eq(scan.problem_counts().1),
                imports::problems.eq(to_json(&scan.problems)?),
                imports::committed_at.eq(committed_at),
                imports::undone_at.eq(None::<NaiveDateTime>),
            ))
            .returning(ImportRecord::as_returning())
            .get_result(c))?;
        Ok((committed, shown))
    });
    runner.progress.finish(record.id);
    match written {
        Ok(committed) => Ok(committed),
        Err(e) => {
            // Only this attempt's own claim turns into a failure; a takeover keeps its own.
            with_conn!(conn, c => diesel::update(
                imports::table.find(record.id).filter(imports::claimed_by.eq(&token)),
            )
            .set((
                imports::status.eq(Status::Failed.as_str()),
                imports::failure.eq(Some(e.to_string())),
                imports::claimed_by.eq(None::<String>),
                imports::claimed_at.eq(None::<NaiveDateTime>),
            ))
            .execute(c))?;
            Err(e)
        }
    }
}

/// The inside of the commit transaction: the file is read again and written batch by batch.
/// Returns (imported, duplicates skipped, the first `PREVIEW_ROWS` rows as planned).
fn write(
    conn: &mut DbConn,
    runner: &Runner,
    record: &ImportRecord,
    routes: &Routes,
    bytes: &[u8],
    options: &ParseOptions,
    scan: &Scan,
) -> Result<(usize, usize, Vec<PreviewRow>), ApiError> {
    // PostgreSQL: two commits into one account wait for each other, so both cannot miss each
    // other's rows in the duplicate check; accounts are locked in id order, so two commits
    // into the same accounts cannot deadlock. (SQLite's BEGIN IMMEDIATE already serializes
    // writers.)
    if let DbConn::Postgres(c) = conn {
        for id in &routes.accounts {
            diesel::sql_query("SELECT id FROM accounts WHERE id = $1 FOR UPDATE")
                .bind::<diesel::sql_types::BigInt, _>(id)
                .execute(&mut **c)?;
        }
    }
    conn.with_sqlite_cache(COMMIT_CACHE_KIB, |conn| {
        // SQLite: the import's rows are those of its id after this one (see `derived`).
        let before_first = match conn {
            DbConn::Sqlite(c) => derived::last_id(c)?,
            DbConn::Postgres(_) => 0,
        };
        let planner = Planner::new(
            conn,
            runner.categorizer,
            record.user_id,
            &routes.accounts,
            scan.dates,
            &scan.credit_keys,
        )?;
        runner.progress.start(record.id, scan.reading.rows);
        let batch_size = match conn {
            DbConn::Postgres(_) => COPY_BATCH,
            DbConn::Sqlite(_) => INSERT_BATCH,
        };
        let now = Stamp::new(now());
        // The file is read and the next batch planned (parsing and categorizing: CPU in this
        // process) on one thread while this one writes the batch before (mostly the database's
        // work). Reading and planning stay in file order on their one thread, as duplicates and
        // refunds need; at most three batches are held at once.
        std::thread::scope(|scope| {
            let (planned_tx, planned_rx) = std::sync::mpsc::sync_channel::<(Vec<NewRow>, usize)>(1);
            let reader = scope.spawn(move || {
                let mut planner = planner;
                let mut shown = Vec::new();
                let mut batch: Vec<(ParsedRow, i64)> = Vec::with_capacity(batch_size);
                let mut send = |batch: &mut Vec<(ParsedRow, i64)>| {
                    let fresh = batch
                        .iter()
                        .map(|(row, account_id)| planner.plan(row, *account_id))
                        .inspect(|p| {
                            if shown.len() < PREVIEW_ROWS {
                                shown.push(PreviewRow::from(p));
                            }
                        })
                        .filter(|p| !p.duplicate)
                        .map(|p| NewRow::of(p, record, &now))
                        .collect();
                    let sent = planned_tx.send((fresh, batch.len()));
                    batch.clear();
                    // Closed: the writer failed, and its error is the one answered.
                    sent.map_err(|_| ApiError::Internal("the import's writer stopped".into()))
                };
                each_row(bytes, options, scan, |row| {
                    let account_id = routes
                        .target(&row)
                        .map_err(|e| ApiError::Validation(vec![e]))?;
                    batch.push((row, account_id));
                    if batch.len() == batch_size {
                        send(&mut batch)?;
                    }
                    Ok(())
                })?;
                if !batch.is_empty() {
                    send(&mut batch)?;
                }
                Ok::<_, ApiError>(shown)
            });
            let (mut imported, mut duplicates, mut done) = (0, 0, 0);
            for (fresh, count) in planned_rx {
                write_batch(conn, record.id, &fresh)?;
                imported += fresh.len();
                duplicates += count - fresh.len();
                done += count;
                runner.progress.advance(record.id, done);
            }
            let shown = match reader.join() {
                Ok(read) => read?,
                Err(panic) => std::panic::resume_unwind(panic),
            };
            if let (DbConn::Sqlite(c), true) = (&mut *conn, imported > 0) {
                derived::text_indexed(c, record.id, before_first)?;
                derived::ledger_written(c, record.user_id)?;
            }
            Ok((imported, duplicates, shown))
        })
    })
}

/// Inserts a batch's new rows (of import `import_id`), with what the triggers keep in step.
fn write_batch(conn: &mut DbConn, import_id: i64, fresh: &[NewRow]) -> Result<(), ApiError> {
    match conn {
        _ if fresh.is_empty() => {}
        // PostgreSQL's COPY is its fastest way in, and stays inside the transaction.
        DbConn::Postgres(c) => {
            diesel::copy_from(transactions::table)
                .from_insertable(fresh)
                .execute(&mut **c)?;
        }
        DbConn::Sqlite(c) => {
            let after = derived::last_id(c)?;
            insert_sqlite(c, fresh)?;
            derived::batch_written(c, import_id, after)?;
        }
    }
    Ok(())
}

/// SQLite: the rows as multi-row INSERTs of fixed row counts (1,800, then 100, 10 and 1 for
/// the rest), which diesel prepares once per connection and reuses. It caches no INSERT of a
/// `Vec` of rows: each was parsed again, its triggers compiled into it again, a fifth of a commit
/// in the profile.
fn insert_sqlite(c: &mut diesel::SqliteConnection, rows: &[NewRow]) -> QueryResult<()> {
    let rest = insert_exact::<INSERT_BATCH>(c, rows)?;
    let rest = insert_exact::<100>(c, rest)?;
    let rest = insert_exact::<10>(c, rest)?;
    insert_exact::<1>(c, rest)?;
    Ok(())
}

/// Inserts the rows `N` at a time; returns those left over (fewer than `N`).
fn insert_exact<'r, const N: usize>(
    c: &mut diesel::SqliteConnection,
    rows: &'r [NewRow],
) -> QueryResult<&'r [NewRow]> {
    let chunks = rows.chunks_exact(N);
    let rest = chunks.remainder();
    for chunk in chunks {
        let chunk: &[NewRow; N] = chunk.try_into().expect("chunks_exact gives N rows");
        diesel::insert_into(transactions::table)
            .values(chunk)
            .execute(c)?;
    }
    Ok(rest)
}

/// Imports that put nothing in the ledger: a preview, a commit that failed, or one that found
/// nothing new.
const UNCOMMITTED: [&str; 3] = ["previewed", "failed", "nothing_new"];

/// Removes the user's previews (failed commits, commits that found nothing new) older than a
/// day, with their files.
/// Conditional on the status, so one being committed right now is never taken away.
pub fn expire_previews(
    conn: &mut DbConn,
    storage: &Storage,
    user_id: i64,
) -> Result<usize, ApiError> {
    let cutoff = now() - chrono::Duration::hours(PREVIEW_LIFETIME_HOURS);
    let keys: Vec<String> = with_conn!(conn, c => diesel::delete(
        imports::table
            .filter(imports::user_id.eq(user_id))
            .filter(imports::status.eq_any(UNCOMMITTED))
            .filter(imports::created_at.lt(cutoff)),
    )
    .returning(imports::file_key)
    .get_results(c))?;
    storage.delete_all(&keys);
    Ok(keys.len())
}

/// What removing an import did.
pub enum Removed {
    /// It was committed: its rows were taken out again; the record stays, as `undone`.
    Undone(Box<ImportRecord>),
    /// It never reached the ledger: the record and its file are gone.
    Discarded,
}

/// Removes an import: undoes a committed one, discards one that was only previewed (or whose
/// commit failed or found nothing new).
pub fn remove(
    conn: &mut DbConn,
    storage: &Storage,
    claims: &Claims,
    user_id: i64,
    id: i64,
) -> Result<Removed, ApiError> {
    let mut record = get(conn, user_id, id)?;
    if record.status == Status::Committing.as_str() && !claims.is_live(&record) {
        // A commit that died: its claim goes back to `previewed` first, like at start-up.
        claims.sweep(conn)?;
        record = get(conn, user_id, id)?;
    }
    if !UNCOMMITTED.contains(&record.status.as_str()) {
        return undo(conn, storage, user_id, id).map(|r| Removed::Undone(Box::new(r)));
    }
    let deleted = with_conn!(conn, c => diesel::delete(
        imports::table
            .find(record.id)
            .filter(imports::status.eq_any(UNCOMMITTED)),
    )
    .execute(c))?;
    if deleted == 0 {
        return Err(ApiError::Conflict(
            "this import is being committed right now".into(),
        ));
    }
    storage.delete_all([&record.file_key]);
    Ok(Removed::Discarded)
}

/// Removes exactly the rows this import added and its stored file; the file can then be
/// uploaded again.
pub fn undo(
    conn: &mut DbConn,
    storage: &Storage,
    user_id: i64,
    id: i64,
) -> Result<ImportRecord, ApiError> {
    let record = get(conn, user_id, id)?;
    if record.status != Status::Committed.as_str() {
        return Err(ApiError::Conflict(format!(
            "only a committed import can be undone; this one is {}",
            record.status
        )));
    }
    let undone = conn.transaction(|conn| {
        with_conn!(conn, c => diesel::delete(
            transactions::table
                .filter(transactions::user_id.eq(user_id))
                .filter(transactions::import_id.eq(record.id)),
        )
        .execute(c))?;
        Ok::<_, ApiError>(
            with_conn!(conn, c => diesel::update(imports::table.find(record.id))
            .set((
                imports::status.eq(Status::Undone.as_str()),
                imports::undone_at.eq(Some(now())),
            ))
            .returning(ImportRecord::as_returning())
            .get_result(c))?,
        )
    })?;
    storage.delete_all([&undone.file_key]);
    Ok(undone)
}
