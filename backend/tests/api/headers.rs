//! Every response carries the security headers: pages, Swagger UI, the API, errors and the
//! built web app alike.

use reqwest::header::HeaderMap;
use reqwest::{Method, Response};
use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;

both_backends!(every_response_carries_the_security_headers);

pub fn assert_security_headers(headers: &HeaderMap, what: &str) {
    let csp = headers
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"))
        .to_str()
        .unwrap();
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{what}: {csp}");
    }
    assert!(!csp.contains("unsafe-eval"), "{what}: {csp}");
    assert_eq!(headers["x-frame-options"], "DENY", "{what}");
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(headers["referrer-policy"], "no-referrer", "{what}");
}

async fn every_response_carries_the_security_headers(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let mut responses: Vec<(String, Response)> = Vec::new();
    for path in [
        "/",
        "/docs/",
        "/docs/swagger-initializer.js",
        "/api/openapi.json",
        "/healthz",
        "/readyz",
        "/nothing/here",
    ] {
        responses.push((path.into(), app.get(path).await));
    }
    responses.push(("401".into(), app.get("/api/v1/me").await));
    responses.push(("200 API".into(), app.get_as(&token, "/api/v1/me").await));
    let created = app
        .post_as(
            &token,
            "/api/v1/accounts",
            &json!({"name": "Everyday", "kind": "checking", "currency": "EUR"}),
        )
        .await;
    responses.push(("201".into(), created));
    let invalid = app
        .post_as(&token, "/api/v1/accounts", &json!({"name": ""}))
        .await;
    responses.push(("422".into(), invalid));
    let wrong_method = app
        .with(&token, Method::PUT, "/api/v1/me")
        .send()
        .await
        .unwrap();
    responses.push(("405".into(), wrong_method));
    for (what, res) in responses {
        assert!(res.status().as_u16() < 500, "{what}: {}", res.status());
        assert_security_headers(res.headers(), &what);
    }
}
