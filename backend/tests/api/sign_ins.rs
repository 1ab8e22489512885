//! Ending a sign-in ends it at once: copied cookies and unexpired access tokens stop working
//! after logout, refresh-token reuse, a password change, a per-item revoke and "sign out
//! everywhere".

use reqwest::header::{COOKIE, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{problem, TestApp, PASSWORD};

both_backends!(
    a_copied_session_cookie_stops_working_after_sign_out,
    access_tokens_stop_working_after_logout,
    access_tokens_stop_working_after_refresh_token_reuse,
    a_password_change_ends_every_other_sign_in_at_once,
    sign_ins_are_listed_and_revoked_one_by_one,
    signing_out_everywhere_ends_every_sign_in,
    session_routes_refuse_bearer_tokens,
);

const EMAIL: &str = "asha@example.com";

/// Signs Asha in at `path` from a fresh client that calls itself `agent`.
async fn sign_in(app: &TestApp, path: &str, agent: &str) -> reqwest::Response {
    let res = TestApp::new_client()
        .post(app.url(path))
        .header(USER_AGENT, agent)
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res
}

/// A browser sign-in on a fresh client: the raw `Cookie` header value and the CSRF token.
async fn browser(app: &TestApp, agent: &str) -> (String, String) {
    let res = sign_in(app, "/api/v1/auth/session", agent).await;
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let csrf = res.json::<Value>().await.unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    (cookie, csrf)
}

/// A request carrying a copied cookie (and CSRF token), as a thief replaying it would send.
async fn with_cookie(
    app: &TestApp,
    (cookie, csrf): &(String, String),
    method: Method,
    path: &str,
) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .request(method.clone(), app.url(path))
        .header(COOKIE, cookie)
        .header("X-CSRF-Token", csrf);
    if method == Method::PATCH {
        req = req.json(&json!({"display_name": "Mallory"}));
    }
    req.send().await.unwrap()
}

async fn token_pair(app: &TestApp, agent: &str) -> (String, String) {
    let res = sign_in(app, "/api/v1/auth/token", agent).await;
    let body: Value = res.json().await.unwrap();
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

async fn assert_ended(res: reqwest::Response) {
    let body = problem(res, StatusCode::UNAUTHORIZED).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("sign-in has ended"),
        "{body}"
    );
}

async fn a_copied_session_cookie_stops_working_after_sign_out(app: TestApp) {
    app.register(EMAIL).await;
    let session = browser(&app, "Firefox").await;
    let read = with_cookie(&app, &session, Method::GET, "/api/v1/me").await;
    assert_eq!(read.status(), StatusCode::OK);
    let write = with_cookie(&app, &session, Method::PATCH, "/api/v1/me").await;
    assert_eq!(write.status(), StatusCode::OK);

    let out = with_cookie(&app, &session, Method::DELETE, "/api/v1/auth/session").await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);

    // The copy kept before signing out is as dead as the browser's own.
    assert_ended(with_cookie(&app, &session, Method::GET, "/api/v1/me").await).await;
    assert_ended(with_cookie(&app, &session, Method::PATCH, "/api/v1/me").await).await;
}

async fn access_tokens_stop_working_after_logout(app: TestApp) {
    app.register(EMAIL).await;
    let (access, refresh) = token_pair(&app, "cron").await;
    let (other, _) = token_pair(&app, "phone").await;
    assert_eq!(app.me(&access).await.status(), StatusCode::OK);

    let res = app
        .post("/api/v1/auth/logout", &json!({"refresh_token": refresh}))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    assert_ended(app.me(&access).await).await;
    // Another sign-in of the same user is untouched.
    assert_eq!(app.me(&other).await.status(), StatusCode::OK);
}

async fn access_tokens_stop_working_after_refresh_token_reuse(app: TestApp) {
    app.register(EMAIL).await;
    let (first_access, refresh) = token_pair(&app, "cron").await;
    let rotated: Value = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": refresh}))
        .await
        .json()
        .await
        .unwrap();
    let second_access = rotated["access_token"].as_str().unwrap();
    assert_eq!(app.me(second_access).await.status(), StatusCode::OK);

    // The old refresh token again: it leaked, so the whole sign-in ends.
    let reuse = app
        .post("/api/v1/auth/refresh", &json!({"refresh_token": refresh}))
        .await;
    problem(reuse, StatusCode::UNAUTHORIZED).await;
    assert_ended(app.me(&first_access).await).await;
    assert_ended(app.me(second_access).await).await;
    let newest = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": rotated["refresh_token"]}),
        )
        .await;
    problem(newest, StatusCode::UNAUTHORIZED).await;
}

async fn a_password_change_ends_every_other_sign_in_at_once(app: TestApp) {
    app.register(EMAIL).await;
    let session = browser(&app, "Firefox").await;
    let (other, _) = token_pair(&app, "phone").await;
    let (mine, _) = token_pair(&app, "laptop").await;

    let res = app
        .patch_as(
            &mine,
            "/api/v1/me",
            &json!({"current_password": PASSWORD, "new_password": "a new long password"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    assert_ended(with_cookie(&app, &session, Method::GET, "/api/v1/me").await).await;
    assert_ended(app.me(&other).await).await;
    assert_eq!(app.me(&mine).await.status(), StatusCode::OK);
}

async fn sign_ins_are_listed_and_revoked_one_by_one(app: TestApp) {
    app.register(EMAIL).await;
    let session = browser(&app, "Firefox on Linux").await;
    let (phone, _) = token_pair(&app, "Dhana for Android").await;
    let (mine, _) = token_pair(&app, "cron script").await;

    let list: Value = app
        .get_as(&mine, "/api/v1/me/sign-ins")
        .await
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap();
    let mut seen: Vec<(&str, &str, bool)> = items
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap(),
                i["user_agent"].as_str().unwrap(),
                i["current"].as_bool().unwrap(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("session", "Firefox on Linux", false),
            ("token", "Dhana for Android", false),
            ("token", "cron script", true),
        ]
    );
    for item in items {
        assert!(item["created_at"].as_str().unwrap().ends_with('Z'));
        assert!(item["last_used_at"].as_str().unwrap() >= item["created_at"].as_str().unwrap());
    }
    let id_of = |agent: &str| {
        items.iter().find(|i| i["user_agent"] == agent).unwrap()["id"]
            .as_i64()
            .unwrap()
    };

    let path = format!("/api/v1/me/sign-ins/{}", id_of("Dhana for Android"));
    assert_eq!(
        app.delete_as(&mine, &path).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_ended(app.me(&phone).await).await;
    problem(app.delete_as(&mine, &path).await, StatusCode::NOT_FOUND).await;

    // Another user can neither see nor end Asha's sign-ins.
    let ben = app.user("ben@example.com").await;
    let ben_list: Value = app
        .get_as(&ben, "/api/v1/me/sign-ins")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ben_list["items"].as_array().unwrap().len(), 1);
    let browser_path = format!("/api/v1/me/sign-ins/{}", id_of("Firefox on Linux"));
    problem(
        app.delete_as(&ben, &browser_path).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let read = with_cookie(&app, &session, Method::GET, "/api/v1/me").await;
    assert_eq!(read.status(), StatusCode::OK);

    // The browser ends its own sign-in from the list.
    let own = with_cookie(&app, &session, Method::DELETE, &browser_path).await;
    assert_eq!(own.status(), StatusCode::NO_CONTENT);
    assert_ended(with_cookie(&app, &session, Method::GET, "/api/v1/me").await).await;
    assert_eq!(app.me(&mine).await.status(), StatusCode::OK);
}

async fn signing_out_everywhere_ends_every_sign_in(app: TestApp) {
    app.register(EMAIL).await;
    let session = browser(&app, "Firefox").await;
    let (phone, phone_refresh) = token_pair(&app, "phone").await;
    let ben = app.user("ben@example.com").await;

    let res = with_cookie(&app, &session, Method::DELETE, "/api/v1/me/sign-ins").await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    assert_ended(with_cookie(&app, &session, Method::GET, "/api/v1/me").await).await;
    assert_ended(app.me(&phone).await).await;
    let refresh = app
        .post(
            "/api/v1/auth/refresh",
            &json!({"refresh_token": phone_refresh}),
        )
        .await;
    problem(refresh, StatusCode::UNAUTHORIZED).await;
    assert_eq!(app.me(&ben).await.status(), StatusCode::OK);
}

async fn session_routes_refuse_bearer_tokens(app: TestApp) {
    let token = app.user(EMAIL).await;
    for method in [Method::GET, Method::DELETE] {
        let res = app
            .with(&token, method, "/api/v1/auth/session")
            .send()
            .await
            .unwrap();
        let body = problem(res, StatusCode::UNAUTHORIZED).await;
        assert!(body["detail"]
            .as_str()
            .unwrap()
            .contains("browser sessions"));
    }
    assert_eq!(app.me(&token).await.status(), StatusCode::OK);
}
