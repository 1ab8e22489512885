//! What is computed from a user's ledger is cached per ledger version (`ledger::cache`): every
//! kind of write must be seen by the very next read, and one user's cached ledger must never
//! answer for another. Each step reads twice (the second read is served from the cache) and
//! compares with what the write must have changed.

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};
use crate::imports::import;
use crate::recurring::tenths;

both_backends!(
    every_kind_of_write_is_seen_by_the_next_read,
    another_users_cached_ledger_never_answers,
);

/// The one series whose merchant starts with `merchant`, read twice (`/bills/upcoming` first, so
/// that `/recurring` is answered by the ledger another endpoint cached).
async fn series(app: &TestApp, token: &str, merchant: &str) -> Option<Value> {
    assert_eq!(
        app.get_as(token, "/api/v1/bills/upcoming").await.status(),
        StatusCode::OK
    );
    let mut found = Vec::new();
    for _ in 0..2 {
        let list: Value = app
            .get_as(token, "/api/v1/recurring")
            .await
            .json()
            .await
            .unwrap();
        found.push(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["merchant"].as_str().unwrap().starts_with(merchant))
                .cloned(),
        );
    }
    assert_eq!(found[0], found[1], "a cached read differs from the first");
    found.pop().unwrap()
}

/// (payments, last amount, category) of the Netflix series.
async fn netflix(app: &TestApp, token: &str) -> (i64, i64, Value) {
    let s = series(app, token, "Netflix")
        .await
        .expect("the series is found");
    (
        s["payments"].as_i64().unwrap(),
        s["last_amount"].as_i64().unwrap(),
        s["category_id"].clone(),
    )
}

fn payment(i: usize) -> String {
    format!("NETFLIX.COM 866-579-{i}{i}{i} REF {}", 9000 + i)
}

async fn pay_netflix(app: &TestApp, token: &str, account: i64, dates: &[NaiveDate]) {
    for (i, date) in dates.iter().enumerate() {
        app.pay(token, account, *date, -1549, &payment(i)).await;
    }
}

async fn every_kind_of_write_is_seen_by_the_next_read(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Checking", "USD").await;
    let dates = tenths(6);
    pay_netflix(&app, &token, account, &dates[..5]).await;
    assert_eq!(netflix(&app, &token).await.0, 5);

    // Created through the API.
    let sixth = app.pay(&token, account, dates[5], -1799, &payment(5)).await;
    assert_eq!(netflix(&app, &token).await.0, 6);
    assert_eq!(netflix(&app, &token).await.1, -1799);

    // Edited.
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/transactions/{sixth}"),
            &json!({"amount": -1649}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(netflix(&app, &token).await.1, -1649);

    // Deleted.
    let res = app
        .delete_as(&token, &format!("/api/v1/transactions/{sixth}"))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(netflix(&app, &token).await, (5, -1549, Value::Null));

    // Imported, then the import undone.
    let csv = format!(
        "Date,Description,Amount\n{},{},-18.99\n",
        dates[5],
        payment(5)
    );
    let imported = import(&app, &token, account, &csv).await;
    assert_eq!(netflix(&app, &token).await.1, -1899);
    let res = app
        .delete_as(&token, &format!("/api/v1/imports/{}", imported["id"]))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(netflix(&app, &token).await.0, 5);

    // Filed by a rule applied to the existing rows.
    let res = app
        .post_as(
            &token,
            "/api/v1/categories",
            &json!({"name": "Streaming", "kind": "expense"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let streaming = res.json::<Value>().await.unwrap()["id"].clone();
    assert_eq!(app.apply_rule(&token, "netflix", &streaming).await, 5);
    assert_eq!(netflix(&app, &token).await.2, streaming);

    // The account deleted with its transactions.
    let res = app
        .with(
            &token,
            reqwest::Method::DELETE,
            &format!("/api/v1/accounts/{account}"),
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(series(&app, &token, "Netflix").await, None);
}

async fn another_users_cached_ledger_never_answers(app: TestApp) {
    let ravi = app.user("ravi@example.com").await;
    let account = app.account(&ravi, "Checking", "USD").await;
    for (i, date) in tenths(5).iter().enumerate() {
        app.pay(&ravi, account, *date, -999, &format!("SPOTIFY P{i}{i}{i}"))
            .await;
    }
    let asha = app.user("asha@example.com").await;
    let account = app.account(&asha, "Checking", "USD").await;
    pay_netflix(&app, &asha, account, &tenths(5)).await;
    // Both cached now; each sees only their own.
    assert!(series(&app, &ravi, "Spotify").await.is_some());
    assert_eq!(netflix(&app, &asha).await.0, 5);
    assert_eq!(series(&app, &ravi, "Netflix").await, None);
    assert_eq!(series(&app, &asha, "Spotify").await, None);

    // Asha leaves; Dina registers and writes as many times as Asha did. On SQLite she gets
    // Asha's user id back, so only the version tells the two ledgers apart.
    let res = app
        .with(&asha, reqwest::Method::DELETE, "/api/v1/me")
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let dina = app.user("dina@example.com").await;
    let account = app.account(&dina, "Checking", "USD").await;
    for (i, date) in tenths(5).iter().enumerate() {
        app.pay(&dina, account, *date, -499, &format!("GYM CLUB {i}{i}{i}"))
            .await;
    }
    assert_eq!(series(&app, &dina, "Netflix").await, None);
    assert!(series(&app, &dina, "Gym").await.is_some());
}
