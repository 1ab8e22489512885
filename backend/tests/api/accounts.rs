use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};

both_backends!(
    accounts_have_computed_balances,
    accounts_validate_and_stay_unique,
    archived_accounts_leave_the_list_but_keep_history,
    another_users_account_is_404,
    deleting_an_account_deletes_its_transactions,
);

async fn accounts_have_computed_balances(app: TestApp) {
    let token = app.user("asha@example.com").await;
    app.patch_as(&token, "/api/v1/me", &json!({"base_currency": "INR"}))
        .await;
    let res = app
        .post_as(
            &token,
            "/api/v1/accounts",
            &json!({"name": "Savings", "kind": "savings", "opening_balance": 100000}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/api/v1/accounts/"));
    let account: Value = res.json().await.unwrap();
    assert_eq!(account["currency"], "INR", "defaults to the base currency");
    assert_eq!(account["balance"], 100000);
    let id = account["id"].as_i64().unwrap();
    for amount in [-2550, 12000, -1] {
        app.transaction(
            &token,
            json!({"account_id": id, "date": "2026-03-01", "amount": amount, "description": "x"}),
        )
        .await;
    }
    let one: Value = app
        .get_as(&token, &format!("/api/v1/accounts/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["balance"], 100000 - 2550 + 12000 - 1);
    let list: Value = app
        .get_as(&token, "/api/v1/accounts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["balance"], one["balance"]);
}

async fn accounts_validate_and_stay_unique(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let cases = [
        (json!({"name": "", "kind": "checking"}), vec!["name"]),
        (json!({"name": "A", "kind": "piggy_bank"}), vec!["kind"]),
        (
            json!({"name": "A", "kind": "cash", "currency": "EURO"}),
            vec!["currency"],
        ),
        (
            json!({"name": "A", "kind": "cash", "opening_balance": 1.5}),
            vec!["opening_balance"],
        ),
    ];
    for (body, fields) in cases {
        let res = app.post_as(&token, "/api/v1/accounts", &body).await;
        assert_eq!(invalid_fields(res).await, fields, "{body}");
    }
    let id = app.account(&token, "Everyday", "EUR").await;
    let again = app
        .post_as(
            &token,
            "/api/v1/accounts",
            &json!({"name": "Everyday", "kind": "cash"}),
        )
        .await;
    problem(again, StatusCode::CONFLICT).await;
    // The currency can change until the first transaction.
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/accounts/{id}"),
            &json!({"currency": "GBP"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.transaction(
        &token,
        json!({"account_id": id, "date": "2026-03-01", "amount": -100, "description": "x"}),
    )
    .await;
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/accounts/{id}"),
            &json!({"currency": "EUR"}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, vec!["currency"]);
}

async fn archived_accounts_leave_the_list_but_keep_history(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let id = app.account(&token, "Old card", "USD").await;
    app.transaction(
        &token,
        json!({"account_id": id, "date": "2020-01-01", "amount": -500, "description": "x"}),
    )
    .await;
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/accounts/{id}"),
            &json!({"archived": true}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["archived"], true);
    let list: Value = app
        .get_as(&token, "/api/v1/accounts")
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    let all: Value = app
        .get_as(&token, "/api/v1/accounts?include_archived=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"][0]["balance"], -500);
    let txns: Value = app
        .get_as(&token, "/api/v1/transactions")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(txns["items"].as_array().unwrap().len(), 1);
}

async fn another_users_account_is_404(app: TestApp) {
    let asha = app.user("asha@example.com").await;
    let ravi = app.user("ravi@example.com").await;
    let id = app.account(&asha, "Everyday", "EUR").await;
    let path = format!("/api/v1/accounts/{id}");
    let missing = app.get_as(&ravi, "/api/v1/accounts/999999").await;
    let missing = problem(missing, StatusCode::NOT_FOUND).await;
    let foreign = problem(app.get_as(&ravi, &path).await, StatusCode::NOT_FOUND).await;
    assert_eq!(
        foreign["detail"]
            .as_str()
            .unwrap()
            .replace(&id.to_string(), "N"),
        missing["detail"].as_str().unwrap().replace("999999", "N"),
        "a foreign id looks exactly like a missing one"
    );
    problem(
        app.patch_as(&ravi, &path, &json!({"name": "Mine"})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(app.delete_as(&ravi, &path).await, StatusCode::NOT_FOUND).await;
    let res = app
        .post_as(
            &ravi,
            "/api/v1/transactions",
            &json!({"account_id": id, "date": "2026-03-01", "amount": -1, "description": "x"}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, vec!["account_id"]);
    problem(
        app.get_as(&ravi, "/api/v1/accounts/abc").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(app.get_as(&asha, &path).await.status(), StatusCode::OK);
}

async fn deleting_an_account_deletes_its_transactions(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let keep = app.account(&token, "Keep", "EUR").await;
    let drop = app.account(&token, "Drop", "EUR").await;
    for account in [keep, drop] {
        app.transaction(&token, json!({"account_id": account, "date": "2026-03-01", "amount": -100, "description": "x"}))
            .await;
    }
    let res = app
        .delete_as(&token, &format!("/api/v1/accounts/{drop}"))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let txns: Value = app
        .get_as(&token, "/api/v1/transactions")
        .await
        .json()
        .await
        .unwrap();
    let items = txns["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["account_id"], keep);
}
