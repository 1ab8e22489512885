use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::analytics::period::{Period, PeriodQuery};
use crate::api::extract::{ValidJson, ValidQuery};
use crate::api::IdPage;
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::responses::{AuthErrors, BodyErrors, NotFound};
use crate::error::{ApiError, Problem};
use crate::reports::{self, Kind, Making, NewReport, Status, WithAccounts};

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "pdf", "year": 2025, "include_transactions": false}))]
pub struct CreateReport {
    pub kind: Kind,
    /// `YYYY-MM`. Give one of `month`, `year`, or `from` with `to`; none: the current month.
    #[schema(example = "2026-03")]
    pub month: Option<String>,
    /// A calendar year, 1900 to 9999.
    #[schema(minimum = 1900, maximum = 9999, example = 2025)]
    pub year: Option<i32>,
    /// First day (with `to`).
    pub from: Option<NaiveDate>,
    /// Last day (with `from`).
    pub to: Option<NaiveDate>,
    /// Only these accounts; none or empty: all of them.
    #[serde(default)]
    #[validate(length(max = 100))]
    pub account_ids: Vec<i64>,
    /// PDF only: list every transaction in an appendix (the workbook always has them, and the
    /// CSV is nothing else); at most 2,000 transactions, a 422 beyond.
    #[serde(default)]
    pub include_transactions: bool,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "id": 12, "kind": "pdf", "status": "ready", "progress": 100,
    "period": {"kind": "month", "from": "2026-03-01", "to": "2026-03-31", "label": "2026-03"},
    "account_ids": [], "include_transactions": false, "transaction_count": 212,
    "file_name": "dhana-2026-03.pdf", "file_size": 1710342, "failure": null,
    "created_at": "2026-04-01T08:00:00Z", "finished_at": "2026-04-01T08:00:01Z"
}))]
pub struct ReportResponse {
    pub id: i64,
    pub kind: Kind,
    /// `queued` and `running` reports are being made in the background: poll until `ready`
    /// (download `/reports/{id}/file`) or `failed`.
    pub status: Status,
    /// 0–100.
    pub progress: i32,
    pub period: Period,
    /// Empty: all accounts.
    pub account_ids: Vec<i64>,
    pub include_transactions: bool,
    /// Transactions in the period when it was asked for.
    pub transaction_count: i64,
    /// What the download is called.
    pub file_name: String,
    /// Bytes, once ready.
    pub file_size: Option<i64>,
    /// Why it failed.
    pub failure: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl From<WithAccounts> for ReportResponse {
    fn from((r, account_ids): WithAccounts) -> Self {
        ReportResponse {
            id: r.id,
            kind: r.kind(),
            status: r.status(),
            progress: r.progress,
            period: r.period(),
            account_ids,
            include_transactions: r.include_transactions,
            transaction_count: r.transaction_count,
            file_name: r.file_name(),
            file_size: r.file_size,
            failure: r.failure.clone(),
            created_at: r.created_at.and_utc(),
            finished_at: r.finished_at.map(|t| t.and_utc()),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ReportList {
    /// Newest first.
    pub items: Vec<ReportResponse>,
    pub next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportListQuery {
    /// How many to return (1–100, default 20).
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Make a report of a month, a year or a range of days (the same periods as the dashboard, with
/// the same numbers) as a PDF, an Excel workbook or a CSV of every transaction, optionally of
/// some accounts only. A small one is made at once (201, `ready`); one of a period with many
/// transactions is made in the background (202, `queued`: poll `GET /reports/{id}`).
#[utoipa::path(tag = "reports", request_body = CreateReport, responses(
    (status = 201, description = "Made: download it from `/reports/{id}/file`", body = ReportResponse),
    (status = 202, description = "Being made in the background", body = ReportResponse),
    (status = 422, description = "The kind, period or an account is invalid; `errors` names the field", body = Problem, content_type = "application/problem+json"),
    AuthErrors, BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[post("/reports")]
pub async fn create_report(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<CreateReport>,
) -> Result<HttpResponse, ApiError> {
    let period = PeriodQuery {
        month: body.month,
        year: body.year,
        from: body.from,
        to: body.to,
    }
    .period(Utc::now().date_naive())?;
    let new = NewReport {
        kind: body.kind,
        period,
        accounts: body.account_ids,
        include_transactions: body.include_transactions,
    };
    let app = state.clone();
    let (report, making) = state
        .db(move |conn| {
            let (report, making) = reports::create(
                conn,
                user.user.id,
                new,
                &app.report_instance,
                app.report_background_above,
            )?;
            if let Making::Now = making {
                reports::make(
                    conn,
                    &app.pool,
                    &app.storage,
                    &app.ledgers,
                    &app.report_instance,
                    &report,
                    &mut |_| {},
                )?;
            }
            Ok((reports::get(conn, user.user.id, report.0.id)?, making))
        })
        .await?;
    let mut response = match making {
        Making::Now => HttpResponse::Created(),
        Making::InBackground => HttpResponse::Accepted(),
    };
    Ok(response.json(ReportResponse::from(report)))
}

/// Your reports, newest first.
#[utoipa::path(tag = "reports", params(ReportListQuery), responses(
    (status = 200, body = ReportList),
    (status = 422, description = "The limit or cursor is invalid", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/reports")]
pub async fn list_reports(
    user: CurrentUser,
    state: web::Data<AppState>,
    query: ValidQuery<ReportListQuery>,
) -> Result<HttpResponse, ApiError> {
    let IdPage { limit, before } = IdPage::of(query.limit, query.cursor.as_deref())?;
    let mut items = state
        .db(move |conn| reports::list(conn, user.user.id, before, limit + 1))
        .await?;
    let next_cursor = IdPage::next_cursor(&mut items, limit, |(r, _)| r.id);
    Ok(HttpResponse::Ok().json(ReportList {
        items: items.into_iter().map(Into::into).collect(),
        next_cursor,
    }))
}

/// One report with its status and progress (poll it while it is made in the background).
#[utoipa::path(tag = "reports", params(("id" = i64, Path)), responses(
    (status = 200, body = ReportResponse), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/reports/{id}")]
pub async fn get_report(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let report = state
        .db(move |conn| reports::get(conn, user.user.id, id))
        .await?;
    Ok(HttpResponse::Ok().json(ReportResponse::from(report)))
}

/// Download a ready report: `application/pdf`, an XLSX workbook or `text/csv`, named like
/// `dhana-2026-03.pdf`, `dhana-2025.xlsx` or `dhana-2026-01-01_2026-03-31.csv`.
#[utoipa::path(tag = "reports", params(("id" = i64, Path)), responses(
    (status = 200, description = "The file", content(
        (Vec<u8> = "application/pdf"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (String = "text/csv"),
    )),
    (status = 409, description = "Not ready yet, or failed", body = Problem, content_type = "application/problem+json"),
    NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/reports/{id}/file")]
pub async fn download_report(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let app = state.clone();
    let (bytes, record) = state
        .db(move |conn| reports::file(conn, &app.storage, user.user.id, id))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type(record.kind().content_type())
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(record.file_name())],
        })
        .body(bytes))
}

/// Delete a report and its file.
#[utoipa::path(tag = "reports", params(("id" = i64, Path)), responses(
    (status = 204, description = "Deleted"), NotFound, AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[delete("/reports/{id}")]
pub async fn delete_report(
    user: CurrentUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let app = state.clone();
    state
        .db(move |conn| reports::delete(conn, &app.storage, user.user.id, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
