use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};

both_backends!(
    budgets_are_validated_and_one_per_category,
    a_month_shows_limit_spent_and_status,
    rollover_carries_across_months_and_a_year_end,
    overrides_change_one_month,
    an_empty_month_is_zeros,
);

async fn budget(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post_as(token, "/api/v1/budgets", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{body}");
    res.json().await.unwrap()
}

async fn month(app: &TestApp, token: &str, month: &str) -> Value {
    let res = app
        .get_as(token, &format!("/api/v1/budgets?month={month}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn spend(app: &TestApp, token: &str, account: i64, date: &str, amount: i64, category: i64) {
    app.transaction(token, json!({"account_id": account, "date": date, "amount": amount, "description": "x", "category_id": category}))
        .await;
}

async fn budgets_are_validated_and_one_per_category(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let groceries = app.category(&token, "Groceries").await;
    let salary = app.category(&token, "Salary").await;
    let foreign = app.category(&other, "Groceries").await;
    for (body, field) in [
        (json!({"category_id": groceries, "amount": 0}), "amount"),
        (json!({"category_id": groceries, "amount": -5}), "amount"),
        (
            json!({"category_id": groceries, "amount": 100, "starts": "2025-13"}),
            "starts",
        ),
        (json!({"category_id": salary, "amount": 100}), "category_id"),
        (
            json!({"category_id": foreign, "amount": 100}),
            "category_id",
        ),
    ] {
        let res = app.post_as(&token, "/api/v1/budgets", &body).await;
        assert_eq!(invalid_fields(res).await, vec![field], "{body}");
    }
    let created = budget(
        &app,
        &token,
        json!({"category_id": groceries, "amount": 40000, "starts": "2025-01"}),
    )
    .await;
    assert_eq!(created["starts"], "2025-01");
    assert_eq!(created["currency"], "USD");
    let again = app
        .post_as(
            &token,
            "/api/v1/budgets",
            &json!({"category_id": groceries, "amount": 1}),
        )
        .await;
    problem(again, StatusCode::CONFLICT).await;
    budget(&app, &token, json!({"amount": 200000})).await;
    let second_overall = app
        .post_as(&token, "/api/v1/budgets", &json!({"amount": 1}))
        .await;
    problem(second_overall, StatusCode::CONFLICT).await;

    let path = format!("/api/v1/budgets/{}", created["id"]);
    problem(app.get_as(&other, &path).await, StatusCode::NOT_FOUND).await;
    problem(app.delete_as(&other, &path).await, StatusCode::NOT_FOUND).await;
    let changed: Value = app
        .patch_as(&token, &path, &json!({"amount": 45000, "rollover": true}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (changed["amount"].clone(), changed["rollover"].clone()),
        (json!(45000), json!(true))
    );
    let list: Value = app
        .get_as(&token, "/api/v1/budgets/limits")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.delete_as(&token, &path).await.status(),
        StatusCode::NO_CONTENT
    );
    problem(app.get_as(&token, &path).await, StatusCode::NOT_FOUND).await;
}

async fn a_month_shows_limit_spent_and_status(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Main", "USD").await;
    let groceries = app.category(&token, "Groceries").await;
    let dining = app.category(&token, "Dining").await;
    let fuel = app.category(&token, "Fuel").await;
    let coffee: Value = app
        .post_as(
            &token,
            "/api/v1/categories",
            &json!({"name": "Coffee", "parent_id": dining, "kind": "expense"}),
        )
        .await
        .json()
        .await
        .unwrap();
    for (category, amount) in [(groceries, 10000), (dining, 10000), (fuel, 10000)] {
        budget(
            &app,
            &token,
            json!({"category_id": category, "amount": amount, "starts": "2025-01"}),
        )
        .await;
    }
    budget(&app, &token, json!({"amount": 25000, "starts": "2025-01"})).await;
    spend(&app, &token, account, "2025-03-03", -9000, groceries).await;
    spend(&app, &token, account, "2025-03-04", 500, groceries).await; // a refund
    spend(&app, &token, account, "2025-03-05", -6000, dining).await;
    spend(
        &app,
        &token,
        account,
        "2025-03-06",
        -5000,
        coffee["id"].as_i64().unwrap(),
    )
    .await;
    spend(&app, &token, account, "2025-03-07", -7900, fuel).await;
    spend(&app, &token, account, "2025-04-01", -7900, fuel).await;

    let m = month(&app, &token, "2025-03").await;
    let standing: Vec<(Value, i64, i64, Value, Value)> = m["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["name"].clone(),
                b["spent"].as_i64().unwrap(),
                b["remaining"].as_i64().unwrap(),
                b["percent"].clone(),
                b["status"].clone(),
            )
        })
        .collect();
    assert_eq!(
        standing,
        vec![
            (json!("Dining"), 11000, -1000, json!(110.0), json!("over")),
            (json!("Fuel"), 7900, 2100, json!(79.0), json!("ok")),
            (
                json!("Groceries"),
                8500,
                1500,
                json!(85.0),
                json!("warning")
            ),
        ]
    );
    assert_eq!(
        m["items"][0]["projected"], 11000,
        "a past month is what it was"
    );
    let overall = &m["overall"];
    assert_eq!(overall["spent"], 8500 + 11000 + 7900);
    assert_eq!(overall["status"], "over");

    let d: Value = app
        .get_as(&token, "/api/v1/dashboard?month=2025-03")
        .await
        .json()
        .await
        .unwrap();
    let alerts: Vec<_> = d["budget_alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].clone())
        .collect();
    assert_eq!(
        alerts,
        vec![json!("Dining"), json!("Groceries"), json!("All spending")]
    );
}

async fn rollover_carries_across_months_and_a_year_end(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Main", "USD").await;
    let groceries = app.category(&token, "Groceries").await;
    budget(
        &app,
        &token,
        json!({"category_id": groceries, "amount": 10000, "rollover": true, "starts": "2025-11"}),
    )
    .await;
    spend(&app, &token, account, "2025-10-15", -99999, groceries).await; // before the budget
    spend(&app, &token, account, "2025-11-10", -6000, groceries).await;
    spend(&app, &token, account, "2025-12-24", -15000, groceries).await;
    spend(&app, &token, account, "2026-01-05", -2000, groceries).await;

    let carried = |m: &Value| {
        (
            m["items"][0]["carried"].as_i64().unwrap(),
            m["items"][0]["limit"].as_i64().unwrap(),
        )
    };
    assert_eq!(carried(&month(&app, &token, "2025-11").await), (0, 10000));
    assert_eq!(
        carried(&month(&app, &token, "2025-12").await),
        (4000, 14000)
    );
    let january = month(&app, &token, "2026-01").await;
    assert_eq!(
        carried(&january),
        (-1000, 9000),
        "overspending carries too, across the year end"
    );
    assert_eq!(january["items"][0]["remaining"], 7000);
    assert_eq!(
        month(&app, &token, "2025-10").await["items"],
        json!([]),
        "not yet started"
    );
}

async fn overrides_change_one_month(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Main", "USD").await;
    let travel = app.category(&token, "Travel").await;
    let created = budget(
        &app,
        &token,
        json!({"category_id": travel, "amount": 10000, "rollover": true, "starts": "2025-11"}),
    )
    .await;
    spend(&app, &token, account, "2025-12-20", -25000, travel).await;
    let path = format!("/api/v1/budgets/{}/months/2025-12", created["id"]);
    let res = app
        .with(&token, reqwest::Method::PUT, &path)
        .json(&json!({"amount": 30000}))
        .send()
        .await
        .unwrap();
    let updated: Value = res.json().await.unwrap();
    assert_eq!(
        updated["overrides"],
        json!([{"month": "2025-12", "amount": 30000}])
    );

    let december = month(&app, &token, "2025-12").await;
    assert_eq!(december["items"][0]["base_limit"], 30000);
    assert_eq!(
        december["items"][0]["limit"], 40000,
        "November's unspent 10000 carried"
    );
    let january = month(&app, &token, "2026-01").await;
    assert_eq!(january["items"][0]["limit"], 10000 + 15000);

    let res = app.delete_as(&token, &path).await;
    assert_eq!(res.json::<Value>().await.unwrap()["overrides"], json!([]));
    assert_eq!(
        month(&app, &token, "2025-12").await["items"][0]["limit"],
        20000
    );
    let res = app
        .with(
            &token,
            reqwest::Method::PUT,
            &format!("/api/v1/budgets/{}/months/December", created["id"]),
        )
        .json(&json!({"amount": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid_fields(res).await, vec!["month"]);
}

async fn an_empty_month_is_zeros(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let none = month(&app, &token, "2025-03").await;
    assert_eq!(
        none,
        json!({"month": "2025-03", "fell_back_from": null, "currency": "USD", "items": [], "overall": null})
    );
    let groceries = app.category(&token, "Groceries").await;
    budget(
        &app,
        &token,
        json!({"category_id": groceries, "amount": 10000, "starts": "2025-01"}),
    )
    .await;
    let m = month(&app, &token, "2025-03").await;
    let item = &m["items"][0];
    assert_eq!(
        (
            item["spent"].clone(),
            item["remaining"].clone(),
            item["percent"].clone(),
            item["status"].clone()
        ),
        (json!(0), json!(10000), json!(0.0), json!("ok"))
    );
    problem(
        app.get_as(&token, "/api/v1/budgets?month=March").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}
