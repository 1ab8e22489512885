//! Commits racing for one import or one file, and claims left by commits that died: exactly one
//! commit writes, the others are told why (409, or the duplicate-aware 422), the record's counts
//! are right and nothing answers 500; a dead claim expires and is swept at start-up.

use chrono::{Duration, NaiveDateTime, Utc};
use dhana::db::schema::{imports, transactions};
use dhana::db::{DbConn, Pool};
use dhana::with_conn;
use diesel::prelude::*;
use futures_util::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{problem, TestApp};
use crate::imports::upload;

both_backends!(
    concurrent_commits_of_one_import_write_once,
    concurrent_commit_uploads_of_one_file_write_once,
    a_live_claim_refuses_and_an_expired_one_is_taken_over,
    a_new_instance_sweeps_dead_claims_back_to_previewed,
);

/// `n` distinct rows, two a day.
pub fn statement(n: usize) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let mut csv = String::from("Date,Description,Amount\n");
    for i in 0..n {
        let date = start + Duration::days((i / 2) as i64);
        csv.push_str(&format!("{date},SHOP {i},-{}.{:02}\n", 1 + i % 90, i % 100));
    }
    csv
}

pub fn database(app: &TestApp) -> DbConn {
    Pool::connect(&app.config.database).unwrap().get().unwrap()
}

pub fn rows_of(conn: &mut DbConn, account: i64) -> i64 {
    with_conn!(conn, c => transactions::table
        .filter(transactions::account_id.eq(account))
        .count()
        .get_result(c))
    .unwrap()
}

async fn preview(app: &TestApp, token: &str, account: i64, csv: &str) -> i64 {
    let res = upload(app, token, account, "s.csv", csv.as_bytes().to_vec(), "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

pub async fn import_record(app: &TestApp, token: &str, id: i64) -> Value {
    let res = app.get_as(token, &format!("/api/v1/imports/{id}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn commit(app: &TestApp, token: &str, id: i64) -> reqwest::Response {
    app.post_as(token, &format!("/api/v1/imports/{id}/commit"), &json!({}))
        .await
}

async fn concurrent_commits_of_one_import_write_once(app: TestApp) {
    let token = app.user("race@example.com").await;
    let account = app.account(&token, "Main", "EUR").await;
    let id = preview(&app, &token, account, &statement(3000)).await;

    let answers = join_all((0..4).map(|_| commit(&app, &token, id))).await;
    let mut statuses: Vec<StatusCode> = answers.iter().map(|r| r.status()).collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::CONFLICT,
            StatusCode::CONFLICT,
            StatusCode::CONFLICT
        ]
    );
    for res in answers {
        if res.status() == StatusCode::CONFLICT {
            let p = problem(res, StatusCode::CONFLICT).await;
            let detail = p["detail"].as_str().unwrap();
            assert!(
                detail.contains("being committed") || detail.contains("already committed"),
                "{detail}"
            );
        }
    }
    let record = import_record(&app, &token, id).await;
    assert_eq!(record["status"], "committed");
    assert_eq!(record["counts"]["imported"], 3000);
    assert_eq!(record["counts"]["duplicates"], 0);
    assert_eq!(rows_of(&mut database(&app), account), 3000);
}

async fn concurrent_commit_uploads_of_one_file_write_once(app: TestApp) {
    let token = app.user("twice@example.com").await;
    let account = app.account(&token, "Main", "EUR").await;
    let csv = statement(3000);
    let answers = join_all((0..2).map(|_| {
        upload(
            &app,
            &token,
            account,
            "s.csv",
            csv.as_bytes().to_vec(),
            "?commit=true",
        )
    }))
    .await;
    let mut created = 0;
    for res in answers {
        match res.status() {
            StatusCode::CREATED => {
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["counts"]["imported"], 3000);
                created += 1;
            }
            StatusCode::OK => {
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["status"], "nothing_new", "{body}");
                assert_eq!(body["counts"]["imported"], 0);
                assert_eq!(body["counts"]["duplicates"], 3000);
            }
            other => panic!("unexpected {other}: {}", res.text().await.unwrap()),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(rows_of(&mut database(&app), account), 3000);
    let list: Value = app
        .get_as(&token, "/api/v1/imports")
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == "committed").count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| *s == "committed" || *s == "nothing_new"),
        "the loser is at most a `nothing_new` entry: {statuses:?}"
    );
}

/// Marks an import as claimed by another process at `at`.
fn claim_elsewhere(conn: &mut DbConn, id: i64, by: &str, at: NaiveDateTime) {
    with_conn!(conn, c => diesel::update(imports::table.find(id))
        .set((
            imports::status.eq("committing"),
            imports::claimed_by.eq(by),
            imports::claimed_at.eq(at),
        ))
        .execute(c))
    .unwrap();
}

async fn a_live_claim_refuses_and_an_expired_one_is_taken_over(app: TestApp) {
    let token = app.user("claims@example.com").await;
    let account = app.account(&token, "Main", "EUR").await;
    let id = preview(&app, &token, account, &statement(20)).await;
    let mut conn = database(&app);
    let now = Utc::now().naive_utc();

    claim_elsewhere(&mut conn, id, "other-host#1/1", now);
    let p = problem(commit(&app, &token, id).await, StatusCode::CONFLICT).await;
    assert!(p["detail"].as_str().unwrap().contains("being committed"));
    let url = format!("/api/v1/imports/{id}");
    problem(app.delete_as(&token, &url).await, StatusCode::CONFLICT).await;
    assert_eq!(rows_of(&mut conn, account), 0);

    // Past the claim's lifetime the commit that held it is taken for dead.
    let ttl = dhana::config::DEFAULT_IMPORT_CLAIM_TTL_SECONDS as i64;
    claim_elsewhere(
        &mut conn,
        id,
        "other-host#1/1",
        now - Duration::seconds(ttl + 5),
    );
    let res = commit(&app, &token, id).await;
    assert_eq!(res.status(), StatusCode::OK);
    let record: Value = res.json().await.unwrap();
    assert_eq!(record["status"], "committed");
    assert_eq!(record["counts"]["imported"], 20);
    assert_eq!(rows_of(&mut conn, account), 20);
    let claimed: (Option<String>, Option<NaiveDateTime>) =
        with_conn!(&mut conn, c => imports::table
        .find(id)
        .select((imports::claimed_by, imports::claimed_at))
        .first(c))
        .unwrap();
    assert_eq!(claimed, (None, None), "a finished commit leaves no claim");

    // An expired claim can also be discarded.
    let other = preview(&app, &token, account, &statement(30)).await;
    claim_elsewhere(
        &mut conn,
        other,
        "other-host#1/2",
        now - Duration::seconds(ttl + 5),
    );
    let res = app
        .delete_as(&token, &format!("/api/v1/imports/{other}"))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

async fn a_new_instance_sweeps_dead_claims_back_to_previewed(app: TestApp) {
    let token = app.user("sweep@example.com").await;
    let account = app.account(&token, "Main", "EUR").await;
    let expired = preview(&app, &token, account, &statement(10)).await;
    let live = preview(&app, &token, account, &statement(12)).await;
    let own = preview(&app, &token, account, &statement(14)).await;
    let mut conn = database(&app);
    let now = Utc::now().naive_utc();
    let ttl = dhana::config::DEFAULT_IMPORT_CLAIM_TTL_SECONDS as i64;
    claim_elsewhere(
        &mut conn,
        expired,
        "gone#1/1",
        now - Duration::seconds(ttl + 5),
    );
    claim_elsewhere(&mut conn, live, "busy#1/1", now);
    // Left by an earlier run of the instance that starts now.
    claim_elsewhere(&mut conn, own, "restarted_1#abc/1", now);

    app.another_instance(|c| c.instance_id = "restarted_1".into());

    let status = |id: i64, conn: &mut DbConn| -> (String, Option<String>) {
        with_conn!(conn, c => imports::table
            .find(id)
            .select((imports::status, imports::failure))
            .first(c))
        .unwrap()
    };
    for id in [expired, own] {
        let (status, failure) = status(id, &mut conn);
        assert_eq!(status, "previewed");
        assert!(failure.unwrap().contains("can be committed again"));
        assert_eq!(commit(&app, &token, id).await.status(), StatusCode::OK);
    }
    assert_eq!(
        status(live, &mut conn).0,
        "committing",
        "a live claim is left alone"
    );
    // `restarted_1` as a LIKE pattern would also match `restartedX1`: it is escaped.
    let lookalike = preview(&app, &token, account, &statement(16)).await;
    claim_elsewhere(&mut conn, lookalike, "restartedX1#abc/1", now);
    app.another_instance(|c| c.instance_id = "restarted_1".into());
    assert_eq!(status(lookalike, &mut conn).0, "committing");
}
