//! The built web app at `/`. Serving files does not touch the database, so SQLite alone covers it.

use std::fs;
use std::path::PathBuf;

use reqwest::StatusCode;

use crate::headers::assert_security_headers;
use crate::helpers::{problem, TestApp};

const SHELL: &str = "<!doctype html><title>Dhana</title><div id=app></div>";

/// A build in `dist/` with a file beside it that must stay out of reach.
fn built_app() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let dist = dir.path().join("dist");
    fs::create_dir_all(dist.join("assets")).unwrap();
    fs::write(dist.join("index.html"), SHELL).unwrap();
    fs::write(dist.join("assets/app-3f2a.js"), "console.log(1)").unwrap();
    fs::write(dir.path().join("secret.txt"), "no").unwrap();
    (dir, dist)
}

#[actix_web::test]
async fn files_are_served_and_pages_fall_back_to_the_shell() {
    let (_dir, dist) = built_app();
    let app = TestApp::sqlite_serving(dist).await;

    let js = app.get("/assets/app-3f2a.js").await;
    assert_eq!(js.status(), StatusCode::OK);
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert!(js.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert_eq!(js.text().await.unwrap(), "console.log(1)");

    for page in ["/", "/transactions", "/budgets/2026-03", "/index.html"] {
        let res = app.get(page).await;
        assert_eq!(res.status(), StatusCode::OK, "{page}");
        assert_eq!(res.headers()["cache-control"], "no-cache", "{page}");
        assert_security_headers(res.headers(), page);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        assert_eq!(res.text().await.unwrap(), SHELL, "{page}");
    }
}

#[actix_web::test]
async fn the_api_and_missing_files_keep_their_answers() {
    let (_dir, dist) = built_app();
    let app = TestApp::sqlite_serving(dist).await;

    problem(app.get("/api/v1/nothing").await, StatusCode::NOT_FOUND).await;
    problem(app.get("/api").await, StatusCode::NOT_FOUND).await;
    problem(app.get("/assets/gone-1234.js").await, StatusCode::NOT_FOUND).await;
    let wrong_method = app
        .client
        .delete(app.url("/api/v1/accounts"))
        .send()
        .await
        .unwrap();
    problem(wrong_method, StatusCode::METHOD_NOT_ALLOWED).await;
    let post_to_page = app.client.post(app.url("/transactions")).send().await;
    problem(post_to_page.unwrap(), StatusCode::NOT_FOUND).await;

    // Nothing outside the build directory is reachable.
    for path in [
        "/../secret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt",
        "/.env",
    ] {
        let res = app.get(path).await;
        assert_ne!(res.text().await.unwrap(), "no", "{path}");
    }

    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    assert_eq!(app.get("/docs/").await.status(), StatusCode::OK);
    assert_eq!(app.get("/api/openapi.json").await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn without_a_build_the_home_page_stays() {
    let app = TestApp::sqlite().await;
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("href=\"/docs/\""));
    problem(app.get("/transactions").await, StatusCode::NOT_FOUND).await;
}
