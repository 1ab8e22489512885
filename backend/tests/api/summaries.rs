//! Email summaries over real HTTP and a real SMTP server (`scripts/smtp-test.sh`, which writes
//! every message it receives to a directory as JSON with its decoded parts).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use dhana::app::Application;
use dhana::config::{EmailConfig, Secret, Smtp};
use dhana::db::Pool;
use dhana::summaries::{schedule, Kind};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, TestApp};

both_backends!(
    without_smtp_summaries_are_visibly_off_and_nothing_fails,
    settings_are_validated_and_kept,
    a_due_summary_arrives_once_with_the_numbers_and_a_working_unsubscribe_link,
    two_instances_send_each_summary_once,
    a_failed_send_is_retried_until_it_goes_through,
    a_claim_left_by_a_crashed_sender_is_taken_over_once_it_expires,
    a_summary_states_the_insights_and_forecast_the_app_shows,
);

/// The test SMTP server: its URL and the directory it writes messages to. Locally a missing
/// server skips the test; in CI (`CI=true`) it fails the run.
fn smtp_server() -> Option<(String, PathBuf)> {
    match (
        std::env::var("DHANA_TEST_SMTP_URL"),
        std::env::var("DHANA_TEST_MAILDIR"),
    ) {
        (Ok(url), Ok(dir)) if !url.is_empty() && !dir.is_empty() => Some((url, dir.into())),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but DHANA_TEST_SMTP_URL is not set: the SMTP tests cannot be skipped in CI")
        }
        _ => {
            eprintln!("DHANA_TEST_SMTP_URL is not set (eval \"$(scripts/smtp-test.sh start)\"): skipping an SMTP test");
            None
        }
    }
}

const PUBLIC_URL: &str = "http://dhana.test";

fn email_config(smtp_url: &str) -> EmailConfig {
    EmailConfig {
        smtp: Some(Smtp::Url(Secret::new(smtp_url.as_bytes().to_vec()))),
        from: Some("Dhana <dhana@example.com>".into()),
        public_url: Some(PUBLIC_URL.into()),
        interval: Duration::from_millis(200),
    }
}

/// A recipient address no other test uses, since all tests share the SMTP server.
fn unique_address(name: &str) -> String {
    format!("{name}-{:016x}@example.com", rand::random::<u64>())
}

/// The messages received for `address`.
fn messages_to(dir: &PathBuf, address: &str) -> Vec<Value> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|entry| {
            let path = entry.unwrap().path();
            (path.extension()? == "json").then_some(path)
        })
        .map(|path| serde_json::from_slice::<Value>(&std::fs::read(path).unwrap()).unwrap())
        .filter(|m| {
            m["rcpt_tos"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r == address)
        })
        .collect()
}

/// Waits until `count` messages have reached `address`, then a while longer to see that no more
/// follow; returns them all.
async fn receive(dir: &PathBuf, address: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while messages_to(dir, address).len() < count {
        assert!(
            Instant::now() < deadline,
            "{count} message(s) to {address} did not arrive"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    // Ten more scheduler rounds, in which a second copy would have been sent.
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    messages_to(dir, address)
}

fn header<'a>(message: &'a Value, name: &str) -> Vec<&'a str> {
    message["headers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h[0].as_str().unwrap().eq_ignore_ascii_case(name))
        .map(|h| h[1].as_str().unwrap())
        .collect()
}

/// Today's ISO weekday: a weekly summary sent on it covers last week and is due today.
fn todays_weekday() -> u32 {
    Utc::now().date_naive().weekday().number_from_monday()
}

async fn settings_of(app: &TestApp, token: &str) -> Value {
    let res = app.get_as(token, "/api/v1/me/summary-settings").await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn turn_on_weekly(app: &TestApp, token: &str) {
    let res = app
        .put_as(
            token,
            "/api/v1/me/summary-settings",
            &json!({"weekly": true, "weekly_day": todays_weekday(), "monthly": false, "monthly_day": 1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn without_smtp_summaries_are_visibly_off_and_nothing_fails(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let settings = settings_of(&app, &token).await;
    assert_eq!(settings["available"], false);
    assert!(settings["unavailable_reason"]
        .as_str()
        .unwrap()
        .contains("DHANA_SMTP_URL"));
    assert_eq!(
        (&settings["weekly"], &settings["monthly"]),
        (&json!(false), &json!(false)),
        "off by default"
    );
    assert_eq!(settings["timezone"], "UTC");

    // Turning one on is kept for when email is configured, and the preview still works.
    turn_on_weekly(&app, &token).await;
    for period in ["week", "month"] {
        let res = app
            .get_as(
                &token,
                &format!("/api/v1/me/summary-preview?period={period}"),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let email: Value = res.json().await.unwrap();
        assert!(email["subject"].as_str().unwrap().starts_with("Your "));
        assert!(email["text"].as_str().unwrap().contains("Income: 0.00 USD"));
        assert!(email["html"].as_str().unwrap().contains("<html"));
    }
}

async fn settings_are_validated_and_kept(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let put = |body: Value| {
        let (app, token) = (&app, &token);
        async move {
            app.put_as(token, "/api/v1/me/summary-settings", &body)
                .await
        }
    };
    for (body, field) in [
        (
            json!({"weekly": true, "weekly_day": 8, "monthly": false, "monthly_day": 1}),
            "weekly_day",
        ),
        (
            json!({"weekly": true, "weekly_day": 0, "monthly": false, "monthly_day": 1}),
            "weekly_day",
        ),
        (
            json!({"weekly": false, "weekly_day": 1, "monthly": true, "monthly_day": 32}),
            "monthly_day",
        ),
        (
            json!({"weekly": false, "weekly_day": 1, "monthly": true, "monthly_day": 0}),
            "monthly_day",
        ),
    ] {
        let res = put(body.clone()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(invalid_fields(res).await, [field], "{body}");
    }
    let res =
        put(json!({"weekly": false, "weekly_day": 3, "monthly": true, "monthly_day": 31})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let settings = settings_of(&app, &token).await;
    assert_eq!(
        (
            &settings["weekly"],
            &settings["weekly_day"],
            &settings["monthly"],
            &settings["monthly_day"]
        ),
        (&json!(false), &json!(3), &json!(true), &json!(31))
    );
    // Another user's settings are their own.
    let other = app.user("ravi@example.com").await;
    let theirs = settings_of(&app, &other).await;
    assert_eq!(theirs["monthly"], false);

    let res = app
        .get_as(&token, "/api/v1/me/summary-preview?period=day")
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(invalid_fields(res).await, ["period"]);
    let res = app.get("/api/v1/me/summary-settings").await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn a_due_summary_arrives_once_with_the_numbers_and_a_working_unsubscribe_link(app: TestApp) {
    let Some((smtp, maildir)) = smtp_server() else {
        return;
    };
    let address = unique_address("asha");
    app.register(&address).await;
    let token = app.tokens(&address, crate::helpers::PASSWORD).await.0;
    let main = app.account(&token, "Main", "USD").await;
    let groceries = app.category(&token, "Groceries").await;
    let dining = app.category(&token, "Dining").await;
    let salary = app.category(&token, "Salary").await;

    // Last week (Monday to Sunday) is the period; the week before it the comparison.
    let today = Utc::now().date_naive();
    let monday = today - chrono::Duration::days(today.weekday().num_days_from_monday().into());
    let start = monday - chrono::Duration::days(7);
    let day = |offset: i64| (start + chrono::Duration::days(offset)).to_string();
    let rows = [
        // The week before.
        (day(-7), 200000, salary),
        (day(-1), -50000, groceries),
        // Last week.
        (day(0), 300000, salary),
        (day(2), -45025, groceries),
        (day(6), -104975, dining),
        // This week: not in the summary.
        (today.to_string(), -99999, dining),
    ];
    for (date, amount, category) in rows {
        app.transaction(&token, json!({"account_id": main, "date": date, "amount": amount, "description": "x", "category_id": category}))
            .await;
    }
    turn_on_weekly(&app, &token).await;

    app.another_instance(|c| c.email = email_config(&smtp));
    let messages = receive(&maildir, &address, 1).await;
    assert_eq!(messages.len(), 1, "sent once");
    let message = &messages[0];
    assert_eq!(
        header(message, "Subject"),
        [format!("Your week in Dhana: {} to {}", day(0), day(6))]
    );
    assert_eq!(header(message, "From"), ["Dhana <dhana@example.com>"]);
    assert!(header(message, "Content-Type")[0].starts_with("multipart/alternative"));

    // Hand-computed: income 3000.00 against 2000.00 (+50 %); spending 450.25 + 1049.75 = 1500.00
    // against 500.00 (+200 %); net 1500.00 both weeks; savings rate 1500/3000 = 50 % against
    // 1500/2000 = 75 %; dining is 1049.75 / 1500.00 = 70 % of spending.
    // Lines end in CRLF on the wire.
    let text = &message["text"].as_str().unwrap().replace("\r\n", "\n");
    for line in [
        "- Income: 3000.00 USD (week before: 2000.00 USD, +50.0 %)",
        "- Spending: 1500.00 USD (week before: 500.00 USD, +200.0 %)",
        "- Net: 1500.00 USD (week before: 1500.00 USD, +0.0 %)",
        "- Savings rate: 50.0 % (week before: 75.0 %)",
        "- Dining: 1049.75 USD (70 % of spending)",
        "- Groceries: 450.25 USD (30 % of spending)",
        "Open Dhana: http://dhana.test/",
    ] {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }
    assert!(!text.contains("999.99"), "this week's spending stays out");
    // Three weeks of history: the forecast says how much more it needs, as the app does.
    let forecast: Value = app
        .get_as(&token, "/api/v1/forecast")
        .await
        .json()
        .await
        .unwrap();
    assert!(forecast["spending"]["amount"].is_null(), "{forecast}");
    for line in forecast_lines(&forecast) {
        assert!(text.contains(&line), "{line:?} not in\n{text}");
    }
    let html = message["html"].as_str().unwrap();
    for cell in [
        "3000.00 USD",
        "1500.00 USD",
        "50.0 %",
        "1049.75 USD",
        "href=\"http://dhana.test/\"",
    ] {
        assert!(html.contains(cell), "{cell:?} not in\n{html}");
    }
    assert!(
        !html.contains("<img") && !html.contains("src="),
        "no images or trackers"
    );

    // The unsubscribe link: in the text, the HTML and the List-Unsubscribe header.
    let link = text
        .lines()
        .find_map(|l| l.strip_prefix("Stop these weekly emails: "))
        .expect("an unsubscribe link")
        .to_owned();
    assert!(link.starts_with(&format!("{PUBLIC_URL}/api/v1/summaries/unsubscribe?token=")));
    assert_eq!(header(message, "List-Unsubscribe"), [format!("<{link}>")]);
    assert_eq!(
        header(message, "List-Unsubscribe-Post"),
        ["List-Unsubscribe=One-Click"]
    );
    assert!(html.contains(&link.replace('&', "&amp;")));
    let path = link.strip_prefix(PUBLIC_URL).unwrap();

    // A tampered token changes nothing.
    let tampered = format!(
        "{}{}",
        &path[..path.len() - 2],
        if path.ends_with("AA") { "BB" } else { "AA" }
    );
    for bad in [
        tampered.as_str(),
        "/api/v1/summaries/unsubscribe?token=1.weekly.9999999999.x",
    ] {
        let res = app.client.get(app.url(bad)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(invalid_fields(res).await, ["token"]);
    }
    let settings = settings_of(&app, &token).await;
    assert_eq!(settings["weekly"], true);

    // Following the link, signed out, only asks: a mail scanner that opens it changes nothing.
    let res = app.client.get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(res.headers().contains_key("content-security-policy"));
    let page = res.text().await.unwrap();
    let signed = path.split("token=").nth(1).unwrap();
    for part in [
        "Stop the weekly summary email from Dhana?".to_owned(),
        format!("<form method=\"post\" action=\"unsubscribe?token={signed}\">"),
        "name=\"List-Unsubscribe\" value=\"One-Click\"".to_owned(),
    ] {
        assert!(page.contains(&part), "{part:?} not in {page}");
    }
    assert!(!page.contains("<script"), "no script needed");
    assert_eq!(settings_of(&app, &token).await["weekly"], true);

    // Its button posts the form the way a browser does, and turns the weekly summary off.
    let res = app
        .client
        .post(app.url(path))
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("no longer get the weekly summary"));
    assert_eq!(settings_of(&app, &token).await["weekly"], false);

    // The one-click POST of RFC 8058, as a mail client sends it, works directly.
    turn_on_weekly(&app, &token).await;
    let res = app
        .client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"kind": "weekly", "unsubscribed": true})
    );
    assert_eq!(settings_of(&app, &token).await["weekly"], false);
}

async fn two_instances_send_each_summary_once(app: TestApp) {
    let Some((smtp, maildir)) = smtp_server() else {
        return;
    };
    let mut addresses = Vec::new();
    for name in ["a", "b", "c", "d"] {
        let address = unique_address(name);
        app.register(&address).await;
        let token = app.tokens(&address, crate::helpers::PASSWORD).await.0;
        turn_on_weekly(&app, &token).await;
        addresses.push(address);
    }
    app.another_instance(|c| c.email = email_config(&smtp));
    app.another_instance(|c| c.email = email_config(&smtp));
    for address in &addresses {
        assert_eq!(receive(&maildir, address, 1).await.len(), 1, "{address}");
    }
    // A restart sends nothing again.
    app.another_instance(|c| c.email = email_config(&smtp));
    actix_web::rt::time::sleep(Duration::from_secs(1)).await;
    for address in &addresses {
        assert_eq!(messages_to(&maildir, address).len(), 1, "{address}");
    }
}

async fn a_failed_send_is_retried_until_it_goes_through(app: TestApp) {
    let Some((smtp, maildir)) = smtp_server() else {
        return;
    };
    let address = unique_address("retry");
    app.register(&address).await;
    let token = app.tokens(&address, crate::helpers::PASSWORD).await.0;
    turn_on_weekly(&app, &token).await;

    // Nothing listens on a port just freed: every attempt of this instance fails. It makes a
    // few (after 0.2 s, then 0.4 s) and stops.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut config = app.config.clone();
    config.email = email_config(&format!("smtp://{closed}"));
    let failing = Application::build(config).unwrap();
    let stop = failing.handle();
    actix_web::rt::spawn(failing.run_until_stopped());
    actix_web::rt::time::sleep(Duration::from_millis(700)).await;
    stop.stop(false).await;
    assert!(messages_to(&maildir, &address).is_empty());

    // The retry, once its backoff is over, goes to the next instance that looks.
    app.another_instance(|c| c.email = email_config(&smtp));
    assert_eq!(receive(&maildir, &address, 1).await.len(), 1);
}

async fn a_claim_left_by_a_crashed_sender_is_taken_over_once_it_expires(app: TestApp) {
    let Some((smtp, maildir)) = smtp_server() else {
        return;
    };
    let (crashed, busy) = (unique_address("crashed"), unique_address("busy"));
    let mut ids = Vec::new();
    for address in [&crashed, &busy] {
        let user = app.register(address).await;
        let token = app.tokens(address, crate::helpers::PASSWORD).await.0;
        turn_on_weekly(&app, &token).await;
        ids.push(user["id"].as_i64().unwrap());
    }
    // Two senders claimed a summary each and never finished: one crashed longer ago than a claim
    // lasts, the other is (as far as anyone can tell) still sending.
    let pool = Pool::connect(&app.config.database).unwrap();
    let mut conn = pool.get().unwrap();
    let now = Utc::now();
    let due = schedule::latest(Kind::Weekly, todays_weekday(), now.date_naive());
    let long_ago = (now - schedule::CLAIM_EXPIRES - chrono::Duration::seconds(5)).naive_utc();
    for (user_id, at) in [(ids[0], long_ago), (ids[1], now.naive_utc())] {
        let claim = schedule::claim(&mut conn, user_id, &due, "gone", at).unwrap();
        assert!(claim.is_some());
    }

    app.another_instance(|c| c.email = email_config(&smtp));
    assert_eq!(receive(&maildir, &crashed, 1).await.len(), 1);
    assert!(
        messages_to(&maildir, &busy).is_empty(),
        "a live claim is not taken over"
    );
}

/// Minor units of USD as an email writes them.
fn usd(v: &Value) -> String {
    let cents = v.as_i64().unwrap();
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02} USD", cents.abs() / 100, cents.abs() % 100)
}

/// The text lines an email gives `GET /forecast`'s answer: spending, income and net savings,
/// each a figure with its interval or the reason there is none.
fn forecast_lines(forecast: &Value) -> Vec<String> {
    ["spending", "income", "net"]
        .into_iter()
        .map(|key| {
            let item = &forecast[key];
            let name = item["name"].as_str().unwrap();
            match item["not_enough_data"]["message"].as_str() {
                Some(message) => format!("- {name}: {message}\n"),
                None => format!(
                    "- {name}: {} (80 % likely between {} and {})\n",
                    usd(&item["amount"]),
                    usd(&item["low"]),
                    usd(&item["high"])
                ),
            }
        })
        .chain([format!(
            "Forecast for {}\n",
            forecast["month"].as_str().unwrap()
        )])
        .collect()
}

async fn a_summary_states_the_insights_and_forecast_the_app_shows(app: TestApp) {
    let token = app.user("ahead@example.com").await;
    crate::reports::looking_ahead(&app, &token).await;
    let get = |path: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            let res = app.get_as(token, path).await;
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            res.json::<Value>().await.unwrap()
        }
    };
    let insights = get("/api/v1/insights").await;
    let insights = insights["items"].as_array().unwrap();
    let forecast = get("/api/v1/forecast").await;
    let email = get("/api/v1/me/summary-preview?period=month").await;
    let (text, html) = (
        email["text"].as_str().unwrap(),
        email["html"].as_str().unwrap(),
    );
    assert!(insights.len() >= 2, "{insights:?}");
    // The three most severe, in the app's order.
    let mut at = text.find("\nInsights\n").expect("an insights section");
    for (i, insight) in insights.iter().enumerate() {
        let message = insight["message"].as_str().unwrap();
        let line = format!("- {message}\n");
        if i < 3 {
            let found = text[at..].find(&line);
            assert!(found.is_some(), "{line:?} not in order in\n{text}");
            at += found.unwrap();
            let escaped = message.replace('&', "&amp;").replace('\'', "&#39;");
            assert!(html.contains(&escaped), "{message:?} not in\n{html}");
        } else {
            assert!(!text.contains(&line), "only three insights");
        }
    }
    assert!(forecast["spending"]["amount"].is_i64(), "{forecast}");
    for line in forecast_lines(&forecast) {
        assert!(text.contains(&line), "{line:?} not in\n{text}");
    }
    let spending = &forecast["spending"];
    for figure in [&spending["amount"], &spending["low"], &spending["high"]] {
        assert!(html.contains(&usd(figure)), "{figure} not in\n{html}");
    }
}
