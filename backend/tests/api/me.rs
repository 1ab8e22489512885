use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp, PASSWORD};

both_backends!(
    profile_changes_are_validated_and_kept,
    password_change_needs_the_current_password_and_signs_out_other_sign_ins,
    deleting_the_account_needs_the_password_and_removes_everything,
    wrong_passwords_on_sensitive_changes_are_throttled,
);

async fn patch(app: &TestApp, token: &str, body: Value) -> Response {
    app.client
        .patch(app.url("/api/v1/me"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn delete(app: &TestApp, token: &str, body: Value) -> Response {
    app.client
        .delete(app.url("/api/v1/me"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn refresh(app: &TestApp, token: &str) -> Response {
    app.post("/api/v1/auth/refresh", &json!({"refresh_token": token}))
        .await
}

async fn profile_changes_are_validated_and_kept(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let res = patch(
        &app,
        &token,
        json!({"display_name": "  Asha R.  ", "base_currency": "INR"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(me["display_name"], "Asha R.");
    assert_eq!(me["base_currency"], "INR");

    let cases = [
        (json!({"base_currency": "inr"}), vec!["base_currency"]),
        (json!({"base_currency": "XYZ"}), vec!["base_currency"]),
        (json!({"display_name": ""}), vec!["display_name"]),
        (
            json!({"display_name": "x".repeat(101)}),
            vec!["display_name"],
        ),
        (json!({"nickname": "A"}), vec!["nickname"]),
        (
            json!({"new_password": "another long one"}),
            vec!["current_password"],
        ),
        (
            json!({"current_password": PASSWORD, "new_password": "short"}),
            vec!["new_password"],
        ),
    ];
    for (body, fields) in cases {
        let res = patch(&app, &token, body.clone()).await;
        assert_eq!(invalid_fields(res).await, fields, "{body}");
    }
    let unchanged: Value = app.me(&token).await.json().await.unwrap();
    assert_eq!(unchanged, me);
}

async fn password_change_needs_the_current_password_and_signs_out_other_sign_ins(app: TestApp) {
    app.register("asha@example.com").await;
    let (access, own_refresh) = app.tokens("asha@example.com", PASSWORD).await;
    let (_, other_refresh) = app.tokens("asha@example.com", PASSWORD).await;

    let wrong = patch(
        &app,
        &access,
        json!({"current_password": "not it at all", "new_password": "a new long password"}),
    )
    .await;
    assert_eq!(invalid_fields(wrong).await, vec!["current_password"]);

    let res = patch(
        &app,
        &access,
        json!({"current_password": PASSWORD, "new_password": "a new long password"}),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);

    problem(
        refresh(&app, &other_refresh).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(refresh(&app, &own_refresh).await.status(), StatusCode::OK);
    let old = app
        .post(
            "/api/v1/auth/token",
            &json!({"email": "asha@example.com", "password": PASSWORD}),
        )
        .await;
    problem(old, StatusCode::UNAUTHORIZED).await;
    app.tokens("asha@example.com", "a new long password").await;
}

async fn deleting_the_account_needs_the_password_and_removes_everything(app: TestApp) {
    app.register("asha@example.com").await;
    let (access, refresh) = app.tokens("asha@example.com", PASSWORD).await;
    let other = app.user("ravi@example.com").await;

    let wrong = delete(&app, &access, json!({"password": "not it at all"})).await;
    assert_eq!(invalid_fields(wrong).await, vec!["password"]);
    let missing = delete(&app, &access, json!({})).await;
    assert_eq!(invalid_fields(missing).await, vec!["password"]);

    let res = delete(&app, &access, json!({"password": PASSWORD})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let gone = problem(app.me(&access).await, StatusCode::UNAUTHORIZED).await;
    assert!(gone["detail"]
        .as_str()
        .unwrap()
        .contains("sign-in has ended"));
    let refreshed = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": refresh}))
        .await;
    problem(refreshed, StatusCode::UNAUTHORIZED).await;
    // The address is free again, and other users are untouched.
    app.register("asha@example.com").await;
    assert_eq!(app.me(&other).await.status(), StatusCode::OK);
}

async fn wrong_passwords_on_sensitive_changes_are_throttled(app: TestApp) {
    let token = app.user("asha@example.com").await;
    for _ in 0..5 {
        let res = delete(&app, &token, json!({"password": "not it at all"})).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = delete(&app, &token, json!({"password": PASSWORD})).await;
    problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(app.me(&token).await.status(), StatusCode::OK);
}
