//! Bank-file imports: upload and preview, correct the mapping, commit, watch progress, undo.

use actix_multipart::Multipart;
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::{delete, get, post, web, HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::extract::{control_character, control_character_at, ValidJson, ValidQuery};
use crate::api::IdPage;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::badges;
use crate::bankfile::{CleanedCell, Format, LayoutFindings, Mapping, RowProblem};
use crate::error::responses::{AuthErrors, BodyErrors, ImportBusy, NotFound};
use crate::error::{ApiError, Problem};
use crate::imports::{
    self, CommitOptions, ImportRecord, Preview, PreviewRow, Removed, Status, Then, Upload,
};

#[derive(Serialize, ToSchema)]
pub struct ImportCounts {
    /// Transactions read from the file.
    pub rows: i64,
    /// Written to the ledger by the commit.
    pub imported: i64,
    /// Skipped because the account already had them.
    pub duplicates: i64,
    /// Lines that could not be read (see `problems`); they stop a commit unless skipped.
    pub errors: i64,
    /// Lines deliberately left out, such as pending bookings (see `problems`).
    pub skipped: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ImportProgress {
    pub done: i64,
    pub total: i64,
    /// 0–100.
    pub percent: i64,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 5, "account_id": 3, "filename": "statement-2026-03.csv", "format": "delimited",
    "status": "committed", "counts": {"rows": 42, "imported": 40, "duplicates": 2, "errors": 0},
    "progress": {"done": 40, "total": 40, "percent": 100}, "problems": [], "failure": null,
    "created_at": "2026-03-15T08:00:00Z", "committed_at": "2026-03-15T08:00:05Z", "undone_at": null
}))]
pub struct ImportResponse {
    pub id: i64,
    pub account_id: i64,
    pub filename: String,
    #[schema(value_type = Format)]
    pub format: String,
    #[schema(value_type = Status)]
    pub status: String,
    /// How the file is read; send a corrected copy to `/preview` or `/commit`.
    pub mapping: Option<Mapping>,
    pub counts: ImportCounts,
    pub progress: ImportProgress,
    /// Lines not imported, with their line numbers (the first 200): unreadable ones, and
    /// `skipped` ones left out on purpose.
    pub problems: Vec<RowProblem>,
    /// Why the last commit failed.
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
    pub committed_at: Option<DateTime<Utc>>,
    pub undone_at: Option<DateTime<Utc>>,
}

impl ImportResponse {
    fn new(record: ImportRecord, running: Option<(usize, usize)>) -> Self {
        let (done, total) = match (record.status.as_str(), running) {
            (_, Some((done, total))) => (done as i64, total as i64),
            ("committed", _) => (record.imported_count, record.imported_count),
            _ => (record.processed_rows, record.total_rows),
        };
        let percent = if total == 0 {
            if record.status == "committed" {
                100
            } else {
                0
            }
        } else {
            done * 100 / total
        };
        ImportResponse {
            mapping: record.mapping(),
            problems: record.problems(),
            id: record.id,
            account_id: record.account_id,
            filename: record.filename,
            format: record.format,
            status: record.status,
            counts: ImportCounts {
                rows: record.total_rows,
                imported: record.imported_count,
                duplicates: record.duplicate_count,
                errors: record.error_count,
                skipped: record.skipped_count,
            },
            progress: ImportProgress {
                done,
                total,
                percent,
            },
            failure: record.failure,
            created_at: record.created_at.and_utc(),
            committed_at: record.committed_at.map(|t| t.and_utc()),
            undone_at: record.undone_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PreviewResponse {
    #[serde(flatten)]
    pub import: ImportResponse,
    /// The text encoding the file was read with.
    pub encoding: String,
    /// The currency the file states, if any.
    pub currency: Option<String>,
    /// The file's column names (delimited text and spreadsheets).
    pub headers: Vec<String>,
    /// The first rows as they will be stored.
    pub rows: Vec<PreviewRow>,
    /// How many rows of the whole file the account already has.
    pub duplicates: usize,
    /// What reading the file decided that deserves a look: how the date order was decided
    /// (with `basis: ask` the commit answers 422 on `mapping.date_order` until a mapping names
    /// the order), which way round the amounts are (flip with `invert_sign`), rows wider than
    /// the header put back together. Balance and total lines left out are among `problems`
    /// (field `summary`).
    pub findings: LayoutFindings,
    /// Cells whose control characters (such as U+0000) were dropped, or whose payee was longer
    /// than a merchant name (200 characters) and was cut, with their line and field (the first
    /// 200): the text is imported without them.
    pub cleaned: Vec<CleanedCell>,
}

impl From<Preview> for PreviewResponse {
    fn from(p: Preview) -> Self {
        PreviewResponse {
            import: ImportResponse::new(p.record, None),
            encoding: p.scan.reading.encoding,
            currency: p.scan.reading.currency,
            headers: p.scan.reading.headers,
            rows: p.rows,
            duplicates: p.duplicates,
            findings: p.scan.reading.findings,
            cleaned: p.scan.reading.cleaned,
        }
    }
}

/// The upload form (multipart/form-data). Its fields are all there is: the schema says so.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The bank file: CSV or other delimited text, xlsx/xls/ods, OFX/QFX, QIF, MT940/MT942 or CAMT.053/CAMT.052 XML.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The account the transactions belong to.
    account_id: i64,
    /// A mapping as JSON, to read the file differently than detected.
    #[schema(value_type = Option<Mapping>)]
    mapping: Option<String>,
    /// `true`: write each row to your account named on it with its currency (Dhana's own export
    /// of several accounts) instead of `account_id`; sets the mapping's `route_by_account`.
    route_by_account: Option<bool>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// Preview and commit in one call (for scripts).
    pub commit: Option<bool>,
    /// With `commit`: import the readable rows even if some rows cannot be read.
    pub skip_invalid_rows: Option<bool>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingRequest {
    /// A corrected mapping; without it the import's own.
    pub mapping: Option<Mapping>,
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitRequest {
    /// A corrected mapping; without it the import's own (as previewed).
    pub mapping: Option<Mapping>,
    /// Import the readable rows even though some rows could not be read. Without it, such a file
    /// is refused with each bad line named and nothing is written.
    #[serde(default)]
    pub skip_invalid_rows: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub account_id: Option<i64>,
    /// How many to return (1–100, default 20).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ImportList {
    /// Newest first.
    pub items: Vec<ImportResponse>,
    pub next_cursor: Option<String>,
}

fn bad_form(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::validation(field, message)
}

/// Reads the multipart form, refusing it as soon as the file passes the size limit.
async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<Upload, ApiError> {
    let is_multipart = req
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|m| m.essence_str() == "multipart/form-data");
    if !is_multipart {
        return Err(ApiError::UnsupportedMediaType(
            "send the file as multipart/form-data with `file` and `account_id` fields".into(),
        ));
    }
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // The form around the file adds a little; anything far beyond the limit is refused unread.
    if declared.is_some_and(|n| n > limit + 64 * 1024) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let mut form = Multipart::new(req.headers(), payload);
    let (mut file, mut filename, mut account_id, mut mapping) = (None, None, None, None);
    let mut route_by_account = None;
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| ApiError::BadRequest(format!("the form is malformed: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            filename = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .map(str::to_owned);
        }
        let cap = if name == "file" { limit } else { 64 * 1024 };
        // Sized once from the declared length: a growing buffer would double (and be copied)
        // on its way to a large file's size.
        let mut bytes = Vec::with_capacity(if name == "file" {
            declared.unwrap_or(0).min(limit)
        } else {
            0
        });
        while let Some(chunk) = field.next().await {
            let chunk =
                chunk.map_err(|e| ApiError::BadRequest(format!("the form is malformed: {e}")))?;
            if bytes.len() + chunk.len() > cap {
                return Err(ApiError::PayloadTooLarge { limit: cap });
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "file" => file = Some(bytes),
            "account_id" => account_id = Some(bytes),
            "mapping" => mapping = Some(bytes),
            "route_by_account" => route_by_account = Some(bytes),
            _ => {}
        }
    }
    let file = file.ok_or_else(|| bad_form("file", "attach the bank file as the `file` field"))?;
    let account_id = account_id
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.trim().parse().ok())
        .ok_or_else(|| bad_form("account_id", "name the account as the `account_id` field"))?;
    let route_by_account = match route_by_account.as_deref().map(<[u8]>::trim_ascii) {
        None | Some(b"") => None,
        Some(b"true") => Some(true),
        Some(b"false") => Some(false),
        Some(_) => return Err(bad_form("route_by_account", "must be `true` or `false`")),
    };
    let invalid =
        |e: serde_json::Error| bad_form("mapping", format!("is not a valid mapping: {e}"));
    let mapping = match mapping.filter(|b| !b.iter().all(u8::is_ascii_whitespace)) {
        None => None,
        Some(bytes) => {
            match serde_json::from_slice::<serde_json::Value>(&bytes).map_err(invalid)? {
                // `null` is what a generated client sends for "no mapping": detect the columns.
                serde_json::Value::Null => None,
                value => {
                    if let Some(field) = control_character_at(&value, "mapping".into()) {
                        return Err(control_character(field));
                    }
                    Some(serde_json::from_value(value).map_err(invalid)?)
                }
            }
        }
    };
    // The name is only shown back; control characters in it would only garble that.
    let filename = filename
        .map(|name| name.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|name| !name.trim().is_empty());
    Ok(Upload {
        account_id,
        filename: filename.unwrap_or_else(|| "upload".into()),
        bytes: file,
        mapping,
        route_by_account,
    })
}

/// Upload a bank file. Answers with what was detected and the first rows as they will be
/// stored; nothing is written until the commit (or at once with `?commit=true`).
#[utoipa::path(tag = "imports", params(UploadQuery),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Previewed (or, with `commit=true`, committed)", body = PreviewResponse),
        (status = 200, description = "With `commit=true`: the account already had every row, so nothing was written; the import's `status` is `nothing_new` and its counts say how many rows were duplicates", body = PreviewResponse),
        (status = 400, description = "The multipart form is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is over the upload limit", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart/form-data", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file cannot be read (empty, binary, unknown format, no transactions), a line passes the import limits (too long, too many columns, a field too long: the message names the line), the mapping does not fit it, the account is not yours, or (with `commit=true`) rows cannot be read (each named with its line)", body = Problem, content_type = "application/problem+json"),
        ImportBusy,
        AuthErrors,
    ),
    security(("bearer" = []), ("session" = [])))]
#[post("/imports")]
pub async fn upload_import(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
    payload: web::Payload,
    query: ValidQuery<UploadQuery>,
) -> Result<HttpResponse, ApiError> {
    // Taken before the file is read: a refused upload costs no memory.
    let _running = state.import_gate.enter(user.user.id, None)?;
    let upload = read_form(&req, payload, state.max_upload_bytes).await?;
    let commit = query.commit.unwrap_or(false);
    let then = match commit {
        true => Then::Commit {
            skip_invalid_rows: query.skip_invalid_rows.unwrap_or(false),
        },
        false => Then::Preview,
    };
    let app = state.clone();
    let user_id = user.user.id;
    let mut response = state
        .db(move |conn| {
            let (runner, then) = (app.runner(), then);
            let done = imports::upload(conn, &runner, user_id, upload, then);
            let preview = match then {
                Then::Commit { .. } => badges::after(conn, &user.user, done)?,
                Then::Preview => done?,
            };
            Ok(PreviewResponse::from(preview))
        })
        .await?;
    if commit {
        // The preview rows' duplicate flags described the state before the commit.
        response.rows.iter_mut().for_each(|r| r.duplicate = false);
    }
    // A scheduled re-import of a file already in is no error, but it created nothing either.
    let nothing_new = response.import.status == Status::NothingNew.as_str();
    let mut answer = if nothing_new {
        HttpResponse::Ok()
    } else {
        HttpResponse::Created()
    };
    Ok(answer
        .insert_header((
            "Location",
            format!("/api/v1/imports/{}", response.import.id),
        ))
        .json(response))
}

/// Read the stored file again, with a corrected mapping, and see the rows as they will be.
#[utoipa::path(tag = "imports", params(("id" = i64, Path)), request_body = MappingRequest, responses(
    (status = 200, body = PreviewResponse), NotFound, AuthErrors, BodyErrors, ImportBusy,
), security(("bearer" = []), ("session" = [])))]
#[post("/imports/{id}/preview")]
pub async fn preview_import(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<MappingRequest>,
) -> Result<HttpResponse, ApiError> {
    let _running = state.import_gate.enter(user.user.id, None)?;
    let id = id.into_inner();
    let app = state.clone();
    let preview = state
        .db(move |conn| imports::repreview(conn, &app.runner(), user.user.id, id, body.mapping))
        .await?;
    Ok(HttpResponse::Ok().json(PreviewResponse::from(preview)))
}

/// Write the import's new rows: all of them or none. Rows the account already has are
/// skipped and counted as duplicates; when that is every row, nothing is written and the
/// import ends as `nothing_new` (a 200 all the same, so a scheduled re-import is no error).
#[utoipa::path(tag = "imports", params(("id" = i64, Path)), request_body = CommitRequest, responses(
    (status = 200, body = ImportResponse),
    (status = 409, description = "Already committed, undone, or being committed by another request (concurrent commits of one import: exactly one writes, the others get this)", body = Problem, content_type = "application/problem+json"),
    NotFound, AuthErrors, BodyErrors, ImportBusy,
), security(("bearer" = []), ("session" = [])))]
#[post("/imports/{id}/commit")]
pub async fn commit_import(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    ValidJson(body): ValidJson<CommitRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let _running = state.import_gate.enter(user.user.id, Some(id))?;
    let app = state.clone();
    let record = state
        .db(move |conn| {
            let options = CommitOptions {
                mapping: body.mapping,
                skip_invalid_rows: body.skip_invalid_rows,
            };
            let done = imports::commit(conn, &app.runner(), user.user.id, id, options);
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ImportResponse::new(record, None)))
}

/// Your imports, newest first.
#[utoipa::path(tag = "imports", params(ListQuery), responses(
    (status = 200, body = ImportList),
    (status = 422, description = "`limit` or `cursor` is invalid", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/imports")]
pub async fn list_imports(
    user: CurrentUser,
    state: web::Data<AppState>,
    query: ValidQuery<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let IdPage { limit, before } = IdPage::of(query.limit, query.cursor.as_deref())?;
    let account_id = query.account_id;
    let app = state.clone();
    let mut records = state
        .db(move |conn| {
            imports::expire_previews(conn, &app.storage, user.user.id)?;
            imports::list(conn, user.user.id, account_id, before, limit + 1)
        })
        .await?;
    let next_cursor = IdPage::next_cursor(&mut records, limit, |r| r.id);
    let progress = &state.progress;
    Ok(HttpResponse::Ok().json(ImportList {
        items: records
            .into_iter()
            .map(|r| {
                let running = progress.get(r.id);
                ImportResponse::new(r, running)
            })
            .collect(),
        next_cursor,
    }))
}

/// One import with its status, counts and progress (poll it while a commit runs).
#[utoipa::path(tag = "imports", params(("id" = i64, Path)), responses(
    (status = 200, body = ImportResponse), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/imports/{id}")]
pub async fn get_import(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let record = state
        .db(move |conn| imports::get(conn, user.user.id, id))
        .await?;
    let running = state.progress.get(record.id);
    Ok(HttpResponse::Ok().json(ImportResponse::new(record, running)))
}

/// Undo a committed import (exactly its transactions and its stored file are removed, and the
/// file can be uploaded again; the import stays listed as `undone`), or discard one that was
/// only previewed, whose commit failed or that found nothing new (it and its stored file are
/// deleted). These are discarded on their own after a day.
#[utoipa::path(tag = "imports", params(("id" = i64, Path)), responses(
    (status = 200, description = "Undone", body = ImportResponse),
    (status = 204, description = "Discarded: it never reached the ledger"),
    (status = 409, description = "Already undone, or being committed right now", body = Problem, content_type = "application/problem+json"),
    NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[delete("/imports/{id}")]
pub async fn undo_import(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let app = state.clone();
    let removed = state
        .db(move |conn| {
            let done = imports::remove(conn, &app.storage, &app.claims, user.user.id, id);
            badges::after(conn, &user.user, done)
        })
        .await?;
    Ok(match removed {
        Removed::Undone(record) => HttpResponse::Ok().json(ImportResponse::new(*record, None)),
        Removed::Discarded => HttpResponse::NoContent().finish(),
    })
}
