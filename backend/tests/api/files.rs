//! Stored bank files follow their records: undo, account deletion and user deletion remove them
//! from disk; the data dir and everything in it is private to the server user.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use dhana::config::Database;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};
use crate::imports::upload;

both_backends!(
    stored_files_go_with_undo_account_and_user_deletion,
    files_and_folders_are_private,
);

const CSV: &str = "Date,Description,Amount\n2026-03-01,Rent,-900.00\n";

/// Every regular file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                files_under(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}

fn stored(app: &TestApp) -> usize {
    files_under(&app.config.data_dir.join("files")).len()
}

async fn committed_import(app: &TestApp, token: &str, account: i64) -> Value {
    let res = upload(app, token, account, "march.csv", CSV.into(), "?commit=true").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn stored_files_go_with_undo_account_and_user_deletion(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let ravi = app.user("ravi@example.com").await;
    let ravis = app.account(&ravi, "Ravi's", "USD").await;
    committed_import(&app, &ravi, ravis).await;
    assert_eq!(stored(&app), 1);

    let everyday = app.account(&token, "Everyday", "USD").await;
    let import = committed_import(&app, &token, everyday).await;
    assert_eq!(stored(&app), 2);
    let res = app
        .delete_as(&token, &format!("/api/v1/imports/{}", import["id"]))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(stored(&app), 1, "undo removes the file");

    let savings = app.account(&token, "Savings", "USD").await;
    committed_import(&app, &token, savings).await;
    assert_eq!(stored(&app), 2);
    let res = app
        .delete_as(&token, &format!("/api/v1/accounts/{savings}"))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(stored(&app), 1, "deleting the account removes its files");

    committed_import(&app, &token, everyday).await;
    assert_eq!(stored(&app), 2);
    let res = app
        .with(&token, reqwest::Method::DELETE, "/api/v1/me")
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(stored(&app), 1, "deleting the user removes their files");
    // Ravi's file is untouched throughout.
    let list: Value = app
        .get_as(&ravi, "/api/v1/imports")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

async fn files_and_folders_are_private(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "USD").await;
    committed_import(&app, &token, account).await;
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let mut checked = 0;
    for file in files_under(&app.config.data_dir.join("files")) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
        let mut dir = file.parent().unwrap();
        while dir != app.config.data_dir {
            assert_eq!(mode(dir), 0o700, "{}", dir.display());
            dir = dir.parent().unwrap();
        }
        checked += 1;
    }
    assert_eq!(checked, 1);
    if let Database::Sqlite(db) = &app.config.database {
        assert_eq!(mode(db), 0o600, "{}", db.display());
    }
}
