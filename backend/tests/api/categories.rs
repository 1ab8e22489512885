use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};

both_backends!(
    every_user_starts_with_the_default_categories,
    categories_nest_one_level_and_validate,
    deleting_a_category_moves_or_uncategorizes_its_transactions,
);

async fn every_user_starts_with_the_default_categories(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let list: Value = app
        .get_as(&token, "/api/v1/categories")
        .await
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), dhana::ledger::categories::DEFAULTS.len());
    let kind = |name: &str| items.iter().find(|c| c["name"] == name).unwrap()["kind"].clone();
    assert_eq!(kind("Groceries"), "expense");
    assert_eq!(kind("Salary"), "income");
    assert_eq!(kind("Transfers"), "transfer");
    // Each user has their own set.
    let other = app.user("ravi@example.com").await;
    let groceries = app.category(&token, "Groceries").await;
    assert_ne!(app.category(&other, "Groceries").await, groceries);
    problem(
        app.get_as(&other, &format!("/api/v1/categories/{groceries}"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn categories_nest_one_level_and_validate(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let dining = app.category(&token, "Dining").await;
    let res = app
        .post_as(
            &token,
            "/api/v1/categories",
            &json!({"name": "Coffee", "parent_id": dining, "kind": "expense", "color": "#E69F00"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let coffee: Value = res.json().await.unwrap();
    assert_eq!(coffee["parent_id"], dining);

    let cases = [
        (
            json!({"name": "Beans", "parent_id": coffee["id"], "kind": "expense"}),
            vec!["parent_id"],
        ),
        (
            json!({"name": "X", "kind": "expense", "color": "red"}),
            vec!["color"],
        ),
        (json!({"name": " ", "kind": "expense"}), vec!["name"]),
        (json!({"name": "X", "kind": "savings"}), vec!["kind"]),
    ];
    for (body, fields) in cases {
        let res = app.post_as(&token, "/api/v1/categories", &body).await;
        assert_eq!(invalid_fields(res).await, fields, "{body}");
    }
    let dup = app
        .post_as(
            &token,
            "/api/v1/categories",
            &json!({"name": "Coffee", "kind": "expense"}),
        )
        .await;
    problem(dup, StatusCode::CONFLICT).await;

    let path = format!("/api/v1/categories/{}", coffee["id"]);
    let res = app
        .patch_as(&token, &path, &json!({"parent_id": null, "name": "Café"}))
        .await;
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["parent_id"], Value::Null);
    assert_eq!(updated["name"], "Café");
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/categories/{dining}"),
            &json!({"parent_id": dining}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, vec!["parent_id"]);
}

async fn deleting_a_category_moves_or_uncategorizes_its_transactions(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let dining = app.category(&token, "Dining").await;
    let groceries = app.category(&token, "Groceries").await;
    let fuel = app.category(&token, "Fuel").await;
    for category in [dining, dining, fuel] {
        app.transaction(&token, json!({"account_id": account, "date": "2026-03-01", "amount": -100, "description": "x", "category_id": category}))
            .await;
    }
    let foreign = app.category(&other, "Groceries").await;
    let res = app
        .delete_as(
            &token,
            &format!("/api/v1/categories/{dining}?move_to={foreign}"),
        )
        .await;
    assert_eq!(invalid_fields(res).await, vec!["move_to"]);

    let res = app
        .delete_as(
            &token,
            &format!("/api/v1/categories/{dining}?move_to={groceries}"),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["transactions_moved"], 2);
    let moved: Value = app
        .get_as(
            &token,
            &format!("/api/v1/transactions?category_id={groceries}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(moved["totals"][0]["count"], 2);

    let res = app
        .delete_as(&token, &format!("/api/v1/categories/{fuel}"))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["transactions_moved"], 1);
    let loose: Value = app
        .get_as(&token, "/api/v1/transactions?uncategorized=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(loose["items"][0]["category_id"], Value::Null);
    assert_eq!(loose["items"][0]["category_source"], Value::Null);
    problem(
        app.get_as(&token, &format!("/api/v1/categories/{fuel}"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
