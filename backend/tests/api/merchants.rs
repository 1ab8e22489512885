//! Merchants derived from descriptions: stored with every transaction, shown in the list, and
//! filled in at start for rows stored before they were.

use dhana::config::Database;
use dhana::db::Pool;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;
use crate::imports::import;

both_backends!(
    every_transaction_knows_its_merchant,
    rows_stored_before_keys_get_them_at_start,
);

/// A bank file without a merchant column; the last line names no one.
const NO_MERCHANT_COLUMN: &str = "Date,Description,Amount\n\
    2026-03-01,POS 4821 TESCO STORES 3297 LONDON,-45.10\n\
    2026-03-02,SQ *BLUE BOTTLE COFFEE #12,-4.50\n\
    2026-03-03,1234 5678,-1.00\n";

/// `(description, merchant_name, merchant_key)` of the user's transactions, oldest first.
async fn merchants(app: &TestApp, token: &str) -> Vec<(String, Value, Value)> {
    let list: Value = app
        .get_as(token, "/api/v1/transactions?sort=date&order=asc")
        .await
        .json()
        .await
        .unwrap();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["description"].as_str().unwrap().to_owned(),
                t["merchant_name"].clone(),
                t["merchant_key"].clone(),
            )
        })
        .collect()
}

async fn every_transaction_knows_its_merchant(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let main = app.account(&token, "Main", "USD").await;
    import(&app, &token, main, NO_MERCHANT_COLUMN).await;
    let created = app
        .transaction(
            &token,
            json!({"account_id": main, "date": "2026-03-04", "amount": -900, "description": "CARD 0042", "merchant": "Luigi's"}),
        )
        .await;
    assert_eq!(created["merchant_name"], "Luigi's");
    assert_eq!(created["merchant_key"], "luigi");
    assert_eq!(
        merchants(&app, &token).await,
        vec![
            (
                "POS 4821 TESCO STORES 3297 LONDON".into(),
                json!("Tesco Stores"),
                json!("tesco stores")
            ),
            (
                "SQ *BLUE BOTTLE COFFEE #12".into(),
                json!("Blue Bottle"),
                json!("blue bottle")
            ),
            ("1234 5678".into(), Value::Null, Value::Null),
            ("CARD 0042".into(), json!("Luigi's"), json!("luigi")),
        ]
    );
    // A new description is a new merchant; the bank's merchant, once removed, no longer names it.
    let id = created["id"].as_i64().unwrap();
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/transactions/{id}"),
            &json!({"description": "SHELL 0042 OXFORD", "merchant": null}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["merchant_name"], "Shell Oxford");
    assert_eq!(changed["merchant_key"], "shell oxford");

    let d: Value = app
        .get_as(&token, "/api/v1/dashboard?month=2026-03")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        d["top_merchants"],
        json!([
            {"name": "Tesco Stores", "amount": 4510, "count": 1},
            {"name": "Shell Oxford", "amount": 900, "count": 1},
            {"name": "Blue Bottle", "amount": 450, "count": 1},
        ]),
        "a row naming no one is no merchant"
    );
}

pub fn execute(database: &Database, sql: &str) {
    match database {
        Database::Postgres(url) => diesel::sql_query(sql)
            .execute(&mut PgConnection::establish(url).unwrap())
            .unwrap(),
        Database::Sqlite(path) => diesel::sql_query(sql)
            .execute(&mut SqliteConnection::establish(path.to_str().unwrap()).unwrap())
            .unwrap(),
    };
}

async fn rows_stored_before_keys_get_them_at_start(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let main = app.account(&token, "Main", "USD").await;
    import(&app, &token, main, NO_MERCHANT_COLUMN).await;
    let before = merchants(&app, &token).await;
    // As the migration adding the column leaves them.
    execute(
        &app.config.database,
        "UPDATE transactions SET merchant_key = NULL",
    );
    assert!(merchants(&app, &token)
        .await
        .iter()
        .all(|(_, _, key)| key.is_null()));
    // Starting the app again (it connects like this) derives them.
    Pool::connect(&app.config.database).unwrap();
    assert_eq!(merchants(&app, &token).await, before);
    assert_eq!(before[0].2, "tesco stores");
    assert_eq!(before[2].2, Value::Null);
}
