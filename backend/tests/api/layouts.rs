//! Bank-file layouts that need more than columns to be read right (issue 14, part 3), from our
//! own fixtures, through the preview and the commit: balance and summary lines left out and
//! listed, a card export's sign convention, dates that read two ways, rows wider than the
//! header.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{problem, TestApp};
use crate::imports::{rows, upload};
use crate::statements::fixture;

both_backends!(
    balance_and_summary_lines_are_left_out_and_listed,
    a_card_exports_sign_convention_is_shown_and_can_be_flipped,
    ambiguous_dates_are_asked_then_remembered_for_the_account,
    rows_wider_than_the_header_are_put_back_together,
);

async fn preview(app: &TestApp, token: &str, account: i64, name: &str) -> Value {
    let res = upload(app, token, account, name, fixture(name), "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

fn amounts(preview: &Value) -> Vec<i64> {
    preview["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount"].as_i64().unwrap())
        .collect()
}

async fn commit(app: &TestApp, token: &str, id: &Value, body: Value) -> reqwest::Response {
    app.post_as(token, &format!("/api/v1/imports/{id}/commit"), &body)
        .await
}

async fn balance_and_summary_lines_are_left_out_and_listed(app: TestApp) {
    let token = app.user("balances@example.com").await;
    let account = app.account(&token, "Giro", "EUR").await;
    let p = preview(&app, &token, account, "record_type_balances.csv").await;
    assert_eq!(amounts(&p), vec![-2345, 210000, -6120]);
    assert_eq!(p["counts"]["skipped"], 4);
    assert_eq!(p["counts"]["errors"], 0);
    let listed: Vec<(i64, &str)> = p["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["line"].as_i64().unwrap(), x["field"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        vec![
            (2, "summary"),
            (6, "summary"),
            (7, "summary"),
            (8, "summary")
        ]
    );
    assert!(p["problems"][3]["message"]
        .as_str()
        .unwrap()
        .contains("'Lõppsaldo'"));
    assert_eq!(p["mapping"]["record_type_column"], 1);
    let res = commit(&app, &token, &p["id"], json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["counts"]["imported"], 3);
    assert_eq!(done["counts"]["skipped"], 4);

    let p = preview(&app, &token, account, "balance_wording_de.csv").await;
    assert_eq!(amounts(&p), vec![-4510, 250000, -8000]);
    assert_eq!(p["counts"]["skipped"], 3);
}

async fn a_card_exports_sign_convention_is_shown_and_can_be_flipped(app: TestApp) {
    let token = app.user("card@example.com").await;
    let account = app.account(&token, "Card", "USD").await;
    let p = preview(&app, &token, account, "card_positive_purchases.csv").await;
    assert_eq!(amounts(&p), vec![-4520, -8213, 50000, -1549, 1999]);
    assert_eq!(p["findings"]["sign"]["inverted"], true);
    assert_eq!(p["findings"]["sign"]["basis"], "payment_wording");
    assert_eq!(p["mapping"]["invert_sign"], true);
    // The user flips it back: the rows follow, and the commit keeps the choice.
    let mut mapping = p["mapping"].clone();
    mapping["invert_sign"] = json!(false);
    let id = &p["id"];
    let res = app
        .post_as(
            &token,
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"mapping": mapping}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let flipped: Value = res.json().await.unwrap();
    assert_eq!(amounts(&flipped), vec![4520, 8213, -50000, 1549, -1999]);
    let res = commit(&app, &token, id, json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let sum: i64 = rows(&app, &token, &format!("account_id={account}"))
        .await
        .iter()
        .map(|t| t["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 4520 + 8213 - 50000 + 1549 - 1999);

    // A credit card account: a file of positive amounts without payment lines is purchases.
    let res = app
        .post_as(
            &token,
            "/api/v1/accounts",
            &json!({"name": "Visa", "kind": "credit_card", "currency": "USD"}),
        )
        .await;
    let card: Value = res.json().await.unwrap();
    let card = card["id"].as_i64().unwrap();
    let csv = "Date,Description,Amount\n2024-01-14,SHELL,45.20\n2024-01-18,REWE,82.13\n";
    let res = upload(&app, &token, card, "card.csv", csv.into(), "").await;
    let p: Value = res.json().await.unwrap();
    assert_eq!(amounts(&p), vec![-4520, -8213]);
    assert_eq!(p["findings"]["sign"]["basis"], "card_account");
}

async fn ambiguous_dates_are_asked_then_remembered_for_the_account(app: TestApp) {
    let token = app.user("dates@example.com").await;
    let account = app.account(&token, "Giro", "EUR").await;
    let p = preview(&app, &token, account, "ambiguous_dates.csv").await;
    assert_eq!(p["findings"]["date_order"]["basis"], "ask");
    assert_eq!(
        p["findings"]["date_order"]["candidates"],
        json!(["dmy", "mdy"])
    );
    assert_eq!(p["mapping"]["date_order"], Value::Null);
    // Never silently guessed: the commit waits for the answer, and writes nothing.
    let res = commit(&app, &token, &p["id"], json!({})).await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "mapping.date_order");
    assert_eq!(rows_in(&app, &token, account).await, 0);
    // The user answers day/month.
    let mut mapping = p["mapping"].clone();
    mapping["date_order"] = json!("dmy");
    let res = commit(&app, &token, &p["id"], json!({"mapping": mapping})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        dates_in(&app, &token, account).await,
        vec!["2024-03-02", "2024-05-04", "2024-07-06"]
    );
    // The next file of another layout into this account reads its dates the same way.
    let next = "Datum,Text,Betrag\n08/09/2024,Bakery,-3.50\n10/11/2024,Grocer,-20.00\n";
    let res = upload(&app, &token, account, "b.csv", next.into(), "").await;
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["findings"]["date_order"]["basis"], "earlier_imports");
    assert_eq!(p["rows"][0]["date"], "2024-09-08");
    // Another user's answers are not this account's.
    let other = app.user("other-dates@example.com").await;
    let theirs = app.account(&other, "Giro", "EUR").await;
    let res = upload(&app, &other, theirs, "b.csv", next.into(), "").await;
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["findings"]["date_order"]["basis"], "ask");
    // A script's one-call import has no preview to ask in: it imports in the order it shows
    // (day first: nothing in the file suggests dollars) and says so.
    let script = app.account(&token, "Script", "EUR").await;
    let res = upload(
        &app,
        &token,
        script,
        "a.csv",
        fixture("ambiguous_dates.csv"),
        "?commit=true",
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["findings"]["date_order"]["basis"], "ask");
    assert_eq!(done["findings"]["date_order"]["order"], "dmy");
    assert_eq!(
        dates_in(&app, &token, script).await,
        vec!["2024-03-02", "2024-05-04", "2024-07-06"]
    );
    // Dates written with dots are day first by convention.
    let dotted = "Datum;Text;Betrag\n08.09.2024;Bakery;-3.50\n10.11.2024;Grocer;-20.00\n";
    let other_account = app.account(&token, "Dotted", "EUR").await;
    let res = upload(&app, &token, other_account, "d.csv", dotted.into(), "").await;
    let p: Value = res.json().await.unwrap();
    assert_eq!(p["findings"]["date_order"]["basis"], "convention");
    assert_eq!(p["rows"][0]["date"], "2024-09-08");
    // A known exporter's header decides.
    let p = preview(&app, &token, account, "aggregator_us_dates.csv").await;
    assert_eq!(p["findings"]["date_order"]["basis"], "exporter");
    assert_eq!(p["findings"]["date_order"]["exporter"], "Mint");
    assert_eq!(p["rows"][0]["date"], "2024-12-10");
}

async fn dates_in(app: &TestApp, token: &str, account: i64) -> Vec<String> {
    rows(app, token, &format!("account_id={account}"))
        .await
        .iter()
        .map(|t| t["date"].as_str().unwrap().to_owned())
        .collect()
}

async fn rows_in(app: &TestApp, token: &str, account: i64) -> usize {
    dates_in(app, token, account).await.len()
}

async fn rows_wider_than_the_header_are_put_back_together(app: TestApp) {
    let token = app.user("wide@example.com").await;
    let account = app.account(&token, "Current", "GBP").await;
    let p = preview(&app, &token, account, "wide_rows_address.csv").await;
    assert_eq!(amounts(&p), vec![-320, -1299, -800, 150000]);
    assert_eq!(p["findings"]["wide_rows"]["rows"], 3);
    assert_eq!(p["findings"]["wide_rows"]["lines"], json!([3, 4, 5]));
    assert_eq!(p["findings"]["wide_rows"]["columns"], json!(["Address"]));
    assert_eq!(p["counts"]["errors"], 0);
    let res = commit(&app, &token, &p["id"], json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["counts"]["imported"], 4);
}
