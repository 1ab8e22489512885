//! Anomalies on hand-built ledgers whose right answers are known. Dates are placed relative to
//! today so that what is tested falls inside the default period (the last 90 days).

use chrono::{Duration, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, of_kind, problem, TestApp};

both_backends!(
    a_duplicate_charge_is_flagged,
    a_five_times_spike_is_flagged_and_a_normal_history_is_not,
    this_is_fine_silences_a_similar_one_and_is_kept,
    another_users_anomalies_are_404,
    a_new_user_has_not_enough_data,
    bad_periods_are_422,
);

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub fn days_ago(n: i64) -> NaiveDate {
    today() - Duration::days(n)
}

async fn anomalies(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app
        .get_as(token, &format!("/api/v1/anomalies{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Twenty weekly grocery payments ending four days ago: four each of 40.00, 42.00, 45.00,
/// 48.00 and 50.00, so the median is 45.00.
pub async fn grocery_history(app: &TestApp, token: &str, account: i64) {
    let amounts = [-4000, -4500, -5000, -4200, -4800];
    for week in 0..20 {
        let date = days_ago(4 + 7 * (19 - week));
        app.pay(
            token,
            account,
            date,
            amounts[week as usize % 5],
            "GREEN GROCER 0042",
        )
        .await;
    }
}

async fn a_duplicate_charge_is_flagged(app: TestApp) {
    let token = app.user("dup@example.com").await;
    let account = app.account(&token, "Checking", "USD").await;
    grocery_history(&app, &token, account).await;
    let first = app
        .pay(&token, account, days_ago(3), -2599, "ACME HARDWARE 11")
        .await;
    let second = app
        .pay(&token, account, days_ago(1), -2599, "ACME HARDWARE 12")
        .await;
    let list = anomalies(&app, &token, "").await;
    let dups = of_kind(&list, "duplicate_charge");
    assert_eq!(dups.len(), 1, "{list}");
    let dup = dups[0];
    assert_eq!(dup["transaction_ids"], json!([first, second]));
    assert_eq!(dup["amount"], -2599);
    assert_eq!(dup["currency"], "USD");
    assert_eq!(dup["severity"], "medium");
    assert_eq!(dup["date"], json!(days_ago(1)));
    assert!(
        dup["message"]
            .as_str()
            .unwrap()
            .starts_with("25.99 at Acme Hardware again 2 days later"),
        "{dup}"
    );
    // Only the duplicate: the grocery history is ordinary.
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["not_enough_data"], Value::Null);
}

async fn a_five_times_spike_is_flagged_and_a_normal_history_is_not(app: TestApp) {
    let token = app.user("spike@example.com").await;
    let account = app.account(&token, "Checking", "USD").await;
    grocery_history(&app, &token, account).await;
    // The same history with nothing unusual raises nothing.
    let calm = anomalies(&app, &token, "").await;
    assert_eq!(calm["items"], json!([]), "{calm}");
    let spike = app
        .pay(&token, account, days_ago(1), -22500, "GREEN GROCER 0042")
        .await;
    let list = anomalies(&app, &token, "").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    let a = &list["items"][0];
    assert_eq!(a["kind"], "unusual_amount");
    assert_eq!(a["transaction_ids"], json!([spike]));
    // 225.00 against the median of 45.00: 5 times.
    assert_eq!(a["amount"], -22500);
    assert_eq!(a["usual_amount"], -4500);
    assert_eq!(a["times_usual"], 5.0);
    assert_eq!(a["based_on"], 20);
    assert_eq!(a["severity"], "medium");
    assert_eq!(
        a["message"],
        "225.00 at Green Grocer is 5.0 times its usual 45.00 (median of 20 payments)"
    );
    let id = a["id"].as_i64().unwrap();
    let one = app.get_as(&token, &format!("/api/v1/anomalies/{id}")).await;
    assert_eq!(one.status(), StatusCode::OK);
    let one: Value = one.json().await.unwrap();
    assert_eq!(one["id"], id);
    assert_eq!(one["times_usual"], 5.0);
    assert_eq!(one["dismissed"], false);
    // Money in is never a spending anomaly, however large.
    app.pay(
        &token,
        account,
        days_ago(1),
        900_000,
        "GREEN GROCER 0042 REFUND",
    )
    .await;
    let list = anomalies(&app, &token, "").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}

async fn this_is_fine_silences_a_similar_one_and_is_kept(app: TestApp) {
    let token = app.user("fine@example.com").await;
    let account = app.account(&token, "Checking", "USD").await;
    grocery_history(&app, &token, account).await;
    app.pay(&token, account, days_ago(3), -22500, "GREEN GROCER 0042")
        .await;
    let list = anomalies(&app, &token, "").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/anomalies/{id}"),
            &json!({"dismissed": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["dismissed"], true);
    // 240.00 is within 1.25 × 225.00 = 281.25: similar, so not raised.
    let similar = app
        .pay(&token, account, days_ago(2), -24000, "GREEN GROCER 0042")
        .await;
    let list = anomalies(&app, &token, "").await;
    assert_eq!(list["items"], json!([]), "{list}");
    assert_eq!(list["silenced"], 1);
    // The dismissal is kept: listed on request and by id.
    let all = anomalies(&app, &token, "?include_dismissed=true").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1, "{all}");
    assert_eq!(all["items"][0]["id"], id);
    assert_eq!(all["items"][0]["dismissed"], true);
    let again: Value = app
        .get_as(&token, &format!("/api/v1/anomalies/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["dismissed"], true);
    // 450.00 is far past the accepted band: raised.
    let big = app
        .pay(&token, account, days_ago(1), -45000, "GREEN GROCER 0042")
        .await;
    let list = anomalies(&app, &token, "").await;
    let raised = of_kind(&list, "unusual_amount");
    assert_eq!(raised.len(), 1, "{list}");
    assert_eq!(raised[0]["transaction_ids"], json!([big]));
    assert_ne!(raised[0]["transaction_ids"], json!([similar]));
    // Undoing the dismissal raises the first one again.
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/anomalies/{id}"),
            &json!({"dismissed": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list = anomalies(&app, &token, "").await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id),
        "{list}"
    );
    // Bad bodies name the field.
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/anomalies/{id}"),
            &json!({"dismissed": "yes"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn another_users_anomalies_are_404(app: TestApp) {
    let owner = app.user("owner@example.com").await;
    let account = app.account(&owner, "Checking", "USD").await;
    app.pay(&owner, account, days_ago(2), -1299, "PIZZA PALACE")
        .await;
    app.pay(&owner, account, days_ago(1), -1299, "PIZZA PALACE")
        .await;
    let list = anomalies(&app, &owner, "").await;
    let id = of_kind(&list, "duplicate_charge")[0]["id"]
        .as_i64()
        .unwrap();
    let other = app.user("other@example.com").await;
    problem(
        app.get_as(&other, &format!("/api/v1/anomalies/{id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.patch_as(
            &other,
            &format!("/api/v1/anomalies/{id}"),
            &json!({"dismissed": true}),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(anomalies(&app, &other, "").await["items"], json!([]));
    // The owner's is untouched.
    let mine: Value = app
        .get_as(&owner, &format!("/api/v1/anomalies/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["dismissed"], false);
    problem(
        app.get_as(&owner, "/api/v1/anomalies/999999").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn a_new_user_has_not_enough_data(app: TestApp) {
    let token = app.user("new@example.com").await;
    let list = anomalies(&app, &token, "").await;
    assert_eq!(list["items"], json!([]));
    assert_eq!(list["not_enough_data"]["needs_months"], 3);
    assert_eq!(list["not_enough_data"]["has_months"], 0);
    assert_eq!(list["from"], json!(days_ago(89)));
    assert_eq!(list["to"], json!(today()));
}

async fn bad_periods_are_422(app: TestApp) {
    let token = app.user("bad@example.com").await;
    for (query, field) in [
        ("?month=2026-13", "month"),
        ("?from=2024-01-01&to=2025-06-01", "to"),
        ("?from=2025-06-01", "to"),
        ("?month=2026-01&from=2026-01-01&to=2026-01-31", "month"),
        ("?from=not-a-date&to=2026-01-01", "from"),
    ] {
        let res = app
            .get_as(&token, &format!("/api/v1/anomalies{query}"))
            .await;
        assert_eq!(invalid_fields(res).await, [field], "{query}");
    }
    let res = app
        .get_as(&token, "/api/v1/anomalies?from=not-a-date&to=2026-01-01")
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let month = anomalies(&app, &token, "?month=2026-02").await;
    assert_eq!(month["from"], "2026-02-01");
    assert_eq!(month["to"], "2026-02-28");
}
