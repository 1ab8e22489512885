//! `monthly_sums` and `merchant_sums`, the pre-aggregates reports read, must equal the transactions after every kind
//! of write the API makes, including the ones done by cascades and by imports.

use dhana::config::Database;
use diesel::sql_types::BigInt;
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};
use crate::imports::import;

both_backends!(
    every_write_keeps_the_pre_aggregates_equal_to_the_ledger,
    a_large_import_is_written_whole_and_in_step
);

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Per pre-aggregate: `(table, stored rows, rows where the stored sums and the sums recomputed
/// from the transactions disagree)`.
fn drift(app: &TestApp) -> Vec<(&'static str, i64, i64)> {
    let month = match app.config.database {
        Database::Postgres(_) => "date_trunc('month', date)::date",
        Database::Sqlite(_) => "strftime('%Y-%m-01', date)",
    };
    let tables = [
        (
            "monthly_sums",
            "SELECT account_id, month, category_id, inflow, outflow, count FROM monthly_sums"
                .to_owned(),
            format!(
                "SELECT account_id, {month} AS month, category_id, \
                   CAST(SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS BIGINT), \
                   CAST(SUM(CASE WHEN amount < 0 THEN amount ELSE 0 END) AS BIGINT), COUNT(*) \
                 FROM transactions WHERE NOT is_transfer GROUP BY account_id, {month}, category_id"
            ),
        ),
        (
            "merchant_sums",
            "SELECT account_id, month, merchant_key, merchant, outflow, count FROM merchant_sums"
                .to_owned(),
            format!(
                "SELECT account_id, {month} AS month, merchant_key, merchant, \
                   CAST(SUM(amount) AS BIGINT), COUNT(*) \
                 FROM transactions WHERE NOT is_transfer AND amount < 0 AND merchant_key <> '' \
                 GROUP BY account_id, {month}, merchant_key, merchant"
            ),
        ),
    ];
    let run = |sql: &str| -> i64 {
        let rows: Vec<Count> = match &app.config.database {
            Database::Postgres(url) => diesel::sql_query(sql)
                .load(&mut PgConnection::establish(url).unwrap())
                .unwrap(),
            Database::Sqlite(path) => diesel::sql_query(sql)
                .load(&mut SqliteConnection::establish(path.to_str().unwrap()).unwrap())
                .unwrap(),
        };
        rows[0].n
    };
    tables
        .iter()
        .map(|(table, stored, recomputed)| {
            (
                *table,
                run(&format!("SELECT COUNT(*) AS n FROM {table}")),
                run(&format!(
                    "SELECT (SELECT COUNT(*) FROM ({stored} EXCEPT {recomputed}) a) \
                          + (SELECT COUNT(*) FROM ({recomputed} EXCEPT {stored}) b) AS n"
                )),
            )
        })
        .collect()
}

fn assert_in_step(app: &TestApp, after: &str) {
    for (table, stored, wrong) in drift(app) {
        assert_eq!(
            wrong, 0,
            "after {after}: {wrong} rows of {table} differ from the ledger"
        );
        assert!(
            stored > 0,
            "after {after}: nothing is stored in {table}, so nothing was compared"
        );
    }
}

async fn every_write_keeps_the_pre_aggregates_equal_to_the_ledger(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let main = app.account(&token, "Main", "USD").await;
    let spare = app.account(&token, "Spare", "USD").await;
    let theirs = app.account(&other, "Theirs", "USD").await;
    let groceries = app.category(&token, "Groceries").await;
    let dining = app.category(&token, "Dining").await;
    let mut ids = Vec::new();
    for (account, date, amount, category) in [
        (main, "2025-01-31", -1200, Some(groceries)),
        (main, "2025-01-31", -800, Some(groceries)),
        (main, "2025-02-01", 2500, Some(groceries)),
        (main, "2025-02-10", -300, None),
        (spare, "2025-02-28", 90000, None),
        (main, "2024-12-31", -4500, Some(dining)),
    ] {
        let t = app
            .transaction(
                &token,
                json!({"account_id": account, "date": date, "amount": amount,
                       "description": "shop", "category_id": category}),
            )
            .await;
        ids.push(t["id"].as_i64().unwrap());
    }
    app.transaction(
        &other,
        json!({"account_id": theirs, "date": "2025-01-15", "amount": -999, "description": "Corner shop"}),
    )
    .await;
    assert_in_step(&app, "creating");

    for (id, change) in [
        (ids[0], json!({"amount": -1300})),
        (ids[0], json!({"date": "2025-03-01"})),
        (ids[1], json!({"category_id": dining})),
        (ids[1], json!({"category_id": null})),
        (ids[2], json!({"account_id": spare})),
        (ids[3], json!({"is_transfer": true})),
        (ids[3], json!({"amount": -350})),
        (ids[3], json!({"is_transfer": false})),
        (ids[0], json!({"description": "SHELL 0042 OXFORD"})),
        (ids[0], json!({"merchant": "Shell"})),
        (ids[0], json!({"merchant": null})),
        (ids[4], json!({"notes": "untouched sums"})),
    ] {
        let res = app
            .patch_as(&token, &format!("/api/v1/transactions/{id}"), &change)
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{change}");
        assert_in_step(&app, &format!("changing {change}"));
    }

    let res = app
        .post_as(
            &token,
            "/api/v1/transactions/bulk/categorize",
            &json!({"ids": [ids[1], ids[3]], "category_id": groceries}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_in_step(&app, "bulk categorizing");
    let res = app
        .post_as(
            &token,
            "/api/v1/transactions/bulk/delete",
            &json!({"ids": [ids[5]]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_in_step(&app, "bulk deleting");
    let res = app
        .delete_as(&token, &format!("/api/v1/transactions/{}", ids[4]))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_in_step(&app, "deleting");

    let imported = import(
        &app,
        &token,
        main,
        "Date,Description,Amount\n\
         2025-01-31,TESCO STORES 3297,-45.10\n\
         2025-02-01,TESCO STORES 3297,-12.00\n\
         2025-02-02,SALARY ACME LTD,2500.00\n\
         2025-02-02,SALARY ACME LTD,2500.00\n",
    )
    .await;
    assert_in_step(&app, "importing");
    app.apply_rule(&token, "tesco", &json!(dining)).await;
    assert_in_step(&app, "applying rules");
    let res = app
        .delete_as(&token, &format!("/api/v1/imports/{}", imported["id"]))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_in_step(&app, "undoing the import");

    let res = app
        .delete_as(
            &token,
            &format!("/api/v1/categories/{dining}?move_to={groceries}"),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_in_step(&app, "deleting a category into another");
    let res = app
        .delete_as(&token, &format!("/api/v1/categories/{groceries}"))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_in_step(&app, "deleting a category");
    let res = app
        .delete_as(&token, &format!("/api/v1/accounts/{spare}"))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_in_step(&app, "deleting an account");

    let d: Value = app
        .get_as(&token, "/api/v1/dashboard?from=2025-01-31&to=2025-02-27")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(d["summary"]["spending"], 1150, "{d}");
    assert_eq!(d["previous_period"]["from"], "2025-01-03");
    assert_eq!(d["previous"]["spending"], 0);

    let res = app
        .with(&token, reqwest::Method::DELETE, "/api/v1/me")
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_in_step(&app, "deleting a user (the other user's sums stay)");
}

/// An import is written in multi-row statements of fixed sizes (1,800, 100, 10, 1 rows): 2,034
/// rows take every size; a second file repeating its last 234 rows adds only its 66 new ones.
async fn a_large_import_is_written_whole_and_in_step(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let main = app.account(&token, "Main", "USD").await;
    let line = |i: i64| {
        let amount = if i % 5 == 0 { 1000 + i } else { -(100 + i) };
        format!(
            "2025-{:02}-{:02},Shop {} no {i},{}.{:02}\n",
            1 + i % 12,
            1 + i % 28,
            ["Alpha", "Beta", "Gamma"][(i % 3) as usize],
            amount / 100,
            (amount % 100).abs()
        )
    };
    let file = |from: i64, to: i64| {
        let mut csv = String::from("Date,Description,Amount\n");
        (from..to).for_each(|i| csv.push_str(&line(i)));
        csv
    };
    let first = import(&app, &token, main, &file(0, 2034)).await;
    assert_eq!(first["counts"]["imported"], 2034, "{first}");
    let second = import(&app, &token, main, &file(1800, 2100)).await;
    assert_eq!(second["counts"]["imported"], 66, "{second}");
    assert_eq!(second["counts"]["duplicates"], 234, "{second}");
    // Every row once, by its own amount: the sum over i of (1000 + i) or -(100 + i).
    let expected: i64 = (0..2100)
        .map(|i| if i % 5 == 0 { 1000 + i } else { -(100 + i) })
        .sum();
    let query = diesel::sql_query(
        "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(amount), 0) AS BIGINT) AS total FROM transactions",
    );
    let totals: Totals = match &app.config.database {
        Database::Postgres(url) => query.get_result(&mut PgConnection::establish(url).unwrap()),
        Database::Sqlite(path) => {
            query.get_result(&mut SqliteConnection::establish(path.to_str().unwrap()).unwrap())
        }
    }
    .unwrap();
    let (count, sum) = (totals.n, totals.total);
    assert_eq!((count, sum), (2100, expected));
    assert_in_step(&app, "a large import and an overlapping one");
}

#[derive(QueryableByName)]
struct Totals {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    total: i64,
}
