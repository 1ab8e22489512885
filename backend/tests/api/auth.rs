use chrono::Utc;
use dhana::auth::jwt::{Claims, JwtKeys};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp, PASSWORD};

both_backends!(
    register_returns_the_user_without_secrets,
    emails_are_unique_ignoring_case,
    registration_validates_each_field,
    token_signs_in_and_me_answers,
    wrong_credentials_are_401_whether_or_not_the_account_exists,
    refresh_rotates_and_reuse_revokes_the_family,
    logout_revokes_the_refresh_token,
    bad_access_tokens_are_401_with_a_clear_detail,
);

async fn register_returns_the_user_without_secrets(app: TestApp) {
    let user = app.register("Asha@Example.com").await;
    assert_eq!(user["email"], "Asha@Example.com");
    assert_eq!(user["display_name"], "Test User");
    assert_eq!(user["base_currency"], "USD");
    assert!(user["id"].as_i64().unwrap() > 0);
    assert!(user["created_at"].as_str().unwrap().ends_with('Z'));
    let text = user.to_string();
    assert!(
        !text.contains("password") && !text.contains("argon2"),
        "{text}"
    );
}

async fn emails_are_unique_ignoring_case(app: TestApp) {
    app.register("asha@example.com").await;
    let res = app
        .post(
            "/api/v1/auth/register",
            &json!({"email": " ASHA@example.COM ", "password": PASSWORD, "display_name": "Other"}),
        )
        .await;
    let body = problem(res, StatusCode::CONFLICT).await;
    assert!(body["detail"].as_str().unwrap().contains("already exists"));
    // Sign-in ignores case too.
    app.tokens("ASHA@EXAMPLE.COM", PASSWORD).await;
}

async fn registration_validates_each_field(app: TestApp) {
    let register = |email: &str, password: String, name: &str| json!({"email": email, "password": password, "display_name": name});
    let cases = [
        (
            register("a@example.com", "x".repeat(9), "A"),
            vec!["password"],
        ),
        (
            register("a@example.com", "x".repeat(129), "A"),
            vec!["password"],
        ),
        (register("not-an-email", "x".repeat(10), "A"), vec!["email"]),
        (
            register("a@example.com", "x".repeat(10), "   "),
            vec!["display_name"],
        ),
        (
            register("nope", "short".into(), ""),
            vec!["display_name", "email", "password"],
        ),
        (
            json!({"email": "a@example.com", "password": PASSWORD}),
            vec!["display_name"],
        ),
        (
            json!({"email": 7, "password": PASSWORD, "display_name": "A"}),
            vec!["email"],
        ),
    ];
    for (body, fields) in cases {
        let res = app.post("/api/v1/auth/register", &body).await;
        assert_eq!(invalid_fields(res).await, fields, "{body}");
    }
    // The bounds themselves are allowed, counted in characters rather than bytes.
    for password in ["x".repeat(10), "é".repeat(128)] {
        let res = app
            .post(
                "/api/v1/auth/register",
                &register(&format!("{}@example.com", password.len()), password, "A"),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
}

async fn token_signs_in_and_me_answers(app: TestApp) {
    app.register("asha@example.com").await;
    let res = app
        .post(
            "/api/v1/auth/token",
            &json!({"email": "asha@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let pair: Value = res.json().await.unwrap();
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    assert!(pair["refresh_token"].as_str().unwrap().len() >= 40);

    let me = app.me(pair["access_token"].as_str().unwrap()).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(
        me.json::<Value>().await.unwrap()["email"],
        "asha@example.com"
    );
}

async fn wrong_credentials_are_401_whether_or_not_the_account_exists(app: TestApp) {
    app.register("asha@example.com").await;
    let mut details = Vec::new();
    for email in ["asha@example.com", "nobody@example.com"] {
        let res = app
            .post(
                "/api/v1/auth/token",
                &json!({"email": email, "password": "wrong password!"}),
            )
            .await;
        details.push(problem(res, StatusCode::UNAUTHORIZED).await["detail"].clone());
    }
    assert_eq!(
        details[0], details[1],
        "the answer must not reveal who has an account"
    );
}

async fn refresh(app: &TestApp, token: &str) -> reqwest::Response {
    app.post("/api/v1/auth/refresh", &json!({"refresh_token": token}))
        .await
}

async fn refresh_rotates_and_reuse_revokes_the_family(app: TestApp) {
    app.register("asha@example.com").await;
    let (_, first) = app.tokens("asha@example.com", PASSWORD).await;
    let (_, other_sign_in) = app.tokens("asha@example.com", PASSWORD).await;

    let res = refresh(&app, &first).await;
    assert_eq!(res.status(), StatusCode::OK);
    let pair: Value = res.json().await.unwrap();
    let second = pair["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(second, first);
    assert_eq!(
        app.me(pair["access_token"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );

    // The rotated token is dead, and presenting it kills the token that replaced it...
    let body = problem(refresh(&app, &first).await, StatusCode::UNAUTHORIZED).await;
    assert!(body["detail"].as_str().unwrap().contains("already used"));
    problem(refresh(&app, &second).await, StatusCode::UNAUTHORIZED).await;
    // ...but not the tokens of another sign-in.
    assert_eq!(refresh(&app, &other_sign_in).await.status(), StatusCode::OK);

    problem(refresh(&app, "made-up").await, StatusCode::UNAUTHORIZED).await;
}

async fn logout_revokes_the_refresh_token(app: TestApp) {
    app.register("asha@example.com").await;
    let (_, token) = app.tokens("asha@example.com", PASSWORD).await;
    let res = app
        .post("/api/v1/auth/logout", &json!({"refresh_token": token}))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(refresh(&app, &token).await, StatusCode::UNAUTHORIZED).await;
    // Logging out twice is fine; an unknown token is not.
    let again = app
        .post("/api/v1/auth/logout", &json!({"refresh_token": token}))
        .await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT);
    let unknown = app
        .post("/api/v1/auth/logout", &json!({"refresh_token": "made-up"}))
        .await;
    problem(unknown, StatusCode::UNAUTHORIZED).await;
}

async fn bad_access_tokens_are_401_with_a_clear_detail(app: TestApp) {
    let user = app.register("asha@example.com").await;
    let keys = JwtKeys::new(app.config.jwt_secret.expose());
    let expired = keys
        .sign(&Claims {
            sub: user["id"].to_string(),
            fam: "f".into(),
            iat: 0,
            exp: Utc::now().timestamp() - 120,
        })
        .unwrap();
    let body = problem(app.me(&expired).await, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["type"], "/problems/token-expired");
    assert!(body["detail"].as_str().unwrap().contains("expired"));

    let forged = JwtKeys::new(b"someone else's secret, 32+ bytes long")
        .issue(user["id"].as_i64().unwrap(), "f")
        .unwrap();
    for token in [forged.as_str(), "garbage"] {
        let body = problem(app.me(token).await, StatusCode::UNAUTHORIZED).await;
        assert!(body["detail"].as_str().unwrap().contains("not valid"));
    }

    let basic = app
        .client
        .get(app.url("/api/v1/me"))
        .header("Authorization", "Basic YTpi")
        .send()
        .await
        .unwrap();
    assert_eq!(basic.headers()["www-authenticate"], "Bearer");
    let body = problem(basic, StatusCode::UNAUTHORIZED).await;
    assert!(body["detail"].as_str().unwrap().contains("Bearer"));

    let none = problem(app.get("/api/v1/me").await, StatusCode::UNAUTHORIZED).await;
    assert!(none["detail"].as_str().unwrap().contains("not signed in"));
}
