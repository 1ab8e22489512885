use std::io::Cursor;
use std::path::Path;
use std::time::Duration;

use calamine::{Data, Reader, Xlsx};
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, TestApp};
use crate::merchants::execute;

both_backends!(
    every_kind_shows_the_dashboards_numbers,
    reports_are_private_and_their_files_go_with_them,
    bad_requests_name_the_field,
    a_pdf_lists_at_most_2000_transactions,
    large_reports_are_made_in_the_background,
    a_report_left_running_by_a_dead_server_is_made_again,
    insights_forecast_and_bills_are_shown_as_the_app_answers_them,
    without_history_the_forecast_says_so,
);

/// A user with March 2024 (and February to compare with) in two accounts; returns
/// (token, main account, savings account).
async fn household(app: &TestApp) -> (String, i64, i64) {
    let token = app.user("asha@example.com").await;
    let main = app.account(&token, "Main", "USD").await;
    let savings = app.account(&token, "Savings", "USD").await;
    let groceries = app.category(&token, "Groceries").await;
    let dining = app.category(&token, "Dining").await;
    let salary = app.category(&token, "Salary").await;
    let rows = [
        (main, "2024-02-01", -10000, Some(groceries), "Tesco"),
        (main, "2024-02-29", 300000, Some(salary), "ACME payroll"),
        (main, "2024-03-01", 300000, Some(salary), "ACME payroll"),
        (main, "2024-03-01", -12345, Some(groceries), "Café Łódź ₹ €"),
        (main, "2024-03-20", 2000, Some(groceries), "Tesco refund"),
        (
            main,
            "2024-03-31",
            -5000,
            Some(dining),
            "=HYPERLINK(\"http://x\")",
        ),
        (savings, "2024-03-10", -800, None, "Bank fee"),
        (main, "2024-04-01", -99999, Some(dining), "April"),
    ];
    for (account, date, amount, category, description) in rows {
        app.transaction(
            &token,
            json!({"account_id": account, "date": date, "amount": amount, "description": description, "category_id": category}),
        )
        .await;
    }
    (token, main, savings)
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post_as(token, "/api/v1/reports", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{body}");
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["status"], "ready", "{report}");
    report
}

/// The file of a report: (content type, file name, bytes).
async fn download(app: &TestApp, token: &str, id: &Value) -> (String, String, Vec<u8>) {
    let res = app
        .get_as(token, &format!("/api/v1/reports/{id}/file"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| res.headers()[name].to_str().unwrap().to_owned();
    let content_type = header("content-type");
    let disposition = header("content-disposition");
    let name = disposition
        .split("filename=")
        .nth(1)
        .unwrap()
        .trim_matches('"')
        .to_owned();
    (content_type, name, res.bytes().await.unwrap().to_vec())
}

async fn dashboard(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app
        .get_as(token, &format!("/api/v1/dashboard?{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Minor units of USD as a spreadsheet number.
fn dollars(v: &Value) -> f64 {
    v.as_i64().unwrap() as f64 / 100.0
}

/// Minor units of USD as the PDF prints them.
fn printed(v: &Value) -> String {
    let cents = v.as_i64().unwrap();
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02} USD", cents.abs() / 100, cents.abs() % 100)
}

/// The PDF's text without white space, and without the page headers after the first, so a
/// table row broken over two pages reads on. Lato draws `-` and `‐` (U+2010) with one glyph,
/// which the PDF maps back to `‐`: read as `-`.
fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a readable PDF");
    let mut text = String::new();
    for page in doc.get_pages().keys() {
        let page_text: String = doc
            .extract_text(&[*page])
            .expect("its text")
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c == '\u{2010}' { '-' } else { c })
            .collect();
        let header_end = format!("∙page{page}");
        let body = match page_text.find(&header_end) {
            Some(at) if *page > 1 && page_text.starts_with("Dhana∙") => {
                &page_text[at + header_end.len()..]
            }
            _ => &page_text,
        };
        text.push_str(body);
    }
    text
}

fn squeezed(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
    range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
}

async fn every_kind_shows_the_dashboards_numbers(app: TestApp) {
    let (token, main, _) = household(&app).await;

    // PDF of March, with its transactions.
    let d = dashboard(&app, &token, "month=2024-03").await;
    assert_eq!(d["summary"]["income"], 300000);
    let report = create(
        &app,
        &token,
        json!({"kind": "pdf", "month": "2024-03", "include_transactions": true}),
    )
    .await;
    assert_eq!(report["period"]["label"], "2024-03");
    assert_eq!(report["transaction_count"], 5);
    let (content_type, name, bytes) = download(&app, &token, &report["id"]).await;
    assert_eq!(content_type, "application/pdf");
    assert_eq!(name, "dhana-2024-03.pdf");
    assert_eq!(report["file_size"], bytes.len());
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let fonts: Vec<_> = (doc.objects.values())
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| s.dict.get(b"Length1").is_ok())
        .collect();
    assert_eq!(fonts.len(), 2, "Lato regular and bold embedded");
    assert!(
        fonts.iter().all(|s| s.dict.get(b"Filter").is_ok()),
        "the embedded fonts are compressed"
    );
    let text = pdf_text(&bytes);
    for (label, key) in [
        ("Income", "income"),
        ("Spending", "spending"),
        ("Net", "net"),
    ] {
        let this = printed(&d["summary"][key]);
        let before = printed(&d["previous"][key]);
        let line = squeezed(&format!("{label}{this}{before}"));
        assert!(text.contains(&line), "{line} not in the PDF: {text}");
    }
    for share in d["spending_by_category"].as_array().unwrap() {
        let line = squeezed(&format!(
            "{}{}",
            share["name"].as_str().unwrap(),
            printed(&share["amount"])
        ));
        assert!(text.contains(&line), "{line} not in the PDF: {text}");
    }
    assert!(text.contains("CaféŁódź₹€"), "fonts print every character");
    assert!(text.contains("page1"));

    // A workbook of the year.
    let d = dashboard(&app, &token, "year=2024").await;
    let report = create(&app, &token, json!({"kind": "xlsx", "year": 2024})).await;
    let (content_type, name, bytes) = download(&app, &token, &report["id"]).await;
    assert_eq!(
        content_type,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert_eq!(name, "dhana-2024.xlsx");
    let mut book = Xlsx::new(Cursor::new(bytes)).expect("a readable workbook");
    let summary = book.worksheet_range("Summary").unwrap();
    for (row, key) in [(1, "income"), (2, "spending"), (3, "refunds"), (4, "net")] {
        assert_eq!(
            cell(&summary, row, 1),
            Data::Float(dollars(&d["summary"][key])),
            "{key}"
        );
        assert_eq!(
            cell(&summary, row, 2),
            Data::Float(dollars(&d["previous"][key])),
            "{key}"
        );
    }
    let rate = d["summary"]["savings_rate"].as_f64().unwrap() * 100.0;
    match cell(&summary, 5, 1) {
        Data::Float(v) => assert!((v - rate).abs() < 1e-9, "{v} {rate}"),
        other => panic!("savings rate {other:?}"),
    }
    let by_category = book.worksheet_range("By category").unwrap();
    for (i, share) in d["spending_by_category"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let row = i as u32 + 1;
        assert_eq!(
            cell(&by_category, row, 0),
            Data::String(share["name"].as_str().unwrap().into())
        );
        assert_eq!(
            cell(&by_category, row, 1),
            Data::Float(dollars(&share["amount"]))
        );
    }
    let by_month = book.worksheet_range("By month").unwrap();
    let labels = d["monthly"]["labels"].as_array().unwrap();
    assert_eq!(by_month.height(), labels.len() + 1);
    for (i, label) in labels.iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(
            cell(&by_month, row, 0),
            Data::String(label.as_str().unwrap().into())
        );
        for (col, series) in [(1, 0), (2, 1), (3, 2)] {
            assert_eq!(
                cell(&by_month, row, col),
                Data::Float(dollars(&d["monthly"]["datasets"][series]["data"][i])),
                "{label} {series}"
            );
        }
    }
    let transactions = book.worksheet_range("Transactions").unwrap();
    assert_eq!(transactions.height(), 1 + 8, "a header and the year's rows");
    assert_eq!(cell(&transactions, 0, 0), Data::String("Date".into()));
    assert!(
        matches!(cell(&transactions, 1, 0), Data::DateTime(_)),
        "real dates"
    );
    assert_eq!(cell(&transactions, 1, 5), Data::Float(-100.0));
    let styles = book.worksheet_style("Transactions").unwrap();
    let shown = |col: u32| {
        let style = styles.get((1, col)).expect("a styled cell");
        style.number_format.as_ref().unwrap().format_code.clone()
    };
    assert_eq!(
        shown(5),
        r#"#,##0.00 "USD""#,
        "an amount shows its currency"
    );
    assert_eq!(shown(0), "yyyy-mm-dd");
    let hostile = (1..transactions.height() as u32)
        .map(|r| cell(&transactions, r, 2))
        .find(|c| c.to_string().starts_with("=HYPERLINK"))
        .expect("the bank's text");
    assert!(matches!(hostile, Data::String(_)), "text, never a formula");
    assert!(book
        .worksheet_formula("Transactions")
        .unwrap()
        .used_cells()
        .all(|(_, _, f)| f.is_empty()));

    // A CSV of a range of one account is the transaction export of the same.
    let report = create(
        &app,
        &token,
        json!({"kind": "csv", "from": "2024-01-01", "to": "2024-03-31", "account_ids": [main]}),
    )
    .await;
    assert_eq!(report["account_ids"], json!([main]));
    let (content_type, name, bytes) = download(&app, &token, &report["id"]).await;
    assert_eq!(content_type, "text/csv; charset=utf-8");
    assert_eq!(name, "dhana-2024-01-01_2024-03-31.csv");
    let export = app
        .get_as(
            &token,
            &format!(
                "/api/v1/transactions/export.csv?from=2024-01-01&to=2024-03-31&account_id={main}"
            ),
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(String::from_utf8(bytes).unwrap(), export);
    assert_eq!(export.lines().count(), 1 + 6);

    // The history, newest first, a page at a time.
    let page: Value = app
        .get_as(&token, "/api/v1/reports?limit=2")
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["csv", "xlsx"]);
    let rest: Value = app
        .get_as(
            &token,
            &format!(
                "/api/v1/reports?limit=2&cursor={}",
                page["next_cursor"].as_str().unwrap()
            ),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"][0]["kind"], "pdf");
    assert_eq!(rest["next_cursor"], Value::Null);
}

/// The report files stored under the data dir.
fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .map(|e| e.unwrap().path())
                .map(|p| if p.is_dir() { count(&p) } else { 1 })
                .sum()
        })
    }
    count(&app.config.data_dir.join("files/reports"))
}

async fn reports_are_private_and_their_files_go_with_them(app: TestApp) {
    let (token, main, savings) = household(&app).await;
    let all = create(&app, &token, json!({"kind": "csv", "month": "2024-03"})).await;
    let only_savings = create(
        &app,
        &token,
        json!({"kind": "pdf", "month": "2024-03", "account_ids": [savings]}),
    )
    .await;
    let only_main = create(
        &app,
        &token,
        json!({"kind": "xlsx", "month": "2024-03", "account_ids": [main]}),
    )
    .await;
    assert_eq!(stored_files(&app), 3);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let dir = app.config.data_dir.join("files/reports");
        let user_dir = std::fs::read_dir(&dir)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let file = std::fs::read_dir(&user_dir)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        assert_eq!(file.metadata().unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(file.file_name().unwrap().len(), 32, "an unguessable name");
    }

    let other = app.user("ravi@example.com").await;
    let id = &all["id"];
    for path in [
        format!("/api/v1/reports/{id}"),
        format!("/api/v1/reports/{id}/file"),
    ] {
        assert_eq!(
            app.get_as(&other, &path).await.status(),
            StatusCode::NOT_FOUND
        );
    }
    let res = app
        .delete_as(&other, &format!("/api/v1/reports/{id}"))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let theirs: Value = app
        .get_as(&other, "/api/v1/reports")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs["items"], json!([]));

    let res = app
        .delete_as(&token, &format!("/api/v1/reports/{id}"))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(stored_files(&app), 2);
    let res = app.get_as(&token, &format!("/api/v1/reports/{id}")).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Deleting an account deletes the reports restricted to it, and only those.
    let res = app
        .delete_as(&token, &format!("/api/v1/accounts/{savings}"))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let gone = app
        .get_as(&token, &format!("/api/v1/reports/{}", only_savings["id"]))
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let kept = app
        .get_as(&token, &format!("/api/v1/reports/{}", only_main["id"]))
        .await;
    assert_eq!(kept.status(), StatusCode::OK);
    assert_eq!(stored_files(&app), 1);

    // Deleting the user deletes the rest.
    let res = app
        .client
        .delete(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .json(&json!({"password": crate::helpers::PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(stored_files(&app), 0);
}

async fn bad_requests_name_the_field(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let theirs = app.account(&other, "Theirs", "USD").await;
    let cases = [
        (json!({"kind": "docx", "month": "2024-03"}), "kind"),
        (json!({"month": "2024-03"}), "kind"),
        (json!({"kind": "pdf", "month": "2024-13"}), "month"),
        (json!({"kind": "pdf", "year": 1800}), "year"),
        (json!({"kind": "pdf", "from": "2024-03-01"}), "to"),
        (
            json!({"kind": "pdf", "from": "2024-03-31", "to": "2024-03-01"}),
            "to",
        ),
        (
            json!({"kind": "pdf", "from": "2024-02-30", "to": "2024-03-01"}),
            "from",
        ),
        (
            json!({"kind": "pdf", "month": "2024-03", "year": 2024}),
            "month",
        ),
        (
            json!({"kind": "csv", "month": "2024-03", "account_ids": [theirs]}),
            "account_ids",
        ),
        (
            json!({"kind": "csv", "month": "2024-03", "account_ids": [1, "x"]}),
            "account_ids[1]",
        ),
    ];
    for (body, field) in cases {
        let res = app.post_as(&token, "/api/v1/reports", &body).await;
        assert_eq!(invalid_fields(res).await, [field], "{body}");
    }
    let res = app.get_as(&token, "/api/v1/reports?cursor=abc").await;
    assert_eq!(invalid_fields(res).await, ["cursor"]);
    nothing_half_made(&app, &token).await;
}

async fn nothing_half_made(app: &TestApp, token: &str) {
    let list: Value = app
        .get_as(token, "/api/v1/reports")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], json!([]), "nothing half-made");
}

async fn a_pdf_lists_at_most_2000_transactions(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Main", "USD").await;
    let mut csv = String::from("Date,Description,Amount\n");
    for i in 0..2_001 {
        csv.push_str(&format!(
            "2024-05-{:02},Shop {i},-1.{:02}\n",
            1 + i % 28,
            i % 100
        ));
    }
    crate::imports::import(&app, &token, account, &csv).await;
    let res = app
        .post_as(
            &token,
            "/api/v1/reports",
            &json!({"kind": "pdf", "month": "2024-05", "include_transactions": true}),
        )
        .await;
    let problem = crate::helpers::problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "include_transactions");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("has 2001 transactions and a PDF lists at most 2000"),
        "{problem}"
    );
    nothing_half_made(&app, &token).await;
    let summary = create(&app, &token, json!({"kind": "pdf", "month": "2024-05"})).await;
    assert_eq!(summary["transaction_count"], 2_001);
}

/// Polls the report until it is no longer queued or running.
async fn settled(app: &TestApp, base: &str, token: &str, id: &Value) -> Value {
    for _ in 0..300 {
        let report: Value = app
            .client
            .get(format!("{base}/api/v1/reports/{id}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if !["queued", "running"].contains(&report["status"].as_str().unwrap()) {
            return report;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("report {id} never settled");
}

async fn large_reports_are_made_in_the_background(app: TestApp) {
    let (token, _, _) = household(&app).await;
    let base = app.another_instance(|c| c.report_background_above = 2);
    let res = app
        .client
        .post(format!("{base}/api/v1/reports"))
        .bearer_auth(&token)
        .json(&json!({"kind": "xlsx", "month": "2024-03"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let queued: Value = res.json().await.unwrap();
    assert_eq!(queued["status"], "queued");
    assert_eq!(queued["progress"], 0);
    let res = app
        .get_as(&token, &format!("/api/v1/reports/{}/file", queued["id"]))
        .await;
    assert!(
        [StatusCode::CONFLICT, StatusCode::OK].contains(&res.status()),
        "not ready yet, or just made"
    );
    let report = settled(&app, &base, &token, &queued["id"]).await;
    assert_eq!(report["status"], "ready", "{report}");
    assert_eq!(report["progress"], 100);
    let (_, name, bytes) = download(&app, &token, &report["id"]).await;
    assert_eq!(name, "dhana-2024-03.xlsx");
    assert!(Xlsx::new(Cursor::new(bytes)).is_ok());
}

async fn a_report_left_running_by_a_dead_server_is_made_again(app: TestApp) {
    let (token, _, _) = household(&app).await;
    let report = create(&app, &token, json!({"kind": "pdf", "month": "2024-03"})).await;
    let id = &report["id"];
    // As a server that died while making it leaves it: claimed long ago, no file.
    execute(
        &app.config.database,
        &format!(
            "UPDATE reports SET status = 'running', progress = 40, file_key = NULL, \
             claimed_by = 'dead-server', claimed_at = '2020-01-01 00:00:00' WHERE id = {id}"
        ),
    );
    let recovered = settled(&app, &app.base, &token, id).await;
    assert_eq!(recovered["status"], "ready", "{recovered}");
    let (_, _, bytes) = download(&app, &token, id).await;
    assert!(bytes.starts_with(b"%PDF"));

    // A claim still being refreshed is left alone.
    execute(
        &app.config.database,
        &format!(
            "UPDATE reports SET status = 'running', claimed_by = 'busy-server', \
             claimed_at = '2999-01-01 00:00:00' WHERE id = {id}"
        ),
    );
    actix_web::rt::time::sleep(Duration::from_millis(2500)).await;
    let still: Value = app
        .get_as(&token, &format!("/api/v1/reports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(still["status"], "running");
}

/// The forecast test's household (six months of groceries, dining, a Netflix bill and a salary
/// up to today) with last month's groceries doubled: insights, a forecast and a bill to show.
pub(crate) async fn looking_ahead(app: &TestApp, token: &str) {
    let ledger = crate::forecast::household(app, token).await;
    let groceries = app.category(token, "Groceries").await;
    app.transaction(
        token,
        json!({"account_id": ledger.account, "date": crate::forecast::on(-1, 16),
               "amount": -30000, "description": "WAITROSE", "category_id": groceries}),
    )
    .await;
}

async fn answer(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.get_as(token, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.unwrap()
}

fn this_month() -> String {
    Utc::now().date_naive().format("%Y-%m").to_string()
}

/// A forecast item's money cell in the workbook: its dollars, or empty without a figure.
fn money_cell(v: &Value) -> Data {
    if v.is_null() {
        Data::Empty
    } else {
        Data::Float(dollars(v))
    }
}

/// A forecast item's row as the PDF prints it.
fn printed_forecast(item: &Value) -> String {
    let money = |v: &Value| {
        if v.is_null() {
            String::new()
        } else {
            printed(v)
        }
    };
    let note = item["not_enough_data"]["message"].as_str().unwrap_or("");
    squeezed(&format!(
        "{}{}{}{}{}{note}",
        item["name"].as_str().unwrap(),
        money(&item["amount"]),
        money(&item["low"]),
        money(&item["high"]),
        printed(&item["known_amount"]),
    ))
}

/// The forecast's rows: total spending, income, net savings, then each category.
fn forecast_items(forecast: &Value) -> Vec<&Value> {
    [&forecast["spending"], &forecast["income"], &forecast["net"]]
        .into_iter()
        .chain(forecast["categories"].as_array().unwrap())
        .collect()
}

async fn insights_forecast_and_bills_are_shown_as_the_app_answers_them(app: TestApp) {
    let token = app.user("ahead@example.com").await;
    looking_ahead(&app, &token).await;
    let insights = answer(&app, &token, "/api/v1/insights").await;
    let insights = insights["items"].as_array().unwrap().clone();
    assert!(insights.len() >= 2, "{insights:?}");
    let forecast = answer(&app, &token, "/api/v1/forecast").await;
    assert!(forecast["spending"]["amount"].is_i64(), "{forecast}");
    let bills = answer(&app, &token, "/api/v1/bills/upcoming").await;
    let bills = bills["items"].as_array().unwrap().clone();
    assert!(!bills.is_empty());

    let report = create(&app, &token, json!({"kind": "pdf", "month": this_month()})).await;
    let text = pdf_text(&download(&app, &token, &report["id"]).await.2);
    for insight in &insights {
        let change = insight["change_percent"]
            .as_f64()
            .map_or_else(String::new, |p| format!("{p:.2}"));
        let line = squeezed(&format!(
            "{}{change}{}",
            printed(&insight["figures"][0]["amount"]),
            insight["message"].as_str().unwrap(),
        ));
        assert!(text.contains(&line), "{line} not in the PDF: {text}");
    }
    assert!(text.contains(&squeezed(&format!(
        "For {}, as forecast on",
        forecast["month"].as_str().unwrap()
    ))));
    for item in forecast_items(&forecast) {
        let line = printed_forecast(item);
        assert!(text.contains(&line), "{line} not in the PDF: {text}");
    }
    for bill in &bills {
        let line = squeezed(&format!(
            "{}{}{}",
            bill["date"].as_str().unwrap(),
            bill["name"].as_str().unwrap(),
            printed(&bill["amount"])
        ));
        assert!(text.contains(&line), "{line} not in the PDF: {text}");
    }

    let report = create(&app, &token, json!({"kind": "xlsx", "month": this_month()})).await;
    let mut book = Xlsx::new(Cursor::new(download(&app, &token, &report["id"]).await.2)).unwrap();
    let sheet = book.worksheet_range("Insights").unwrap();
    for (i, insight) in insights.iter().enumerate() {
        let row = i as u32 + 1;
        let said = |key: &str| Data::String(insight[key].as_str().unwrap().into());
        assert_eq!(cell(&sheet, row, 0), said("period"));
        assert_eq!(cell(&sheet, row, 1), said("severity"));
        assert_eq!(cell(&sheet, row, 4), said("message"));
        assert_eq!(
            cell(&sheet, row, 2),
            Data::Float(dollars(&insight["figures"][0]["amount"]))
        );
        assert_eq!(
            cell(&sheet, row, 3),
            insight["change_percent"]
                .as_f64()
                .map_or(Data::Empty, Data::Float)
        );
    }
    let sheet = book.worksheet_range("Forecast").unwrap();
    let items = forecast_items(&forecast);
    for (i, item) in items.iter().enumerate() {
        let row = i as u32 + 1;
        assert_eq!(
            cell(&sheet, row, 0),
            Data::String(item["name"].as_str().unwrap().into())
        );
        for (col, key) in [(1, "amount"), (2, "low"), (3, "high"), (4, "known_amount")] {
            assert_eq!(cell(&sheet, row, col), money_cell(&item[key]), "{key}");
        }
    }
    let sheet = book.worksheet_range("Upcoming bills").unwrap();
    for (i, bill) in bills.iter().enumerate() {
        let row = i as u32 + 1;
        match cell(&sheet, row, 0) {
            Data::DateTime(d) => assert_eq!(
                d.as_datetime().unwrap().date().to_string(),
                bill["date"].as_str().unwrap()
            ),
            other => panic!("a date: {other:?}"),
        }
        assert_eq!(
            cell(&sheet, row, 1),
            Data::String(bill["name"].as_str().unwrap().into())
        );
        assert_eq!(cell(&sheet, row, 2), Data::Float(dollars(&bill["amount"])));
    }
    assert_eq!(
        sheet.height(),
        1 + bills.len() + 2,
        "the bills and the note"
    );

    // A report on some accounts leaves them out: they are about all accounts.
    let account = app.account(&token, "Spare", "USD").await;
    let report = create(
        &app,
        &token,
        json!({"kind": "xlsx", "month": this_month(), "account_ids": [account]}),
    )
    .await;
    let book = Xlsx::new(Cursor::new(download(&app, &token, &report["id"]).await.2)).unwrap();
    for name in ["Insights", "Forecast", "Upcoming bills"] {
        assert!(!book.sheet_names().contains(&name.to_owned()), "{name}");
    }
}

async fn without_history_the_forecast_says_so(app: TestApp) {
    let token = app.user("new@example.com").await;
    let account = app.account(&token, "Main", "USD").await;
    app.transaction(
        &token,
        json!({"account_id": account, "date": Utc::now().date_naive(), "amount": -1234, "description": "First"}),
    )
    .await;
    let forecast = answer(&app, &token, "/api/v1/forecast").await;
    let not_yet = forecast["spending"]["not_enough_data"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(not_yet.starts_with("not enough data yet"), "{forecast}");

    let report = create(&app, &token, json!({"kind": "pdf", "month": this_month()})).await;
    let text = pdf_text(&download(&app, &token, &report["id"]).await.2);
    for item in forecast_items(&forecast) {
        let line = printed_forecast(item);
        assert!(text.contains(&line), "{line} not in the PDF: {text}");
    }
    assert!(!text.contains("Upcomingbills"), "none to list: {text}");
    let report = create(&app, &token, json!({"kind": "xlsx", "month": this_month()})).await;
    let mut book = Xlsx::new(Cursor::new(download(&app, &token, &report["id"]).await.2)).unwrap();
    let sheet = book.worksheet_range("Forecast").unwrap();
    assert_eq!(cell(&sheet, 1, 1), Data::Empty, "no figure");
    assert_eq!(cell(&sheet, 1, 5), Data::String(not_yet));
}
