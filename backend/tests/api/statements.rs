//! Bank statements in the SWIFT (MT940) and ISO 20022 (CAMT.053) formats, from our own
//! fixtures: detected by content, previewed, committed, and not doubled when imported again.

use reqwest::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::helpers::{problem, TestApp};
use crate::import_claims::{database, rows_of};
use crate::imports::upload;

both_backends!(
    mt940_previews_commits_and_reimports_without_duplicates,
    mt940_in_another_currency_is_refused_and_one_not_adding_up_is_reported,
    camt053_previews_commits_and_reimports_without_duplicates,
    camt053_in_another_currency_is_refused_and_one_not_adding_up_is_reported,
);

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Uploads a statement file, checks what was detected, commits it and re-imports it.
async fn round_trip(app: &TestApp, name: &str, format: &str, amounts: &[i64]) {
    let token = app.user(&format!("{format}@example.com")).await;
    let account = app.account(&token, "Giro", "EUR").await;
    let res = upload(app, &token, account, name, fixture(name), "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let preview: Value = res.json().await.unwrap();
    assert_eq!(preview["format"], format);
    assert_eq!(preview["currency"], "EUR");
    assert_eq!(preview["counts"]["rows"], amounts.len());
    assert_eq!(preview["counts"]["errors"], 0);
    let shown: Vec<i64> = preview["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(shown, amounts);
    let id = preview["id"].as_i64().unwrap();
    let res = app
        .post_as(
            &token,
            &format!("/api/v1/imports/{id}/commit"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let record: Value = res.json().await.unwrap();
    assert_eq!(record["counts"]["imported"], amounts.len());
    assert_eq!(rows_of(&mut database(app), account), amounts.len() as i64);

    // The same file again: every row is known by its bank reference.
    let again = upload(app, &token, account, name, fixture(name), "?commit=true").await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["status"], "nothing_new");
    assert_eq!(again["counts"]["duplicates"], amounts.len());
    assert_eq!(rows_of(&mut database(app), account), amounts.len() as i64);
}

async fn mt940_previews_commits_and_reimports_without_duplicates(app: TestApp) {
    // Direct debit, salary, card payment; then the direct debit returned (RD) and a transfer.
    round_trip(
        &app,
        "statement.sta",
        "mt940",
        &[-2550, 150000, -1230, 2550, -10000],
    )
    .await;
    let token = app.user("texts@example.com").await;
    let account = app.account(&token, "Giro", "EUR").await;
    let res = upload(&app, &token, account, "s.sta", fixture("statement.sta"), "").await;
    let preview: Value = res.json().await.unwrap();
    let rows = preview["rows"].as_array().unwrap();
    assert_eq!(
        rows[0]["description"],
        "SEPA-LASTSCHRIFT Strom Januar Kundennr 4711"
    );
    assert_eq!(rows[0]["merchant"], "Stadtwerke Musterstadt");
    assert_eq!(rows[0]["date"], "2023-01-02");
    assert_eq!(
        rows[2]["description"],
        "KARTENZAHLUNG BAECKEREI MUELLER 2023-01-04"
    );
    assert_eq!(
        rows[3]["description"],
        "Reversal: RETURN DIRECT DEBIT STROM"
    );
    assert_eq!(rows[4]["merchant"], "JOHN SMITH");
}

async fn mt940_in_another_currency_is_refused_and_one_not_adding_up_is_reported(app: TestApp) {
    let token = app.user("refused@example.com").await;
    let dollars = app.account(&token, "Dollars", "USD").await;
    let res = upload(&app, &token, dollars, "s.sta", fixture("statement.sta"), "").await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "account_id");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("EUR"));

    let euros = app.account(&token, "Euros", "EUR").await;
    let altered = String::from_utf8(fixture("statement.sta"))
        .unwrap()
        .replace(":62F:C230104EUR2462,20", ":62F:C230104EUR2462,00");
    imported_with_the_difference_shown(&app, &token, euros, "s.sta", altered, |message| {
        message.contains("statement 'STMT-1' (number 1/1) does not add up")
            && message.contains("movements is 2462.20 but its closing balance is 2462.00")
    })
    .await;
}

/// A statement whose balances do not add up is previewed with the difference on its closing
/// balance's line, a problem that does not stop the commit, and then imported whole.
async fn imported_with_the_difference_shown(
    app: &TestApp,
    token: &str,
    account: i64,
    name: &str,
    file: String,
    says: impl Fn(&str) -> bool,
) {
    let res = upload(app, token, account, name, file.into_bytes(), "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let preview: Value = res.json().await.unwrap();
    let problems = preview["problems"].as_array().unwrap();
    let balances: Vec<_> = problems
        .iter()
        .filter(|p| p["field"] == "balance")
        .collect();
    assert_eq!(balances.len(), 1, "{problems:?}");
    assert_eq!(balances[0]["skipped"], true);
    assert!(
        says(balances[0]["message"].as_str().unwrap()),
        "{problems:?}"
    );
    assert_eq!(preview["counts"]["errors"], 0);
    let rows = preview["counts"]["rows"].as_i64().unwrap();
    let id = preview["id"].as_i64().unwrap();
    let res = app
        .post_as(
            token,
            &format!("/api/v1/imports/{id}/commit"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(rows_of(&mut database(app), account), rows);
}

async fn camt053_previews_commits_and_reimports_without_duplicates(app: TestApp) {
    // A direct debit, a batch of two transfers (one row each), then the debit reversed and a
    // salary; the pending card authorisation is left out.
    let file = "statement.camt053.xml";
    round_trip(&app, file, "camt", &[-2550, -10000, -20000, 2550, 150000]).await;
    let token = app.user("camt-texts@example.com").await;
    let account = app.account(&token, "Giro", "EUR").await;
    let res = upload(&app, &token, account, "s.xml", fixture(file), "").await;
    let preview: Value = res.json().await.unwrap();
    assert_eq!(preview["counts"]["skipped"], 1);
    assert!(preview["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("PDNG"));
    assert!(
        !preview.to_string().contains("root:"),
        "an external entity is never expanded"
    );
    let rows = preview["rows"].as_array().unwrap();
    assert_eq!(rows[0]["description"], "Strom Januar Kundennr 4711");
    assert_eq!(rows[0]["merchant"], "Stadtwerke Musterstadt");
    assert_eq!(
        rows[0]["date"], "2023-01-02",
        "the booking date, not the value date"
    );
    assert_eq!(rows[2]["merchant"], "Bob Example");
    assert_eq!(rows[3]["description"], "Reversal: Return Strom");
    assert_eq!(rows[3]["merchant"], "Stadtwerke Musterstadt");
    assert_eq!(rows[4]["description"], "Salary January & bonus");
    assert_eq!(rows[4]["date"], "2023-01-06");
}

async fn camt053_in_another_currency_is_refused_and_one_not_adding_up_is_reported(app: TestApp) {
    let token = app.user("camt-refused@example.com").await;
    let file = "statement.camt053.xml";
    let dollars = app.account(&token, "Dollars", "USD").await;
    let res = upload(&app, &token, dollars, "s.xml", fixture(file), "").await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "account_id", "{p}");
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("EUR"));

    let euros = app.account(&token, "Euros", "EUR").await;
    let altered = String::from_utf8(fixture(file)).unwrap().replace(
        "<Amt Ccy=\"EUR\">2200.00</Amt>",
        "<Amt Ccy=\"EUR\">2200.01</Amt>",
    );
    imported_with_the_difference_shown(&app, &token, euros, "s.xml", altered, |message| {
        message.contains("statement 'CAMT-2' (number 2) does not add up")
            && message.contains("movements is 2200.00 but its closing balance is 2200.01")
    })
    .await;
}
