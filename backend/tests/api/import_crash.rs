//! The real `dhana` binary killed (SIGKILL) in the middle of a commit, on both backends: nothing
//! of the import is in the ledger afterwards, the restarted server returns the import to
//! `previewed`, and it then commits in full.

use std::time::{Duration, Instant};

use dhana::config::Database;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::cli::Server;
use crate::helpers::{fresh_postgres_database, TestApp};
use crate::import_claims::{database, import_record, rows_of, statement};
use crate::imports::upload;

/// Enough rows that a debug build is still writing them when the test looks (PostgreSQL writes
/// in batches of 20,000, so the kill lands inside the second one).
const ROWS: usize = 45_000;

#[actix_web::test]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::Sqlite(dir.path().join("dhana.db"));
    killed_mid_commit(dir, db, &[]).await;
}

#[actix_web::test]
async fn postgres() {
    let Some(url) = fresh_postgres_database() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    killed_mid_commit(
        dir,
        Database::Postgres(url.clone()),
        &[("DATABASE_URL", &url)],
    )
    .await;
}

async fn killed_mid_commit(dir: tempfile::TempDir, db: Database, env: &[(&str, &str)]) {
    // The same instance id on both runs: the restarted server knows the claim is its own dead one.
    let mut env = env.to_vec();
    env.extend([("DHANA_INSTANCE_ID", "crash-test"), ("RUST_LOG", "info")]);
    let server = Server::start_with(dir.path(), &env);
    let app = TestApp::attached(server.base.clone(), db.clone(), dir.path());
    let token = app.user("crash@example.com").await;
    let account = app.account(&token, "Main", "EUR").await;
    let csv = statement(ROWS);
    let res = upload(&app, &token, account, "big.csv", csv.into_bytes(), "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    let committing = {
        let (client, url, token) = (
            app.client.clone(),
            app.url(&format!("/api/v1/imports/{id}/commit")),
            token.clone(),
        );
        actix_web::rt::spawn(async move {
            let _ = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({}))
                .send()
                .await;
        })
    };
    let started = Instant::now();
    loop {
        let Ok(res) = app
            .client
            .get(app.url(&format!("/api/v1/imports/{id}")))
            .bearer_auth(&token)
            .send()
            .await
        else {
            panic!("the server went away: {}", server.stop());
        };
        let record: Value = res.json().await.unwrap();
        let done = record["progress"]["done"].as_i64().unwrap();
        if record["status"] == "committing" && done > 0 && done < ROWS as i64 {
            break;
        }
        assert_ne!(
            record["status"], "committed",
            "the commit ended before the kill"
        );
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "no commit seen"
        );
        actix_web::rt::time::sleep(Duration::from_millis(5)).await;
    }
    let log = server.stop();
    committing.abort();
    assert!(!log.contains("panicked"), "{log}");

    let mut conn = database(&app);
    assert_eq!(rows_of(&mut conn, account), 0, "nothing partial is left");

    let server = Server::start_with(dir.path(), &env);
    let app = TestApp::attached(server.base.clone(), db, dir.path());
    let record = import_record(&app, &token, id).await;
    assert_eq!(record["status"], "previewed", "{record}");
    assert!(record["failure"]
        .as_str()
        .unwrap()
        .contains("can be committed again"));
    let res = app
        .post_as(&token, &format!("/api/v1/imports/{id}/commit"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let record: Value = res.json().await.unwrap();
    assert_eq!(record["counts"]["imported"], ROWS as i64);
    assert_eq!(record["counts"]["duplicates"], 0);
    assert_eq!(rows_of(&mut conn, account), ROWS as i64);
    server.stop();
}
