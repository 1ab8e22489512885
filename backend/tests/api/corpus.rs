//! Every real bank file in `../shared/corpus` imported through the HTTP API with no mapping, and
//! checked against `manifest.json`; a file that reads as expected is then imported again and
//! must add nothing. Files listed in `tests/corpus-passing.txt` must keep passing;
//! the others are reported. `scripts/corpus-check` runs just this and shows the report.

use std::fs;
use std::path::{Path, PathBuf};

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("DHANA_CORPUS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    dir.join("manifest.json").exists().then_some(dir)
}

fn passing_list() -> Vec<String> {
    let list = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus-passing.txt");
    fs::read_to_string(list)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

enum Outcome {
    Pass,
    Fail(String),
    Skip(String),
}

/// Imports one file into a fresh account and compares the stored rows with the expectation.
async fn check(app: &TestApp, token: &str, dir: &Path, n: usize, entry: &Value) -> Outcome {
    let expect = &entry["expect"];
    if expect["ambiguous"] == true {
        return Outcome::Skip("ambiguous (a product decision, not scored)".into());
    }
    let path = entry["path"].as_str().unwrap();
    let bytes = fs::read(dir.join(path)).unwrap();
    let currency = expect["currency"].as_str().unwrap_or("USD");
    let account = app.account(token, &format!("corpus {n}"), currency).await;
    let (status, body) = commit(app, token, account, path, &bytes).await;
    let stored = transactions(app, token, account).await;
    if expect["error"] == true {
        return if status == StatusCode::UNPROCESSABLE_ENTITY && stored.is_empty() {
            Outcome::Pass
        } else {
            Outcome::Fail(format!(
                "expected a clear refusal, got {status} and {} rows",
                stored.len()
            ))
        };
    }
    if status != StatusCode::CREATED {
        let why = body["errors"][0]["message"]
            .as_str()
            .or(body["detail"].as_str());
        return Outcome::Fail(format!("{status}: {}", why.unwrap_or("?")));
    }
    let dates: Vec<&str> = stored.iter().map(|t| t["date"].as_str().unwrap()).collect();
    let got = json!({
        "count": stored.len(),
        "sum_minor": stored.iter().map(|t| t["amount"].as_i64().unwrap()).sum::<i64>(),
        "first_date": dates.iter().min(),
        "last_date": dates.iter().max(),
    });
    let wanted = json!({
        "count": expect["count"],
        "sum_minor": expect["sum_minor"],
        "first_date": expect["first_date"],
        "last_date": expect["last_date"],
    });
    if got != wanted {
        return Outcome::Fail(format!("got {got}, want {wanted}"));
    }
    // The same file again, as a scheduled import would send it: nothing new (a file of no rows
    // is committed empty each time).
    let (status, body) = commit(app, token, account, path, &bytes).await;
    let again = transactions(app, token, account).await.len();
    let answer = if stored.is_empty() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    if status != answer || again != stored.len() {
        return Outcome::Fail(format!(
            "imported again: {status}, {} rows more ({body})",
            again as i64 - stored.len() as i64
        ));
    }
    Outcome::Pass
}

/// Uploads the file and commits it in one call.
async fn commit(
    app: &TestApp,
    token: &str,
    account: i64,
    path: &str,
    bytes: &[u8],
) -> (StatusCode, Value) {
    let form = Form::new().text("account_id", account.to_string()).part(
        "file",
        Part::bytes(bytes.to_vec()).file_name(path.rsplit('/').next().unwrap().to_owned()),
    );
    let res = app
        .with(token, reqwest::Method::POST, "/api/v1/imports?commit=true")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn transactions(app: &TestApp, token: &str, account: i64) -> Vec<Value> {
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let page: Value = app
            .get_as(
                token,
                &format!("/api/v1/transactions?account_id={account}&limit=500{cursor}"),
            )
            .await
            .json()
            .await
            .unwrap();
        all.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return all,
        }
    }
}

#[actix_web::test]
async fn corpus_files_import_as_the_manifest_says() {
    let Some(dir) = corpus_dir() else {
        eprintln!("no corpus beside the repository (../shared/corpus): nothing to check");
        return;
    };
    let manifest: Vec<Value> =
        serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let must_pass = passing_list();
    let app = TestApp::sqlite().await;
    let token = app.user("corpus@example.com").await;
    let (mut passed, mut failed, mut regressions) = (0, 0, Vec::new());
    for (n, entry) in manifest.iter().enumerate() {
        let path = entry["path"].as_str().unwrap();
        match check(&app, &token, &dir, n, entry).await {
            Outcome::Pass => {
                passed += 1;
                println!("PASS  {path}");
            }
            Outcome::Skip(why) => println!("SKIP  {path}: {why}"),
            Outcome::Fail(why) => {
                failed += 1;
                println!("FAIL  {path}: {why}");
                if must_pass.iter().any(|p| p == path) {
                    regressions.push(path.to_owned());
                }
            }
        }
    }
    println!("corpus: {passed} passed, {failed} failed");
    assert!(
        regressions.is_empty(),
        "files in tests/corpus-passing.txt stopped passing: {regressions:?}"
    );
}
