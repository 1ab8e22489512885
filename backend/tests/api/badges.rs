use chrono::{Datelike, Duration, Months, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, TestApp};
use crate::imports::import;

both_backends!(
    badges_follow_the_facts_once_and_per_user,
    an_undone_import_takes_its_badge_back,
    month_and_debt_badges_are_dated_by_their_facts,
    badges_can_be_turned_off,
    celebrations_are_reported_until_seen_and_per_user,
);

async fn badges(app: &TestApp, token: &str) -> Value {
    let res = app.get_as(token, "/api/v1/badges").await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The keys of the earned badges.
async fn earned(app: &TestApp, token: &str) -> Vec<String> {
    badges(app, token).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["earned"] == true)
        .map(|b| b["key"].as_str().unwrap().to_owned())
        .collect()
}

fn badge<'a>(list: &'a Value, key: &str) -> &'a Value {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["key"] == key)
        .unwrap()
}

async fn badges_follow_the_facts_once_and_per_user(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let list = badges(&app, &token).await;
    assert_eq!(list["enabled"], true);
    assert_eq!(list["items"].as_array().unwrap().len(), 15);
    assert_eq!(earned(&app, &token).await, Vec::<String>::new());
    assert_eq!(
        badge(&list, "goal_halfway")["progress"],
        json!({"current": 0, "target": 50})
    );

    let res = app
        .post_as(&token, "/api/v1/budgets", &json!({"amount": 100_000}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let budget = res.json::<Value>().await.unwrap()["id"].clone();
    let goal = app
        .post_as(
            &token,
            "/api/v1/goals",
            &json!({"name": "Car", "target_amount": 100_000}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    app.post_as(
        &token,
        &format!("/api/v1/goals/{}/contributions", goal["id"]),
        &json!({"amount": 50_000}),
    )
    .await;
    // Evaluated after each write and on every read, never twice.
    for _ in 0..2 {
        assert_eq!(
            earned(&app, &token).await,
            ["first_budget", "first_goal", "goal_halfway"]
        );
    }
    let list = badges(&app, &token).await;
    let today = Utc::now().date_naive().to_string();
    assert_eq!(badge(&list, "first_budget")["earned_on"], today);
    assert_eq!(badge(&list, "goal_halfway")["fact"], "Car is half saved");
    assert_eq!(
        badge(&list, "goal_reached")["progress"],
        json!({"current": 50, "target": 100})
    );
    // Not for another user.
    assert_eq!(earned(&app, &other).await, Vec::<String>::new());

    // Deleting the budget takes its badge back; the goal's halfway mark stays a recorded fact.
    app.delete_as(&token, &format!("/api/v1/budgets/{budget}"))
        .await;
    assert_eq!(earned(&app, &token).await, ["first_goal", "goal_halfway"]);
}

async fn an_undone_import_takes_its_badge_back(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Checking", "USD").await;
    let done = import(
        &app,
        &token,
        account,
        "Date,Description,Amount\n2026-03-01,COFFEE BAR,-3.50\n2026-03-02,SALARY,2500.00\n",
    )
    .await;
    let list = badges(&app, &token).await;
    assert_eq!(
        badge(&list, "first_import")["fact"],
        "imported statement.csv"
    );
    let id = done["id"].as_i64().unwrap();
    let res = app
        .delete_as(&token, &format!("/api/v1/imports/{id}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list = badges(&app, &token).await;
    assert_eq!(badge(&list, "first_import")["earned"], false);
}

async fn month_and_debt_badges_are_dated_by_their_facts(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let checking = app.account(&token, "Checking", "USD").await;
    let salary = app.category(&token, "Salary").await;
    let groceries = app.category(&token, "Groceries").await;
    let last_month = Utc::now().date_naive().with_day(1).unwrap() - Months::new(1);
    let month_end = last_month + Months::new(1) - Duration::days(1);
    let shop = app
        .transaction(
            &token,
            json!({"account_id": checking, "date": last_month, "amount": -200_000, "description": "Shop", "category_id": groceries}),
        )
        .await;
    // The salary comes second: the month is judged on both.
    app.transaction(
        &token,
        json!({"account_id": checking, "date": last_month, "amount": 300_000, "description": "Salary", "category_id": salary}),
    )
    .await;
    let list = badges(&app, &token).await;
    // 1,000.00 saved of 3,000.00: 33 %.
    let rate = badge(&list, "savings_rate_20");
    assert_eq!(rate["earned_on"], month_end.to_string());
    assert_eq!(
        rate["fact"],
        format!(
            "saved 33 % of your income in {}",
            last_month.format("%Y-%m")
        )
    );
    assert_eq!(badge(&list, "month_categorized")["earned"], true);
    assert_eq!(
        badge(&list, "saved_three_months")["progress"],
        json!({"current": 1, "target": 3})
    );
    // Spending 2,400.00 of 3,000.00 is under 20 % saved: the rate badge goes, the fact is gone.
    app.patch_as(
        &token,
        &format!("/api/v1/transactions/{}", shop["id"]),
        &json!({"amount": -250_000}),
    )
    .await;
    let list = badges(&app, &token).await;
    assert_eq!(badge(&list, "savings_rate_20")["earned"], false);

    let res = app
        .post_as(
            &token,
            "/api/v1/debts",
            &json!({"name": "Card", "kind": "credit_card", "balance": 0, "apr_bp": 1_999,
                "minimum_kind": "fixed", "minimum_amount": 2_500}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let earned = earned(&app, &token).await;
    assert!(earned.contains(&"first_debt_paid_off".to_owned()));
    assert!(earned.contains(&"debt_free".to_owned()));
    app.post_as(
        &token,
        "/api/v1/debts",
        &json!({"name": "Car", "kind": "loan", "balance": 500_000, "apr_bp": 499,
            "minimum_kind": "fixed", "minimum_amount": 15_000}),
    )
    .await;
    let list = badges(&app, &token).await;
    assert_eq!(badge(&list, "debt_free")["earned"], false);
    assert_eq!(
        badge(&list, "debt_free")["progress"],
        json!({"current": 1, "target": 2})
    );
}

async fn badges_can_be_turned_off(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let res = app
        .put_as(&token, "/api/v1/badges/settings", &json!({"enabled": "no"}))
        .await;
    assert_eq!(invalid_fields(res).await, ["enabled"]);
    let off: Value = app
        .put_as(
            &token,
            "/api/v1/badges/settings",
            &json!({"enabled": false}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(off, json!({"enabled": false, "items": []}));
    app.post_as(&token, "/api/v1/budgets", &json!({"amount": 100_000}))
        .await;
    assert_eq!(
        badges(&app, &token).await,
        json!({"enabled": false, "items": []})
    );
    let on: Value = app
        .put_as(&token, "/api/v1/badges/settings", &json!({"enabled": true}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(badge(&on, "first_budget")["earned"], true);
}

async fn celebrations(app: &TestApp, token: &str) -> (Vec<String>, Vec<(String, i64)>, Vec<i64>) {
    let res = app.get_as(token, "/api/v1/celebrations").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let keys = body["badges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["key"].as_str().unwrap().to_owned())
        .collect();
    let milestones = body["milestones"].as_array().unwrap();
    (
        keys,
        milestones
            .iter()
            .map(|m| {
                (
                    m["goal_name"].as_str().unwrap().to_owned(),
                    m["percent"].as_i64().unwrap(),
                )
            })
            .collect(),
        milestones
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect(),
    )
}

async fn seen(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.post_as(token, "/api/v1/celebrations/seen", body).await
}

async fn celebrations_are_reported_until_seen_and_per_user(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    assert_eq!(celebrations(&app, &token).await, (vec![], vec![], vec![]));

    app.post_as(&token, "/api/v1/budgets", &json!({"amount": 100_000}))
        .await;
    let goal = app
        .post_as(
            &token,
            "/api/v1/goals",
            &json!({"name": "Car", "target_amount": 100_000}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let contribute = |amount: i64| {
        let path = format!("/api/v1/goals/{}/contributions", goal["id"]);
        let app = &app;
        let token = &token;
        async move {
            let res = app.post_as(token, &path, &json!({"amount": amount})).await;
            assert_eq!(res.status(), StatusCode::CREATED);
        }
    };
    contribute(50_000).await;
    let (keys, milestones, ids) = celebrations(&app, &token).await;
    assert_eq!(keys, ["first_budget", "first_goal", "goal_halfway"]);
    assert_eq!(milestones, [("Car".to_owned(), 25), ("Car".to_owned(), 50)]);
    // Asking again does not consume them; another user has nothing to celebrate.
    assert_eq!(celebrations(&app, &token).await.0.len(), 3);
    assert_eq!(celebrations(&app, &other).await, (vec![], vec![], vec![]));

    // Another user's milestone ids are 404 and mark nothing; an unknown key is named.
    let res = seen(&app, &other, &json!({"milestones": ids})).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = seen(
        &app,
        &token,
        &json!({"badges": ["first_budget", "nope"], "milestones": ids}),
    )
    .await;
    assert_eq!(invalid_fields(res).await, ["badges[1]"]);
    assert_eq!(celebrations(&app, &token).await.2, ids);

    // Seen once, gone; marking again changes nothing.
    for _ in 0..2 {
        let res = seen(&app, &token, &json!({"badges": keys, "milestones": ids})).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert_eq!(celebrations(&app, &token).await, (vec![], vec![], vec![]));
    }

    // With badges off, only goal milestones are celebrated.
    let res = app
        .put_as(
            &token,
            "/api/v1/badges/settings",
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    contribute(50_000).await;
    let (keys, milestones, _) = celebrations(&app, &token).await;
    assert_eq!(keys, Vec::<String>::new());
    assert_eq!(
        milestones,
        [("Car".to_owned(), 75), ("Car".to_owned(), 100)]
    );
}
