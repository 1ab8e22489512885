//! The attack list kept as a regression suite: control characters, huge amounts and far-off
//! dates are refused with a 422 naming the field (never a 500, never a wrapped sum), on both
//! backends.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};
use crate::imports::upload;

both_backends!(
    control_characters_are_refused_naming_the_field,
    control_characters_in_imported_cells_are_dropped,
    amounts_beyond_the_range_are_refused_and_sums_at_its_edge_are_exact,
    dates_beyond_the_range_are_refused,
);

const MAX: i64 = 1_000_000_000_000;

async fn read(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.get_as(token, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.unwrap()
}

async fn control_characters_are_refused_naming_the_field(app: TestApp) {
    // Before any sign-in: the unauthenticated endpoints too.
    let res = app
        .post(
            "/api/v1/auth/token",
            &json!({"email": "a\u{0}@example.com", "password": "x"}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, vec!["email"]);
    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": "nul@example.com", "password": "long enough password", "display_name": "Nu\u{0}l"}),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "display_name");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("U+0000"));

    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let cases = [
        (
            "/api/v1/accounts",
            json!({"name": "Sav\u{0}ings", "kind": "savings", "currency": "EUR"}),
            "name",
        ),
        (
            "/api/v1/transactions",
            json!({"account_id": account, "date": "2026-03-01", "amount": -1, "description": "ok", "notes": "\u{1b}[2J"}),
            "notes",
        ),
        (
            "/api/v1/categories",
            json!({"name": "Food\u{7f}", "kind": "expense"}),
            "name",
        ),
        (
            "/api/v1/rules",
            json!({"name": "r", "match_kind": "contains", "pattern": "te\u{0}sco", "category_id": 1}),
            "pattern",
        ),
    ];
    for (path, body, field) in cases {
        let res = app.post_as(&token, path, &body).await;
        assert_eq!(invalid_fields(res).await, vec![field], "{path}");
    }
    let res = app
        .patch_as(&token, "/api/v1/me", &json!({"display_name": "A\u{0}"}))
        .await;
    assert_eq!(invalid_fields(res).await, vec!["display_name"]);
    // Query parameters: refused before any handler, named.
    let res = app.get_as(&token, "/api/v1/transactions?q=te%00sco").await;
    assert_eq!(invalid_fields(res).await, vec!["q"]);
    // Line breaks and tabs are ordinary text.
    let created = app
        .transaction(
            &token,
            json!({"account_id": account, "date": "2026-03-01", "amount": -1, "description": "two\nlines\tand a tab"}),
        )
        .await;
    assert_eq!(created["description"], "two\nlines\tand a tab");
    let list: Value = read(&app, &token, "/api/v1/transactions").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

async fn control_characters_in_imported_cells_are_dropped(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let csv = "Date,Description,Amount\n2026-03-01,Caf\u{0}e,-4.50\n2026-03-02,Rent\u{1b}\u{7f},-900.00\n2026-03-03,Plain,-1.00\n";
    // The preview says which cells lost what.
    let res = upload(&app, &token, account, "statement.csv", csv.into(), "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let preview: Value = res.json().await.unwrap();
    assert_eq!(
        preview["cleaned"],
        json!([
            {"line": 2, "field": "description", "removed": 1, "reason": "control_characters"},
            {"line": 3, "field": "description", "removed": 2, "reason": "control_characters"},
        ])
    );
    assert_eq!(preview["rows"][0]["description"], "Cafe");
    let res = upload(
        &app,
        &token,
        account,
        "statement.csv",
        csv.into(),
        "?commit=true",
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let import: Value = res.json().await.unwrap();
    assert_eq!(import["counts"]["imported"], 3, "{import}");
    assert_eq!(import["cleaned"].as_array().unwrap().len(), 2);
    let list: Value = read(&app, &token, "/api/v1/transactions?sort=date&order=asc").await;
    let descriptions: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["description"].as_str().unwrap())
        .collect();
    assert_eq!(descriptions, ["Cafe", "Rent", "Plain"]);
}

async fn amounts_beyond_the_range_are_refused_and_sums_at_its_edge_are_exact(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let res = app
        .post_as(
            &token,
            "/api/v1/accounts",
            &json!({"name": "Big", "kind": "savings", "currency": "EUR", "opening_balance": MAX + 1}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, vec!["opening_balance"]);
    let res = app
        .post_as(
            &token,
            "/api/v1/accounts",
            &json!({"name": "Big", "kind": "savings", "currency": "USD", "opening_balance": MAX}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let account = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    for amount in [i64::MAX, i64::MIN, MAX + 1, -MAX - 1] {
        let res = app
            .post_as(
                &token,
                "/api/v1/transactions",
                &json!({"account_id": account, "date": "2026-03-01", "amount": amount, "description": "x"}),
            )
            .await;
        assert_eq!(invalid_fields(res).await, vec!["amount"], "{amount}");
    }
    let groceries = app.category(&token, "Groceries").await;
    for _ in 0..2 {
        app.transaction(
            &token,
            json!({"account_id": account, "date": "2026-03-01", "amount": MAX, "description": "x"}),
        )
        .await;
    }
    let spent = app
        .transaction(
            &token,
            json!({"account_id": account, "date": "2026-03-02", "amount": -MAX, "description": "y", "category_id": groceries}),
        )
        .await;
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/transactions/{}", spent["id"]),
            &json!({"amount": -MAX - 1}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, vec!["amount"]);

    // Opening MAX + 2·MAX − MAX = 2·MAX, computed by hand.
    let accounts: Value = read(&app, &token, "/api/v1/accounts").await;
    assert_eq!(accounts["items"][0]["balance"], 2 * MAX);
    let res = app.get_as(&token, "/api/v1/transactions").await;
    assert_eq!(res.status(), StatusCode::OK);
    let dashboard = app.get_as(&token, "/api/v1/dashboard?month=2026-03").await;
    assert_eq!(dashboard.status(), StatusCode::OK);

    // Budgets (in the base currency, USD): bounded limits; a rollover at the edge carries
    // exactly.
    let res = app
        .post_as(
            &token,
            "/api/v1/budgets",
            &json!({"category_id": groceries, "amount": i64::MAX, "rollover": true, "starts": "2026-01"}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, vec!["amount"]);
    let res = app
        .post_as(
            &token,
            "/api/v1/budgets",
            &json!({"category_id": groceries, "amount": MAX, "rollover": true, "starts": "2026-01"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let april: Value = read(&app, &token, "/api/v1/budgets?month=2026-04").await;
    // January and February unspent (2·MAX), March spent exactly its limit (0).
    assert_eq!(april["items"][0]["carried"], 2 * MAX);
    assert_eq!(april["items"][0]["limit"], 3 * MAX);
}

async fn dates_beyond_the_range_are_refused(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    for date in [
        "+10000-01-01",
        "0000-01-01",
        "-0001-01-01",
        "1899-12-31",
        "3000-01-01",
    ] {
        let res = app
            .post_as(
                &token,
                "/api/v1/transactions",
                &json!({"account_id": account, "date": date, "amount": -1, "description": "x"}),
            )
            .await;
        assert_eq!(invalid_fields(res).await, vec!["date"], "{date}");
    }
    for date in ["1900-01-01", "2999-12-31"] {
        app.transaction(
            &token,
            json!({"account_id": account, "date": date, "amount": -1, "description": "x"}),
        )
        .await;
    }
    let list: Value = read(&app, &token, "/api/v1/transactions").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let res = app.get_as(&token, "/api/v1/budgets?month=3000-01").await;
    assert_eq!(invalid_fields(res).await, vec!["month"]);
}
