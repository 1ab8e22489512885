//! What a summary email says. Every figure comes from the dashboard (`analytics::dashboard`) and
//! from what the app shows ahead (`reports::summary::ahead`: insights, next month's forecast,
//! upcoming bills), so an email and the app never disagree; this file only picks and words them. The email is laid out once as sections and rendered twice: plain text
//! and HTML (every value escaped, no images, no external resources, no tracking).

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::analytics::dashboard::{self, Dashboard, Summary};
use crate::analytics::period::{first_of_month, Period};
use crate::budgets::Standing;
use crate::db::DbConn;
use crate::error::ApiError;
use crate::forecast::bills::{self, Ledgers};
use crate::forecast::outlook::{Item, Outlook};
use crate::insights::insight_store::Insight;
use crate::money::format_minor;
use crate::reports::summary;
use crate::summaries::schedule::Due;
use crate::summaries::Kind;
use crate::users::User;

/// Top spending categories an email lists.
const TOP_CATEGORIES: usize = 5;
/// Insights an email lists, the most severe first.
const TOP_INSIGHTS: usize = 3;

/// An email as it is sent.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = SummaryEmail, example = json!({
    "subject": "Your week in Dhana: 2026-11-16 to 2026-11-22",
    "text": "Hello Asha,\n\nYour week 2026-11-16 to 2026-11-22 …",
    "html": "<!DOCTYPE html><html>…</html>"
}))]
pub struct Email {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Where the links in an email point.
pub struct Links {
    pub app: String,
    pub unsubscribe: String,
}

/// A heading and its lines: a label, a value, and an optional note after it.
struct Section {
    title: String,
    lines: Vec<(String, String, Option<String>)>,
}

fn money(amount: i64, currency: &str) -> String {
    format!("{} {currency}", format_minor(amount, currency))
}

/// A change in percent as "+4.2 %", or why there is none.
fn change(percent: Option<f64>) -> String {
    percent.map_or_else(|| "no comparison".into(), |p| format!("{p:+.1} %"))
}

fn rate(rate: Option<f64>) -> String {
    rate.map_or_else(
        || "n/a (no income)".into(),
        |r| format!("{:.1} %", r * 100.0),
    )
}

fn totals(d: &Dashboard, noun: &str) -> Section {
    let c = &d.currency;
    let (now, before): (&Summary, &Summary) = (&d.summary, &d.previous);
    let against = |value: String, percent: Option<f64>| {
        Some(format!("{noun} before: {value}, {}", change(percent)))
    };
    let mut lines = vec![
        (
            "Income".into(),
            money(now.income, c),
            against(money(before.income, c), d.change.income_percent),
        ),
        (
            "Spending".into(),
            money(now.spending, c),
            against(money(before.spending, c), d.change.spending_percent),
        ),
    ];
    if now.refunds != 0 || before.refunds != 0 {
        lines.push((
            "Refunds beyond spending".into(),
            money(now.refunds, c),
            Some(format!("{noun} before: {}", money(before.refunds, c))),
        ));
    }
    lines.push((
        "Net".into(),
        money(now.net, c),
        against(money(before.net, c), d.change.net_percent),
    ));
    lines.push((
        "Savings rate".into(),
        rate(now.savings_rate),
        Some(format!("{noun} before: {}", rate(before.savings_rate))),
    ));
    Section {
        title: format!("{} to {} in {c}", d.period.from, d.period.to),
        lines,
    }
}

fn top_categories(d: &Dashboard) -> Option<Section> {
    let lines: Vec<_> = d
        .spending_by_category
        .iter()
        .take(TOP_CATEGORIES)
        .map(|s| {
            (
                s.name.clone(),
                money(s.amount, &d.currency),
                Some(format!("{:.0} % of spending", s.share * 100.0)),
            )
        })
        .collect();
    (!lines.is_empty()).then(|| Section {
        title: "Top spending categories".into(),
        lines,
    })
}

fn budgets(d: &Dashboard) -> Option<Section> {
    let lines: Vec<_> = d
        .budget_alerts
        .iter()
        .map(|b| {
            let state = match b.status {
                Standing::Over => "over the limit",
                Standing::Warning | Standing::Ok => "near the limit",
            };
            (
                b.name.clone(),
                format!(
                    "{} of {} spent",
                    money(b.spent, &d.currency),
                    money(b.limit, &d.currency)
                ),
                Some(state.into()),
            )
        })
        .collect();
    (!lines.is_empty()).then(|| Section {
        title: format!("Budgets near or over their limit ({})", d.period.label),
        lines,
    })
}

fn upcoming_bills(bills: &[bills::UpcomingBill], until: NaiveDate) -> Option<Section> {
    let lines: Vec<_> = bills
        .iter()
        .map(|b| {
            (
                format!("{} {}", b.date, b.name),
                money(-b.amount, &b.currency),
                b.overdue.then(|| "overdue".into()),
            )
        })
        .collect();
    (!lines.is_empty()).then(|| Section {
        title: format!("Upcoming bills until {until}"),
        lines,
    })
}

fn insights(insights: &[Insight]) -> Option<Section> {
    let lines: Vec<_> = insights
        .iter()
        .take(TOP_INSIGHTS)
        .map(|i| (i.said.message.clone(), String::new(), None))
        .collect();
    (!lines.is_empty()).then(|| Section {
        title: "Insights".into(),
        lines,
    })
}

/// Next month's spending, income and net savings with their 80% intervals, or why there are
/// none yet.
fn forecast(f: &Outlook) -> Section {
    let line = |item: &Item| {
        let (value, note) = match (item.amount, item.low, item.high, &item.not_enough_data) {
            (Some(amount), Some(low), Some(high), _) => (
                money(amount, &f.currency),
                Some(format!(
                    "80 % likely between {} and {}",
                    money(low, &f.currency),
                    money(high, &f.currency)
                )),
            ),
            (_, _, _, Some(not_yet)) => (not_yet.message.clone(), None),
            _ => ("no forecast".into(), None),
        };
        (item.name.clone(), value, note)
    };
    Section {
        title: format!("Forecast for {}", f.month),
        lines: [&f.spending, &f.income, &f.net]
            .into_iter()
            .map(line)
            .collect(),
    }
}

/// The summary of `due` for `user`, as of `today`.
pub fn compose(
    conn: &mut DbConn,
    ledgers: &Ledgers,
    user: &User,
    due: &Due,
    today: NaiveDate,
    links: &Links,
) -> Result<Email, ApiError> {
    let currency = &user.base_currency;
    let period: Period = due.period.clone();
    let report = dashboard::build(conn, user.id, currency, &[], period.clone(), today)?;
    // A week's budgets are those of the month it is sent in, so far.
    let month = match due.kind {
        Kind::Monthly => None,
        Kind::Weekly => Some(dashboard::build(
            conn,
            user.id,
            currency,
            &[],
            Period::month(first_of_month(today)),
            today,
        )?),
    };
    // Days of upcoming bills: until the next email.
    let horizon = match due.kind {
        Kind::Weekly => 7,
        Kind::Monthly => 30,
    };
    let ahead = summary::ahead(conn, ledgers, user.id, currency, today, horizon)?;

    let (noun, subject) = match due.kind {
        Kind::Weekly => (
            "week",
            format!("Your week in Dhana: {} to {}", period.from, period.to),
        ),
        Kind::Monthly => ("month", format!("Your month in Dhana: {}", period.label)),
    };
    let sections: Vec<Section> = [
        Some(totals(&report, noun)),
        top_categories(&report),
        budgets(month.as_ref().unwrap_or(&report)),
        upcoming_bills(&ahead.bills, ahead.bills_until),
        insights(&ahead.insights),
        Some(forecast(&ahead.forecast)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let letter = Letter {
        greeting: format!("Hello {},", user.display_name),
        intro: format!("Here is your {noun} in Dhana, against the {noun} before."),
        sections,
        links,
        unsubscribe: format!("Stop these {} emails", due.kind.as_str()),
    };
    Ok(Email {
        text: letter.text(),
        html: letter.html(&subject),
        subject,
    })
}

/// The words of an email, before they are rendered as text or HTML.
struct Letter<'a> {
    greeting: String,
    intro: String,
    sections: Vec<Section>,
    links: &'a Links,
    /// The unsubscribe link's words.
    unsubscribe: String,
}

impl Letter<'_> {
    fn text(&self) -> String {
        let mut out = format!("{}\n\n{}\n", self.greeting, self.intro);
        for section in &self.sections {
            out.push_str(&format!("\n{}\n", section.title));
            for (label, value, note) in &section.lines {
                out.push_str(&format!("- {label}"));
                if !value.is_empty() {
                    out.push_str(&format!(": {value}"));
                }
                if let Some(note) = note {
                    out.push_str(&format!(" ({note})"));
                }
                out.push('\n');
            }
        }
        out.push_str(&format!(
            "\nOpen Dhana: {}\n{}: {}\n",
            self.links.app, self.unsubscribe, self.links.unsubscribe
        ));
        out
    }

    fn html(&self, subject: &str) -> String {
        let e = escape;
        let mut body = String::new();
        for section in &self.sections {
            body.push_str(&format!(
                "<h2 style=\"font-size:16px;margin:24px 0 8px\">{}</h2>\n\
                 <table style=\"border-collapse:collapse\">\n",
                e(&section.title)
            ));
            for (label, value, note) in &section.lines {
                if value.is_empty() {
                    // A sentence (an insight) takes the whole row.
                    body.push_str(&format!(
                        "<tr><td colspan=\"2\" style=\"padding:4px 0\">{}</td></tr>\n",
                        e(label)
                    ));
                    continue;
                }
                // Two columns, the note under the value, so narrow phone mail clients keep it
                // readable.
                let note = note.as_deref().map_or_else(String::new, |n| {
                    format!(
                        "<br><span style=\"font-weight:normal;font-size:12px;color:#555\">{}</span>",
                        e(n)
                    )
                });
                body.push_str(&format!(
                    "<tr><td style=\"padding:4px 16px 4px 0;vertical-align:top\">{}</td>\
                     <td style=\"padding:4px 0;text-align:right;font-weight:bold\">{}{note}</td></tr>\n",
                    e(label),
                    e(value),
                ));
            }
            body.push_str("</table>\n");
        }
        format!(
            "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n\
         <body style=\"font-family:sans-serif;color:#222\">\n<p>{}</p>\n<p>{}</p>\n{body}\
         <p style=\"margin-top:24px\"><a href=\"{}\">Open Dhana</a></p>\n\
         <p style=\"font-size:12px;color:#555\"><a href=\"{}\">{}</a></p>\n</body></html>\n",
            e(subject),
            e(&self.greeting),
            e(&self.intro),
            e(&self.links.app),
            e(&self.links.unsubscribe),
            e(&self.unsubscribe),
        )
    }
}

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_what_a_bank_or_user_wrote() {
        let links = Links {
            app: "https://dhana.example/".into(),
            unsubscribe: "https://dhana.example/u?token=a&b".into(),
        };
        let letter = Letter {
            greeting: "Hello <b>Asha</b>,".into(),
            intro: "Intro".into(),
            sections: vec![Section {
                title: "Top <spending>".into(),
                lines: vec![(
                    "<script>alert('x')</script> & co".into(),
                    "1.00 EUR".into(),
                    Some("\"quoted\"".into()),
                )],
            }],
            links: &links,
            unsubscribe: "Stop".into(),
        };
        let page = letter.html("S");
        assert!(!page.contains("<script>"));
        assert!(!page.contains("<b>Asha"));
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co"));
        assert!(page.contains("&quot;quoted&quot;"));
        assert!(page.contains("href=\"https://dhana.example/u?token=a&amp;b\""));
        assert!(!page.contains("<img"), "no images, so no tracking pixels");
        assert!(letter
            .text()
            .contains("- <script>alert('x')</script> & co: 1.00 EUR (\"quoted\")"));
    }

    #[test]
    fn changes_and_rates_read_as_percentages() {
        assert_eq!(change(Some(4.26)), "+4.3 %");
        assert_eq!(change(Some(-12.0)), "-12.0 %");
        assert_eq!(change(None), "no comparison");
        assert_eq!(rate(Some(0.2346)), "23.5 %");
        assert_eq!(rate(None), "n/a (no income)");
    }
}
