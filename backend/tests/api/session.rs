use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{problem, TestApp, PASSWORD};

both_backends!(
    a_browser_session_needs_the_csrf_token_for_changes,
    signing_out_ends_the_session,
    bearer_requests_need_no_csrf_token,
);

/// Signs the app's client in with a cookie; returns the CSRF token.
async fn browser_sign_in(app: &TestApp, email: &str) -> String {
    app.register(email).await;
    let res = app
        .post(
            "/api/v1/auth/session",
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("dhana_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user"]["email"], email);
    body["csrf_token"].as_str().unwrap().to_owned()
}

async fn a_browser_session_needs_the_csrf_token_for_changes(app: TestApp) {
    let csrf = browser_sign_in(&app, "asha@example.com").await;
    assert_eq!(app.get("/api/v1/me").await.status(), StatusCode::OK);

    let change = json!({"display_name": "Asha R."});
    let patch = || app.client.patch(app.url("/api/v1/me")).json(&change);
    let body = problem(patch().send().await.unwrap(), StatusCode::FORBIDDEN).await;
    assert!(body["detail"].as_str().unwrap().contains("X-CSRF-Token"));
    let wrong = patch()
        .header("X-CSRF-Token", "guess")
        .send()
        .await
        .unwrap();
    problem(wrong, StatusCode::FORBIDDEN).await;
    let right = patch().header("X-CSRF-Token", &csrf).send().await.unwrap();
    assert_eq!(right.status(), StatusCode::OK);
    assert_eq!(
        right.json::<Value>().await.unwrap()["display_name"],
        "Asha R."
    );

    // A reloaded page gets the same token back.
    let session: Value = app.get("/api/v1/auth/session").await.json().await.unwrap();
    assert_eq!(session["csrf_token"], csrf.as_str());
    assert_eq!(session["user"]["display_name"], "Asha R.");

    // Another browser has no session at all.
    let stranger = TestApp::new_client()
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    problem(stranger, StatusCode::UNAUTHORIZED).await;
}

async fn signing_out_ends_the_session(app: TestApp) {
    let csrf = browser_sign_in(&app, "asha@example.com").await;
    let without = app
        .client
        .delete(app.url("/api/v1/auth/session"))
        .send()
        .await
        .unwrap();
    problem(without, StatusCode::FORBIDDEN).await;
    let res = app
        .client
        .delete(app.url("/api/v1/auth/session"))
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(app.get("/api/v1/me").await, StatusCode::UNAUTHORIZED).await;
}

async fn bearer_requests_need_no_csrf_token(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let res = TestApp::new_client()
        .patch(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .json(&json!({"base_currency": "EUR"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["base_currency"], "EUR");
}
