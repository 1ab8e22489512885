//! Email summaries: the user's settings, a preview, and the unsubscribe link from the emails.

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::extract::{ValidJson, ValidQuery};
use crate::app::AppState;
use crate::auth::CurrentUser;
use crate::error::responses::{AuthErrors, BodyErrors};
use crate::error::{ApiError, Problem};
use crate::summaries::content::{escape, Email};
use crate::summaries::{self, Kind, Settings, Wanted};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "available": true, "unavailable_reason": null, "timezone": "UTC",
    "weekly": true, "weekly_day": 1, "monthly": false, "monthly_day": 1
}))]
pub struct SummarySettingsResponse {
    /// Whether this server can send email at all.
    pub available: bool,
    /// Why it cannot, naming the server setting that is missing.
    pub unavailable_reason: Option<String>,
    /// Days and periods are counted in this time zone.
    pub timezone: &'static str,
    /// A summary of each week (Monday to Sunday).
    pub weekly: bool,
    /// The weekday it goes out, the week after: 1 = Monday … 7 = Sunday.
    pub weekly_day: u32,
    /// A summary of each calendar month.
    pub monthly: bool,
    /// The day of the next month it goes out: 1–31, the month's last day when it is shorter.
    pub monthly_day: u32,
}

impl SummarySettingsResponse {
    fn new(settings: Settings, state: &AppState) -> Self {
        let reason = state.summaries.unavailable().map(str::to_owned);
        SummarySettingsResponse {
            available: reason.is_none(),
            unavailable_reason: reason,
            timezone: "UTC",
            weekly: settings.weekly.enabled,
            weekly_day: settings.weekly.day,
            monthly: settings.monthly.enabled,
            monthly_day: settings.monthly.day,
        }
    }
}

#[derive(Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"weekly": true, "weekly_day": 1, "monthly": true, "monthly_day": 31}))]
pub struct SummarySettingsRequest {
    pub weekly: bool,
    #[validate(range(
        min = 1,
        max = 7,
        message = "must be a weekday from 1 (Monday) to 7 (Sunday)"
    ))]
    pub weekly_day: u32,
    pub monthly: bool,
    #[validate(range(min = 1, max = 31, message = "must be a day of the month from 1 to 31"))]
    pub monthly_day: u32,
}

/// Your email summary settings, and whether this server can send them.
#[utoipa::path(tag = "summaries", responses(
    (status = 200, body = SummarySettingsResponse),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/me/summary-settings")]
pub async fn get_summary_settings(
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let settings = state
        .db(move |conn| summaries::get(conn, user.user.id))
        .await?;
    Ok(HttpResponse::Ok().json(SummarySettingsResponse::new(settings, &state)))
}

/// Turn the weekly and monthly summaries on or off and choose their days (UTC). Both are off
/// until turned on; one turned on sends its first email for the first period that falls due
/// from today on.
#[utoipa::path(tag = "summaries", request_body = SummarySettingsRequest, responses(
    (status = 200, body = SummarySettingsResponse),
    AuthErrors,
    BodyErrors,
), security(("bearer" = []), ("session" = [])))]
#[put("/me/summary-settings")]
pub async fn put_summary_settings(
    user: CurrentUser,
    state: web::Data<AppState>,
    ValidJson(body): ValidJson<SummarySettingsRequest>,
) -> Result<HttpResponse, ApiError> {
    let wanted = Wanted {
        weekly: body.weekly,
        weekly_day: body.weekly_day,
        monthly: body.monthly,
        monthly_day: body.monthly_day,
    };
    let today = Utc::now().date_naive();
    let settings = state
        .db(move |conn| summaries::put(conn, user.user.id, wanted, today))
        .await?;
    Ok(HttpResponse::Ok().json(SummarySettingsResponse::new(settings, &state)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// `week` or `month`.
    #[param(example = "month")]
    pub period: Option<String>,
}

/// The latest weekly or monthly summary exactly as it would be sent now (subject, plain text
/// and HTML), also when email is off on this server.
#[utoipa::path(tag = "summaries", params(PreviewQuery), responses(
    (status = 200, body = Email),
    (status = 422, description = "`period` is not `week` or `month`", body = Problem, content_type = "application/problem+json"),
    AuthErrors,
), security(("bearer" = []), ("session" = [])))]
#[get("/me/summary-preview")]
pub async fn summary_preview(
    req: HttpRequest,
    user: CurrentUser,
    state: web::Data<AppState>,
    query: ValidQuery<PreviewQuery>,
) -> Result<HttpResponse, ApiError> {
    let kind = match query.period.as_deref() {
        Some("week") => Kind::Weekly,
        Some("month") => Kind::Monthly,
        _ => return Err(ApiError::validation("period", "must be week or month")),
    };
    let base = {
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    };
    let app = state.clone();
    let email = state
        .db(move |conn| {
            app.summaries
                .preview(conn, &user.user, kind, Utc::now(), &base)
        })
        .await?;
    Ok(HttpResponse::Ok().json(email))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The signed token from the email's link.
    #[param(example = "42.weekly.1811539425.AOVpAN5QSjpA14z0ibQ485y3xAWn5ius4zjdVq3HyX4")]
    pub token: String,
}

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"kind": "weekly", "unsubscribed": true}))]
pub struct Unsubscribed {
    pub kind: Kind,
    pub unsubscribed: bool,
}

fn invalid_token() -> ApiError {
    ApiError::validation(
        "token",
        "is not a valid unsubscribe link, or it has expired",
    )
}

/// Turns off the summary the token names; the same answer for a user who has since gone.
async fn turn_off(state: &web::Data<AppState>, token: &str) -> Result<Kind, ApiError> {
    let (user_id, kind) = state
        .summaries
        .verify_unsubscribe(token, Utc::now())
        .ok_or_else(invalid_token)?;
    state
        .db(move |conn| {
            if crate::users::find(conn, user_id)?.is_some() {
                summaries::turn_off(conn, user_id, kind)?;
            }
            Ok(kind)
        })
        .await
}

/// A small page of its own (no script: it works under the server's CSP and in any browser).
fn page(title: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title}</title></head>\
             <body style=\"font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem\">\
             <h1>{title}</h1>{body}</body></html>\n"
        ))
}

/// The unsubscribe link in every summary email: a page asking to confirm, whose button POSTs.
/// Following the link changes nothing, so mail scanners that open links do not unsubscribe
/// anyone.
#[utoipa::path(tag = "summaries", params(UnsubscribeQuery), responses(
    (status = 200, description = "A page with a button that turns the summary off", body = String, content_type = "text/html"),
    (status = 400, description = "No token", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The token is forged, damaged or expired", body = Problem, content_type = "application/problem+json"),
))]
#[get("/summaries/unsubscribe")]
pub async fn unsubscribe_page(
    state: web::Data<AppState>,
    query: ValidQuery<UnsubscribeQuery>,
) -> Result<HttpResponse, ApiError> {
    let (_, kind) = state
        .summaries
        .verify_unsubscribe(&query.token, Utc::now())
        .ok_or_else(invalid_token)?;
    // The form posts to this same path (relative, so a path prefix in front of the server is
    // kept) with RFC 8058's one-click body.
    Ok(page(
        "Unsubscribe",
        &format!(
            "<p>Stop the {kind} summary email from Dhana? You can turn it on again in the app's \
             settings.</p><form method=\"post\" action=\"unsubscribe?token={token}\">\
             <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
             <button type=\"submit\" style=\"font-size:1rem;padding:.5rem 1rem\">\
             Stop the {kind} summary</button></form>",
            kind = escape(kind.as_str()),
            token = escape(&query.token),
        ),
    ))
}

/// Turns the summary off: the confirmation page's button, and the one-click unsubscribe of
/// RFC 8058 that mail clients POST for the `List-Unsubscribe` header (the body,
/// `List-Unsubscribe=One-Click`, is not needed). A browser (asking for `text/html`) gets a page
/// saying so; everything else JSON.
#[utoipa::path(tag = "summaries", params(UnsubscribeQuery), responses(
    (status = 200, description = "The summary is off", content(
        (Unsubscribed = "application/json"),
        (String = "text/html"),
    )),
    (status = 400, description = "No token", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The token is forged, damaged or expired", body = Problem, content_type = "application/problem+json"),
))]
#[post("/summaries/unsubscribe")]
pub async fn unsubscribe(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: ValidQuery<UnsubscribeQuery>,
) -> Result<HttpResponse, ApiError> {
    let kind = turn_off(&state, &query.token).await?;
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if wants_html {
        return Ok(page(
            "Unsubscribed",
            &format!(
                "<p>You will no longer get the {} summary email from Dhana. You can turn it on \
                 again in the app's settings.</p>",
                escape(kind.as_str())
            ),
        ));
    }
    Ok(HttpResponse::Ok().json(Unsubscribed {
        kind,
        unsubscribed: true,
    }))
}
