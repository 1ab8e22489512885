//! What is computed from a user's ledger is cached per ledger version (`ledger::cache`): every
//! kind of write must be seen by the very next read, and one user's cached ledger must never
//! answer for another. Each step reads twice (the second read is served from the cache) and
//! compares with what the write must have changed.

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::anomalies::{days_ago, grocery_history};
use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};
use crate::imports::import;
use crate::recurring::tenths;

both_backends!(
    every_kind_of_write_is_seen_by_the_next_read,
    another_users_cached_ledger_never_answers,
    cached_anomalies_balances_and_forecasts_follow_every_write_and_choice,
    another_users_cached_answers_never_answer,
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

/// The user deletes their account.
async fn leave(app: &TestApp, token: &str) {
    let res = app
        .with(token, reqwest::Method::DELETE, "/api/v1/me")
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
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
    leave(&app, &asha).await;
    let dina = app.user("dina@example.com").await;
    let account = app.account(&dina, "Checking", "USD").await;
    for (i, date) in tenths(5).iter().enumerate() {
        app.pay(&dina, account, *date, -499, &format!("GYM CLUB {i}{i}{i}"))
            .await;
    }
    assert_eq!(series(&app, &dina, "Netflix").await, None);
    assert!(series(&app, &dina, "Gym").await.is_some());
}

/// `path` read twice (the second answered from the caches): both answers must be the same.
async fn twice(app: &TestApp, token: &str, path: &str) -> Value {
    let mut answers = Vec::new();
    for _ in 0..2 {
        let res = app.get_as(token, path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        answers.push(res.json::<Value>().await.unwrap());
    }
    assert_eq!(
        answers[0], answers[1],
        "a cached {path} differs from the first"
    );
    answers.pop().unwrap()
}

/// What the cached answers say about the test's ledger.
#[derive(Debug, PartialEq)]
struct Seen {
    /// The transactions of Green Grocer's unusual amounts.
    spikes: Vec<Value>,
    /// The merchant named by each bill_changed anomaly.
    bill_changes: Vec<Value>,
    /// The first account's balance today.
    balance: i64,
    /// The names of its known payments ahead.
    known: Vec<Value>,
    /// Whether `/insights` states the first Green Grocer spike (as an anomaly insight).
    spike_insight: bool,
    /// The names of next month's forecast categories.
    forecast: Vec<Value>,
}

async fn seen(app: &TestApp, token: &str) -> Seen {
    let anomalies = twice(app, token, "/api/v1/anomalies").await;
    let items = anomalies["items"].as_array().unwrap();
    let spike = items.iter().find(|a| {
        a["kind"] == "unusual_amount"
            && a["merchant"]
                .as_str()
                .is_some_and(|m| m.starts_with("Green Grocer"))
    });
    let balances = twice(app, token, "/api/v1/forecast/balance").await;
    let account = &balances["items"][0];
    let insights = twice(app, token, "/api/v1/insights").await;
    let forecast = twice(app, token, "/api/v1/forecast").await;
    Seen {
        spikes: spike
            .map(|a| a["transaction_ids"].clone())
            .into_iter()
            .collect(),
        bill_changes: items
            .iter()
            .filter(|a| a["kind"] == "bill_changed")
            .map(|a| a["merchant"].clone())
            .collect(),
        balance: account["balance"].as_i64().unwrap(),
        known: account["known"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["name"].clone())
            .collect(),
        spike_insight: spike.is_some_and(|a| {
            insights["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["anomaly_id"] == a["id"])
        }),
        forecast: forecast["categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].clone())
            .collect(),
    }
}

/// Each write and each choice changes what the cached anomalies, balance projection, insights
/// and forecast answer, at the next read, by exactly what it must.
async fn cached_anomalies_balances_and_forecasts_follow_every_write_and_choice(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Checking", "USD").await;
    // Twenty grocery payments: 4 × (40.00 + 45.00 + 50.00 + 42.00 + 48.00) = 900.00.
    grocery_history(&app, &token, account).await;
    // Netflix 15.49 four times, then 17.99: 79.95, and a price rise.
    for (i, date) in tenths(5).iter().enumerate() {
        let amount = if i == 4 { -1799 } else { -1549 };
        app.pay(&token, account, *date, amount, &payment(i)).await;
    }
    let food = app
        .post_as(
            &token,
            "/api/v1/categories",
            &json!({"name": "Food", "kind": "expense"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .clone();
    let start = seen(&app, &token).await;
    assert_eq!(start.spikes, Vec::<Value>::new(), "{start:?}");
    assert_eq!(start.balance, -90_000 - 7_995);
    assert_eq!(start.bill_changes.len(), 1, "{start:?}");
    assert!(!start.known.is_empty(), "{start:?}");
    assert!(!start.spike_insight);
    let series_id = twice(&app, &token, "/api/v1/recurring").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["merchant"].as_str().unwrap().starts_with("Netflix"))
        .expect("the Netflix series")["id"]
        .clone();
    assert!(start.known.contains(&json!("Netflix")), "{start:?}");

    // Created through the API: 225.00 today is five times the usual 45.00.
    let spike = app
        .pay(&token, account, days_ago(0), -22_500, "GREEN GROCER 0042")
        .await;
    let now = seen(&app, &token).await;
    assert_eq!(now.spikes, vec![json!([spike])]);
    assert_eq!(now.balance, start.balance - 22_500);
    assert!(now.spike_insight, "{now:?}");

    // Edited to an ordinary amount, then deleted.
    let path = format!("/api/v1/transactions/{spike}");
    let res = app
        .patch_as(&token, &path, &json!({"amount": -4_500}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let now = seen(&app, &token).await;
    assert_eq!(now.spikes, Vec::<Value>::new());
    assert_eq!(now.balance, start.balance - 4_500);
    assert!(!now.spike_insight);
    let res = app.delete_as(&token, &path).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(seen(&app, &token).await, start);

    // Imported, then the import undone.
    let csv = format!(
        "Date,Description,Amount\n{},GREEN GROCER 0042,-225.00\n",
        days_ago(0)
    );
    let imported = import(&app, &token, account, &csv).await;
    let now = seen(&app, &token).await;
    assert_eq!(now.spikes.len(), 1, "{now:?}");
    assert_eq!(now.balance, start.balance - 22_500);
    let res = app
        .delete_as(&token, &format!("/api/v1/imports/{}", imported["id"]))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(seen(&app, &token).await, start);

    // A rule files the groceries under Food: the forecast names it, and renaming the category
    // (not a ledger write) renames it there at once.
    assert!(!start.forecast.contains(&json!("Food")), "{start:?}");
    assert_eq!(app.apply_rule(&token, "grocer", &food).await, 20);
    let now = seen(&app, &token).await;
    assert!(now.forecast.contains(&json!("Food")), "{now:?}");
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/categories/{food}"),
            &json!({"name": "Groceries and more"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let now = seen(&app, &token).await;
    assert!(!now.forecast.contains(&json!("Food")), "{now:?}");
    assert!(
        now.forecast.contains(&json!("Groceries and more")),
        "{now:?}"
    );

    // A spike dismissed as fine, then raised again: the balance stays.
    let spike = app
        .pay(&token, account, days_ago(0), -22_500, "GREEN GROCER 0042")
        .await;
    let anomaly = twice(&app, &token, "/api/v1/anomalies").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["transaction_ids"] == json!([spike]))
        .expect("the spike is raised")["id"]
        .clone();
    for dismissed in [true, false] {
        let res = app
            .patch_as(
                &token,
                &format!("/api/v1/anomalies/{anomaly}"),
                &json!({"dismissed": dismissed}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let now = seen(&app, &token).await;
        let spikes = if dismissed {
            vec![]
        } else {
            vec![json!([spike])]
        };
        assert_eq!(now.spikes, spikes);
        assert_eq!(now.balance, start.balance - 22_500);
    }

    // Filed as a transfer: no longer spending (no anomaly), still in the balance.
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/transactions/{spike}"),
            &json!({"is_transfer": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let now = seen(&app, &token).await;
    assert_eq!(now.spikes, Vec::<Value>::new());
    assert_eq!(now.balance, start.balance - 22_500);

    // The series renamed, then dismissed: its known payments and its price rise follow.
    let series = format!("/api/v1/recurring/{series_id}");
    let res = app
        .patch_as(&token, &series, &json!({"name": "Films"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let now = seen(&app, &token).await;
    assert!(now.known.contains(&json!("Films")), "{now:?}");
    assert!(!now.known.contains(&json!("Netflix")), "{now:?}");
    assert_eq!(now.bill_changes, vec![json!("Films")]);
    let res = app
        .patch_as(&token, &series, &json!({"choice": "dismissed"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let now = seen(&app, &token).await;
    assert!(!now.known.contains(&json!("Films")), "{now:?}");
    assert_eq!(now.bill_changes, Vec::<Value>::new());
}

/// Two users with the same history but one spike: each sees only their own cached anomalies and
/// balance, also when a new user gets a deleted user's id (SQLite).
async fn another_users_cached_answers_never_answer(app: TestApp) {
    let ravi = app.user("ravi@example.com").await;
    let account = app.account(&ravi, "Checking", "USD").await;
    grocery_history(&app, &ravi, account).await;
    let spike = app
        .pay(&ravi, account, days_ago(0), -22_500, "GREEN GROCER 0042")
        .await;
    let asha = app.user("asha@example.com").await;
    let account = app.account(&asha, "Checking", "USD").await;
    grocery_history(&app, &asha, account).await;
    app.pay(&asha, account, days_ago(0), -4_000, "GREEN GROCER 0042")
        .await;
    for _ in 0..2 {
        let r = seen(&app, &ravi).await;
        assert_eq!(r.spikes, vec![json!([spike])]);
        assert_eq!(r.balance, -112_500);
        let a = seen(&app, &asha).await;
        assert_eq!(a.spikes, Vec::<Value>::new());
        assert_eq!(a.balance, -94_000);
    }

    // Asha leaves; Dina registers and writes as many times as Asha did, with the spike.
    leave(&app, &asha).await;
    let dina = app.user("dina@example.com").await;
    let account = app.account(&dina, "Checking", "USD").await;
    grocery_history(&app, &dina, account).await;
    let spike = app
        .pay(&dina, account, days_ago(0), -30_000, "GREEN GROCER 0042")
        .await;
    let d = seen(&app, &dina).await;
    assert_eq!(d.spikes, vec![json!([spike])]);
    assert_eq!(d.balance, -120_000);
}
