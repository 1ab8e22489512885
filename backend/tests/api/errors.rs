use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};

both_backends!(
    unknown_routes_are_404_problems,
    wrong_methods_are_405_with_allow,
    a_fixed_path_under_an_id_route_is_405_not_404,
    bad_query_parameters_are_422_naming_them,
    bodies_are_checked_for_type_size_syntax_and_shape,
    every_response_carries_a_request_id,
);

async fn unknown_routes_are_404_problems(app: TestApp) {
    for path in ["/nope", "/api/v1/nope", "/api/v2/me"] {
        let body = problem(app.get(path).await, StatusCode::NOT_FOUND).await;
        assert!(body["detail"].as_str().unwrap().contains(path));
    }
}

async fn wrong_methods_are_405_with_allow(app: TestApp) {
    let res = app.client.put(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(res.headers()["allow"], "GET, DELETE, PATCH");
    problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
    let res = app.get("/api/v1/auth/token").await;
    assert_eq!(res.headers()["allow"], "POST");
    problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
}

/// `PUT /rules/apply` is routed to `PUT /rules/{id}` and fails on its id; the path exists.
async fn a_fixed_path_under_an_id_route_is_405_not_404(app: TestApp) {
    let token = app.user("asha@example.com").await;
    for (method, path, allow) in [
        ("PATCH", "/api/v1/budgets/limits", "GET"),
        ("PUT", "/api/v1/rules/apply", "POST"),
        ("PUT", "/api/v1/debts/plan", "POST"),
        ("PATCH", "/api/v1/budgets/recommendations", "GET"),
    ] {
        let res = app
            .client
            .request(method.parse().unwrap(), app.url(path))
            .bearer_auth(&token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["allow"], allow, "{method} {path}");
        problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
        // A method no route has: the fixed path's methods alone, not those of `{id}` too.
        let res = app
            .client
            .request(reqwest::Method::OPTIONS, app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["allow"], allow, "OPTIONS {path}");
    }
    // An id that is not a number is still just not found.
    let res = app.get_as(&token, "/api/v1/rules/seven").await;
    problem(res, StatusCode::NOT_FOUND).await;
}

async fn bad_query_parameters_are_422_naming_them(app: TestApp) {
    let token = app.user("asha@example.com").await;
    for (path, field) in [
        ("/api/v1/accounts?include_archived=null", "include_archived"),
        ("/api/v1/goals?archived=yes", "archived"),
        (
            "/api/v1/transactions?limit=10&account_id=99999999999999999999",
            "account_id",
        ),
    ] {
        let res = app.get_as(&token, path).await;
        assert_eq!(invalid_fields(res).await, [field], "{path}");
    }
    let category = app.category(&token, "Groceries").await;
    let res = app
        .delete_as(
            &token,
            &format!("/api/v1/categories/{category}?move_to=99999999999999999999"),
        )
        .await;
    assert_eq!(invalid_fields(res).await, ["move_to"]);
    // Nothing was deleted.
    let res = app
        .get_as(&token, &format!("/api/v1/categories/{category}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn bodies_are_checked_for_type_size_syntax_and_shape(app: TestApp) {
    let url = app.url("/api/v1/auth/token");
    let send = |content_type: &'static str, body: String| {
        app.client
            .post(&url)
            .header("content-type", content_type)
            .body(body)
    };

    let body = problem(
        send("application/json", r#"{"email": "a@b.c","#.into())
            .send()
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("not valid JSON"));

    let res = send("text/plain", r#"{"email": "a", "password": "b"}"#.into())
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let res = app.client.post(&url).body("{}").send().await.unwrap();
    problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;

    let huge = json!({"email": "a@b.c", "password": "x".repeat(70 * 1024)}).to_string();
    let res = send("application/json", huge).send().await.unwrap();
    problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;

    let res = send("application/json", r#"{"email": "a@b.c"}"#.into())
        .send()
        .await
        .unwrap();
    assert_eq!(invalid_fields(res).await, vec!["password"]);
    let res = send("application/json", "[1, 2]".into())
        .send()
        .await
        .unwrap();
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    // A JSON media type with parameters or a +json suffix is still JSON.
    let res = send(
        "application/json; charset=utf-8",
        r#"{"email": "a@b.c", "password": "wrong password"}"#.into(),
    )
    .send()
    .await
    .unwrap();
    problem(res, StatusCode::UNAUTHORIZED).await;
}

async fn every_response_carries_a_request_id(app: TestApp) {
    let mut ids = Vec::new();
    for res in [
        app.get("/healthz").await,
        app.get("/nope").await,
        app.get("/api/v1/me").await,
    ] {
        let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(id.len(), 36, "{id}");
        ids.push(id);
    }
    ids.dedup();
    assert_eq!(ids.len(), 3);
    let _: Value = app.get("/healthz").await.json().await.unwrap();
}
