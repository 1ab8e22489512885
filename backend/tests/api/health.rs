use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::StatusCode;

use crate::both_backends;
use crate::helpers::{fresh_postgres_database, postgres_admin_url, problem, TestApp};

both_backends!(probes_answer_ok);

async fn probes_answer_ok(app: TestApp) {
    for path in ["/healthz", "/readyz"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(
            res.json::<serde_json::Value>().await.unwrap()["status"],
            "ok"
        );
    }
}

/// Cut the app off from its PostgreSQL database: readiness fails, liveness does not.
#[actix_web::test]
async fn readyz_is_503_when_the_database_is_gone() {
    let Some(url) = fresh_postgres_database() else {
        return;
    };
    let database = url.rsplit('/').next().unwrap().to_owned();
    let app = TestApp::start_on(dhana::config::Database::Postgres(url)).await;
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);

    let mut admin = PgConnection::establish(&postgres_admin_url().unwrap()).unwrap();
    diesel::sql_query(format!(
        "ALTER DATABASE {database} WITH ALLOW_CONNECTIONS false"
    ))
    .execute(&mut admin)
    .unwrap();
    // pg_terminate_backend only signals: until a backend has exited, the pool's connection to
    // it still answers. Wait until PostgreSQL lists none (a fixed pause made this test flaky).
    let mut left = 1;
    for _ in 0..200 {
        left = diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        ))
        .execute(&mut admin)
        .unwrap();
        if left == 0 {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        left, 0,
        "the app's connections outlived 10 s of pg_terminate_backend"
    );

    let body = problem(app.get("/readyz").await, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(body["detail"].as_str().unwrap().contains("database"));
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}
