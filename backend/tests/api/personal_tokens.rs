//! Personal access tokens: shown once, stored hashed, scoped on every route, listed with last
//! use, expiring and revocable.

use dhana::db::{DbConn, Pool};
use diesel::prelude::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};
use crate::imports::upload;

both_backends!(
    a_token_is_shown_once_and_stored_hashed,
    scopes_are_enforced_on_every_route,
    tokens_cannot_manage_the_account,
    revoked_and_expired_tokens_stop_working,
);

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post_as(token, "/api/v1/me/tokens", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{body}");
    res.json().await.unwrap()
}

fn pat(created: &Value) -> String {
    created["token"].as_str().unwrap().to_owned()
}

fn connect(app: &TestApp) -> DbConn {
    Pool::connect(&app.config.database).unwrap().get().unwrap()
}

async fn a_token_is_shown_once_and_stored_hashed(app: TestApp) {
    let session = app.user("asha@example.com").await;
    let created = create(
        &app,
        &session,
        json!({"name": "nightly", "scopes": ["read", "read", "import"]}),
    )
    .await;
    let token = pat(&created);
    assert!(
        token.starts_with("dhana_pat_") && token.len() > 50,
        "{token}"
    );
    assert_eq!(created["scopes"], json!(["read", "import"]));
    assert_eq!(created["expires_at"], Value::Null);

    let list: Value = app
        .get_as(&session, "/api/v1/me/tokens")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["name"], "nightly");
    assert!(list["items"][0].get("token").is_none(), "{list}");
    // Tokens are not sign-ins: the sign-in list shows the password sign-in alone.
    let sign_ins: Value = app
        .get_as(&session, "/api/v1/me/sign-ins")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sign_ins["items"].as_array().unwrap().len(), 1);

    // The database holds a hash, never the token.
    let mut conn = connect(&app);
    let handles: Vec<String> = dhana::with_conn!(&mut conn, c => dhana::db::schema::sign_ins::table
        .select(dhana::db::schema::sign_ins::handle)
        .load(c))
    .unwrap();
    assert!(handles.iter().all(|h| !h.contains(&token[10..])));
    assert!(handles.iter().any(|h| h.len() == 64));

    let me: Value = app.get_as(&token, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["email"], "asha@example.com");

    for (body, field) in [
        (json!({"name": " ", "scopes": ["read"]}), "name"),
        (json!({"name": "x", "scopes": []}), "scopes"),
        (json!({"name": "x", "scopes": ["admin"]}), "scopes[0]"),
        (
            json!({"name": "x", "scopes": ["read"], "expires_in_days": 0}),
            "expires_in_days",
        ),
    ] {
        let res = app.post_as(&session, "/api/v1/me/tokens", &body).await;
        assert_eq!(invalid_fields(res).await, vec![field], "{body}");
    }
}

async fn scopes_are_enforced_on_every_route(app: TestApp) {
    let session = app.user("asha@example.com").await;
    let account = app.account(&session, "Everyday", "USD").await;
    let read = pat(&create(&app, &session, json!({"name": "r", "scopes": ["read"]})).await);
    let write = pat(&create(&app, &session, json!({"name": "w", "scopes": ["write"]})).await);
    let import = pat(&create(
        &app,
        &session,
        json!({"name": "i", "scopes": ["read", "import"]}),
    )
    .await);
    let new_account = json!({"name": "Savings", "kind": "savings", "currency": "USD"});
    let csv = b"Date,Description,Amount\n2026-03-01,Rent,-900.00\n".to_vec();

    assert_eq!(
        app.get_as(&read, "/api/v1/accounts").await.status(),
        StatusCode::OK
    );
    let body = problem(
        app.post_as(&read, "/api/v1/accounts", &new_account).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("`write` scope"),
        "{body}"
    );
    let res = upload(&app, &read, account, "s.csv", csv.clone(), "").await;
    assert!(problem(res, StatusCode::FORBIDDEN).await["detail"]
        .as_str()
        .unwrap()
        .contains("`import`"));

    problem(
        app.get_as(&write, "/api/v1/accounts").await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        app.post_as(&write, "/api/v1/accounts", &new_account)
            .await
            .status(),
        StatusCode::CREATED
    );
    problem(
        upload(&app, &write, account, "s.csv", csv.clone(), "").await,
        StatusCode::FORBIDDEN,
    )
    .await;

    let res = upload(&app, &import, account, "s.csv", csv, "?commit=true").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    problem(
        app.post_as(&import, "/api/v1/accounts", &new_account).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let undo = app
        .delete_as(&import, &format!("/api/v1/imports/{id}"))
        .await;
    assert_eq!(undo.status(), StatusCode::OK);
    let export = app.get_as(&import, "/api/v1/transactions/export.csv").await;
    assert_eq!(export.status(), StatusCode::OK);
}

async fn tokens_cannot_manage_the_account(app: TestApp) {
    let session = app.user("asha@example.com").await;
    let all = pat(&create(
        &app,
        &session,
        json!({"name": "all", "scopes": ["read", "write", "import"]}),
    )
    .await);
    let attempts = [
        (
            Method::POST,
            "/api/v1/me/tokens",
            json!({"name": "more", "scopes": ["read"]}),
        ),
        (Method::GET, "/api/v1/me/tokens", json!(null)),
        (Method::GET, "/api/v1/me/sign-ins", json!(null)),
        (Method::DELETE, "/api/v1/me/sign-ins", json!(null)),
        (
            Method::PATCH,
            "/api/v1/me",
            json!({"current_password": "x", "new_password": "another long one"}),
        ),
        (Method::DELETE, "/api/v1/me", json!({"password": "x"})),
    ];
    for (method, path, body) in attempts {
        let res = app
            .with(&all, method.clone(), path)
            .json(&body)
            .send()
            .await
            .unwrap();
        let problem = problem(res, StatusCode::FORBIDDEN).await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("cannot manage"),
            "{method} {path}"
        );
    }
    assert_eq!(app.me(&session).await.status(), StatusCode::OK);
}

async fn revoked_and_expired_tokens_stop_working(app: TestApp) {
    let session = app.user("asha@example.com").await;
    let created = create(
        &app,
        &session,
        json!({"name": "r", "scopes": ["read"], "expires_in_days": 30}),
    )
    .await;
    let token = pat(&created);
    let expires = created["expires_at"].as_str().unwrap();
    let created_at = created["created_at"].as_str().unwrap();
    let days = (chrono::DateTime::parse_from_rfc3339(expires).unwrap()
        - chrono::DateTime::parse_from_rfc3339(created_at).unwrap())
    .num_days();
    assert_eq!(days, 30);
    assert_eq!(app.me(&token).await.status(), StatusCode::OK);

    // Thirty days later (moved back in the database rather than waited for).
    let mut conn = connect(&app);
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1);
    dhana::with_conn!(&mut conn, c => diesel::update(dhana::db::schema::sign_ins::table
        .filter(dhana::db::schema::sign_ins::id.eq(created["id"].as_i64().unwrap())))
        .set(dhana::db::schema::sign_ins::expires_at.eq(Some(past)))
        .execute(c))
    .unwrap();
    let body = problem(app.me(&token).await, StatusCode::UNAUTHORIZED).await;
    assert!(body["detail"].as_str().unwrap().contains("expired"));

    let other = pat(&create(&app, &session, json!({"name": "o", "scopes": ["read"]})).await);
    let id = app
        .get_as(&session, "/api/v1/me/tokens")
        .await
        .json::<Value>()
        .await
        .unwrap()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "o")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let ben = app.user("ben@example.com").await;
    problem(
        app.delete_as(&ben, &format!("/api/v1/me/tokens/{id}"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(app.me(&other).await.status(), StatusCode::OK);
    let res = app
        .delete_as(&session, &format!("/api/v1/me/tokens/{id}"))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(app.me(&other).await, StatusCode::UNAUTHORIZED).await;
    // Signing out everywhere ends sign-ins, not the scripts' tokens.
    let kept = pat(&create(&app, &session, json!({"name": "k", "scopes": ["read"]})).await);
    assert_eq!(
        app.delete_as(&session, "/api/v1/me/sign-ins")
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.me(&kept).await.status(), StatusCode::OK);
}
