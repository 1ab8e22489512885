//! `monthly_sums` and `merchant_sums`, the pre-aggregates reports read, must equal the transactions after every kind
//! of write the API makes, including the ones done by cascades and by imports.

use dhana::config::Database;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};
use crate::imports::{import, upload};

both_backends!(
    every_write_keeps_the_pre_aggregates_equal_to_the_ledger,
    a_large_import_is_written_whole_and_in_step,
    an_import_adds_up_as_its_rows_written_one_by_one
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
    let run = |sql: &str| load::<Count>(app, sql)[0].n;
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
    let file = |from, to| statement("Date,Description,Amount", from..to, line);
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

/// A CSV statement: the header, then `line(i)` for each `i` of `rows`.
fn statement(header: &str, rows: std::ops::Range<i64>, line: impl Fn(i64) -> String) -> String {
    let mut csv = format!("{header}\n");
    rows.for_each(|i| csv.push_str(&line(i)));
    csv
}

#[derive(QueryableByName)]
struct Totals {
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// Runs a query on the app's database with a connection of its own.
fn load<T: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static>(
    app: &TestApp,
    sql: &str,
) -> Vec<T> {
    match &app.config.database {
        Database::Postgres(url) => diesel::sql_query(sql)
            .load(&mut PgConnection::establish(url).unwrap())
            .unwrap(),
        Database::Sqlite(path) => diesel::sql_query(sql)
            .load(&mut SqliteConnection::establish(path.to_str().unwrap()).unwrap())
            .unwrap(),
    }
}

/// Runs a statement on the app's database with a connection of its own; returns the rows it
/// changed.
fn execute(app: &TestApp, sql: &str) -> usize {
    match &app.config.database {
        Database::Postgres(url) => {
            diesel::sql_query(sql).execute(&mut PgConnection::establish(url).unwrap())
        }
        Database::Sqlite(path) => diesel::sql_query(sql)
            .execute(&mut SqliteConnection::establish(path.to_str().unwrap()).unwrap()),
    }
    .unwrap()
}

/// A row of `monthly_sums` or `merchant_sums` without its account, as text.
#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Sum {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Nullable<Text>)]
    merchant: Option<String>,
    #[diesel(sql_type = BigInt)]
    inflow: i64,
    #[diesel(sql_type = BigInt)]
    outflow: i64,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// An account's rows of both pre-aggregates, in one order.
fn sums_of(app: &TestApp, account: i64) -> Vec<Sum> {
    let mut sums: Vec<Sum> = load(
        app,
        &format!(
            "SELECT 'monthly ' || CAST(month AS TEXT) || ' ' || COALESCE(CAST(category_id AS TEXT), '-') \
                 AS key, CAST(NULL AS TEXT) AS merchant, inflow, outflow, count \
             FROM monthly_sums WHERE account_id = {account} \
             UNION ALL \
             SELECT 'merchant ' || CAST(month AS TEXT) || ' ' || merchant_key AS key, merchant, \
                 CAST(0 AS BIGINT) AS inflow, outflow, count \
             FROM merchant_sums WHERE account_id = {account}"
        ),
    );
    sums.sort();
    sums
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = BigInt)]
    version: i64,
}

fn ledger_version(app: &TestApp, user_id: i64) -> i64 {
    load::<Version>(
        app,
        &format!("SELECT version FROM ledger_versions WHERE user_id = {user_id}"),
    )[0]
    .version
}

#[derive(QueryableByName)]
struct Description {
    #[diesel(sql_type = Text)]
    description: String,
}

/// The descriptions of an account's rows the SQLite text index names for `word` (every trigram
/// of it, as `ledger::search` asks), in order.
fn named_by_the_text_index(app: &TestApp, account: i64, word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let query = chars
        .windows(3)
        .map(|w| format!("\"{}\"", w.iter().collect::<String>()))
        .collect::<Vec<_>>()
        .join(" AND ");
    let mut found: Vec<String> = load::<Description>(
        app,
        &format!(
            "SELECT description FROM transactions WHERE account_id = {account} AND id IN \
             (SELECT rowid FROM transactions_fts WHERE transactions_fts MATCH '{query}')"
        ),
    )
    .into_iter()
    .map(|d| d.description)
    .collect();
    found.sort();
    found
}

/// What the API's search lists of an account's rows for `word`, by description, in order.
async fn searched(app: &TestApp, token: &str, account: i64, word: &str) -> Vec<String> {
    let list: Value = app
        .get_as(
            token,
            &format!("/api/v1/transactions?q={word}&account_id={account}&limit=500"),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut found: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["description"].as_str().unwrap().to_owned())
        .collect();
    found.sort();
    found
}

/// On SQLite an import's rows skip the per-row insert triggers and the import keeps the text
/// index, the pre-aggregates and the ledger version in step once per batch (`imports::derived`);
/// on PostgreSQL the triggers run once per COPY. The reference is the per-row triggers: the same
/// rows copied by SQL into a second account as rows of no import, which SQLite's triggers add up
/// and index one by one. Two files of 2,100 and 400 rows: three batches of 1,800 rows or fewer
/// (every INSERT size), twelve months, merchants with and without a bank payee, bank categories,
/// rules, transfers, notes, income; the second file adds to sums the first made, a row made by
/// hand first adds to a month and merchant the first file then adds to again.
async fn an_import_adds_up_as_its_rows_written_one_by_one(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let me: Value = app.get_as(&token, "/api/v1/me").await.json().await.unwrap();
    let user_id = me["id"].as_i64().unwrap();
    let main = app.account(&token, "Main", "USD").await;
    let copy = app.account(&token, "Copy", "USD").await;
    let dining = app.category(&token, "Dining").await;
    let transfers = app.category(&token, "Transfers").await;
    app.apply_rule(&token, "pizza", &json!(dining)).await;
    app.apply_rule(&token, "savings", &json!(transfers)).await;
    app.transaction(
        &token,
        json!({"account_id": main, "date": "2025-03-05", "amount": -700,
               "description": "TESCO STORES by hand", "merchant": "Tesco"}),
    )
    .await;
    let line = |i: i64| {
        let (description, payee, category) = [
            ("TESCO STORES", "Tesco", "Groceries"),
            ("PIZZA PLACE", "", "Shopping"),
            ("SAVINGS TRANSFER", "", ""),
            ("SALARY ACME", "Acme Ltd", "Salary"),
            ("SHELL OIL", "shell", "Fuel"),
            ("CORNER SHOP", "", ""),
            ("NETFLIX.COM", "Netflix", "Subscriptions"),
        ][(i % 7) as usize];
        let amount = match i % 7 {
            3 => 250_000 + i,
            2 if i % 2 == 0 => 10_000 + i,
            _ => -(100 + i * 7 % 9_000),
        };
        let memo = if i % 11 == 0 { "paid in café" } else { "" };
        format!(
            "2025-{:02}-{:02},{description} {},{payee},{}.{:02},{category},{memo}\n",
            1 + i % 12,
            1 + i % 28,
            i % 40,
            amount / 100,
            (amount % 100).abs()
        )
    };
    let header = "Date,Description,Payee,Amount,Category,Memo";
    let file = |from, to| statement(header, from..to, line);
    let before = ledger_version(&app, user_id);
    let first = import(&app, &token, main, &file(0, 2100)).await;
    let after_first = ledger_version(&app, user_id);
    let second = import(&app, &token, main, &file(2100, 2500)).await;
    let after_second = ledger_version(&app, user_id);
    assert_eq!(first["counts"]["imported"], 2100, "{first}");
    assert_eq!(second["counts"]["imported"], 400, "{second}");
    // Each import changes the version its caches are keyed by, inside its own transaction.
    assert!(before < after_first && after_first < after_second);
    // A file of nothing new writes nothing, and the version stays.
    let again = upload(
        &app,
        &token,
        main,
        "again.csv",
        file(2400, 2500).into_bytes(),
        "?commit=true",
    )
    .await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["status"], "nothing_new", "{again}");
    assert_eq!(ledger_version(&app, user_id), after_second);
    assert_in_step(&app, "two imports");

    let columns = "user_id, account_id, date, amount, description, merchant, merchant_key, notes, \
                   category_id, category_source, is_transfer, import_id, fingerprint, \
                   created_at, updated_at";
    let copied = execute(
        &app,
        &format!(
            "INSERT INTO transactions ({columns}) \
             SELECT user_id, {copy}, date, amount, description, merchant, merchant_key, notes, \
               category_id, category_source, is_transfer, NULL, fingerprint, created_at, updated_at \
             FROM transactions WHERE account_id = {main} ORDER BY id"
        ),
    );
    assert_eq!(copied, 2501);
    let (imported, by_hand) = (sums_of(&app, main), sums_of(&app, copy));
    assert_eq!(imported, by_hand);
    // Twelve months of both tables, categories and merchants: the comparison compared something.
    assert!(imported.len() > 100, "{}", imported.len());
    assert!(imported
        .iter()
        .any(|s| s.key.starts_with("merchant") && s.merchant.is_none()));
    assert_in_step(&app, "the rows copied one by one");

    for word in ["tesco", "pizza", "netflix", "acme", "café", "oil 1"] {
        let found = searched(&app, &token, main, word).await;
        assert!(!found.is_empty(), "{word}");
        assert_eq!(found, searched(&app, &token, copy, word).await, "{word}");
        if matches!(app.config.database, Database::Sqlite(_)) {
            let named = named_by_the_text_index(&app, main, word);
            assert!(!named.is_empty(), "{word}");
            assert_eq!(named, named_by_the_text_index(&app, copy, word), "{word}");
        }
    }
    if let Database::Sqlite(path) = &app.config.database {
        diesel::sql_query(
            "INSERT INTO transactions_fts (transactions_fts, rank) VALUES ('integrity-check', 1)",
        )
        .execute(&mut SqliteConnection::establish(path.to_str().unwrap()).unwrap())
        .expect("the text index holds exactly the transactions' text");
    }
}
