//! Text search through the trigram indexes (issue 16, `ledger::search`): the very rows the
//! `LIKE` Dhana sent before finds, on both backends, in every sort and through the cursor — with
//! accents, case and LIKE's own characters in the query — and an index in step with every kind
//! of write. The reference is that `LIKE`, run here on the app's database directly, and a few
//! expectations written out by hand.

use std::collections::BTreeSet;

use dhana::config::Database;
use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};
use crate::imports::import;

both_backends!(
    search_finds_exactly_what_like_found,
    every_write_keeps_the_text_index_in_step,
);

enum Db {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

fn connect(app: &TestApp) -> Db {
    match &app.config.database {
        Database::Postgres(url) => Db::Postgres(PgConnection::establish(url).unwrap()),
        Database::Sqlite(path) => {
            Db::Sqlite(SqliteConnection::establish(path.to_str().unwrap()).unwrap())
        }
    }
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The list's order for a sort, as SQL: amounts are ordered within each currency, currencies
/// alphabetically; ties broken by id.
fn order_by(sort: &str, order: &str) -> String {
    let dir = if order == "desc" { "DESC" } else { "ASC" };
    match sort {
        "date" => format!("t.date {dir}, t.id {dir}"),
        _ => format!("a.currency ASC, t.amount {dir}, t.id {dir}"),
    }
}

/// Every sort and order the list offers.
const SORTS: [(&str, &str); 4] = [
    ("date", "desc"),
    ("date", "asc"),
    ("amount", "desc"),
    ("amount", "asc"),
];

/// The `LIKE` pattern of a query as Dhana made it before the text indexes.
fn like_pattern(q: &str) -> String {
    format!(
        "%{}%",
        q.trim()
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

/// The rows of `account`'s owner that the query matches, by the `LIKE` Dhana sent before the
/// text indexes, in the list's order for `sort`/`order`.
fn like_ids(db: &mut Db, account: i64, q: &str, sort: &str, order: &str) -> Vec<i64> {
    let pattern = like_pattern(q);
    let sql = format!(
        "SELECT t.id FROM transactions t JOIN accounts a ON a.id = t.account_id \
         WHERE t.user_id = (SELECT user_id FROM accounts WHERE id = $1) \
         AND (lower(t.description) LIKE $2 ESCAPE '\\' \
           OR (lower(t.merchant) LIKE $2 ESCAPE '\\' AND t.merchant IS NOT NULL) \
           OR (lower(t.notes) LIKE $2 ESCAPE '\\' AND t.notes IS NOT NULL)) \
         ORDER BY {}",
        order_by(sort, order)
    );
    let ids: Vec<Id> = match db {
        Db::Postgres(c) => diesel::sql_query(sql)
            .bind::<BigInt, _>(account)
            .bind::<Text, _>(&pattern)
            .load(c),
        Db::Sqlite(c) => diesel::sql_query(sql.replace('$', "?"))
            .bind::<BigInt, _>(account)
            .bind::<Text, _>(&pattern)
            .load(c),
    }
    .unwrap();
    ids.into_iter().map(|r| r.id).collect()
}

/// What the API lists for `q`, page by page of 3 through the cursor.
async fn api_ids(app: &TestApp, token: &str, q: &str, sort: &str, order: &str) -> Vec<i64> {
    api_pages(app, token, q, sort, order, 3, usize::MAX).await
}

/// The first `pages` pages of `limit` the API lists for `q`.
async fn api_pages(
    app: &TestApp,
    token: &str,
    q: &str,
    sort: &str,
    order: &str,
    limit: usize,
    pages: usize,
) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = reqwest::Url::parse(&app.url("/api/v1/transactions")).unwrap();
        url.query_pairs_mut()
            .append_pair("q", q)
            .append_pair("limit", &limit.to_string())
            .append_pair("sort", sort)
            .append_pair("order", order);
        if let Some(c) = &cursor {
            url.query_pairs_mut().append_pair("cursor", c);
        }
        let res = app.client.get(url).bearer_auth(token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "q={q:?}");
        let page: Value = res.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        seen.extend(items.iter().map(|t| t["id"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(c) if seen.len() < limit.saturating_mul(pages) => cursor = Some(c.to_owned()),
            _ => return seen,
        }
    }
}

/// On SQLite, FTS5's own check that its index holds exactly the rows of `transactions`.
fn index_is_whole(db: &mut Db) {
    if let Db::Sqlite(c) = db {
        diesel::sql_query(
            "INSERT INTO transactions_fts (transactions_fts, rank) VALUES ('integrity-check', 1)",
        )
        .execute(c)
        .expect("the FTS index matches the transactions");
    }
}

/// The API's answer for each query equals the `LIKE`'s, newest first.
async fn agrees(app: &TestApp, db: &mut Db, token: &str, account: i64, queries: &[&str]) {
    index_is_whole(db);
    for q in queries {
        assert_eq!(
            api_ids(app, token, q, "date", "desc").await,
            like_ids(db, account, q, "date", "desc"),
            "q={q:?}"
        );
    }
}

/// Descriptions (with merchant and notes) meant to trip a search: accents in both cases, LIKE's
/// `%`, `_` and `\`, quotes, a letter whose lowercase is longer (İ), non-Latin script, and
/// every trigram of a query in a row but not side by side (the index keeps no positions), a
/// titlecase letter (ǅ, lowercase ǆ) and the Kelvin sign (which Rust lowercases to an ASCII `k`).
const TEXTS: [(&str, Option<&str>, Option<&str>); 21] = [
    ("Café de Flore", None, None),
    ("CAFÉ DE FLORE", None, None),
    ("cafe sans accent", None, None),
    ("ÉCOLE MATERNELLE", None, None),
    ("école primaire", None, None),
    ("100% natural juice", None, None),
    ("1000 units", None, None),
    ("a_b test", None, None),
    ("axb test", None, None),
    ("back\\slash store", None, None),
    ("Straße 5", None, None),
    ("STRASSE 6", None, None),
    ("İstanbul kebab", None, None),
    ("O'Brien \"quoted\" pub", None, None),
    ("Grocery shop", Some("Green Grocer"), Some("weekly 50% off")),
    ("Payment", Some("Shopify"), None),
    ("Transfer", None, Some("for the café")),
    ("日本料理 Tokyo", None, None),
    ("Shore hop", None, None),
    ("ǅurić Dairy", None, None),
    ("5 \u{212A} THERMOSTAT", None, None),
];

const QUERIES: [&str; 41] = [
    "café",
    "CAFÉ",
    "Café",
    "caf",
    "cafe",
    "é",
    "école",
    "ÉCOLE",
    "cole",
    "100%",
    "0%",
    "%",
    "%%",
    "_",
    "a_b",
    "a%b",
    "\\",
    "back\\sl",
    "k\\s",
    "straße",
    "STRASSE",
    "ss",
    "istanbul",
    "i̇stanbul",
    "\"quoted\"",
    "o'brien",
    "\"",
    "shop",
    "grocer",
    "50% off",
    "for the",
    "日本料",
    "本料",
    "  Tokyo  ",
    "ǅurić",
    "ǆurić dairy",
    "\u{212A}",
    "5 \u{212A} t",
    "5 k thermostat",
    // One text's end and the next one's start: no match spans two texts.
    "shop green",
    "payment shopify",
];

async fn search_finds_exactly_what_like_found(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let eur = app.account(&token, "Euro", "EUR").await;
    let usd = app.account(&token, "Dollar", "USD").await;
    // Someone else with the same texts: never part of Asha's results.
    let ravi = app.user("ravi@example.com").await;
    let theirs = app.account(&ravi, "Theirs", "EUR").await;
    let mut by_text = std::collections::HashMap::new();
    for (i, (description, merchant, notes)) in TEXTS.iter().enumerate() {
        // Three dates and three amounts: pages of 3 fall inside ties of every sort.
        let date = ["2024-03-01", "2024-03-02", "2025-07-01"][i % 3];
        let amount = [-500, 1200, -500, -9900][i % 4];
        let body = |account: i64| {
            json!({
                "account_id": account,
                "date": date,
                "amount": amount,
                "description": description,
                "merchant": merchant,
                "notes": notes,
            })
        };
        let created = app
            .transaction(&token, body(if i % 2 == 0 { eur } else { usd }))
            .await;
        by_text.insert(*description, created["id"].as_i64().unwrap());
        app.transaction(&ravi, body(theirs)).await;
    }
    // Also through an import, the other way rows arrive.
    let imported = import(
        &app,
        &token,
        eur,
        "Date,Description,Amount\n2024-03-02,\"Imported CAFÉ 100%_x\",-3.00\n2024-03-02,imported café,-3.00\n",
    )
    .await;
    assert_eq!(imported["counts"]["imported"], 2, "{imported}");

    let mut db = connect(&app);
    index_is_whole(&mut db);
    for q in QUERIES {
        for (sort, order) in SORTS {
            assert_eq!(
                api_ids(&app, &token, q, sort, order).await,
                like_ids(&mut db, eur, q, sort, order),
                "q={q:?} sort={sort} {order}"
            );
        }
    }

    // Written out by hand (among the rows of TEXTS): what the reference itself must say. Whether
    // `lower()` lowers É is the database's: never on SQLite, on PostgreSQL by its locale (not
    // in a C-locale cluster such as the test server's).
    let lowers_accents = {
        let sql = "SELECT CASE WHEN lower('É') = 'é' THEN CAST(1 AS BIGINT) ELSE CAST(0 AS BIGINT) END AS id";
        let answer: Vec<Id> = match &mut db {
            Db::Postgres(c) => diesel::sql_query(sql).load(c),
            Db::Sqlite(c) => diesel::sql_query(sql).load(c),
        }
        .unwrap();
        answer[0].id == 1
    };
    let expect = |q: &str, texts: &[&str]| {
        (
            q.to_owned(),
            texts.iter().map(|t| by_text[t]).collect::<BTreeSet<i64>>(),
        )
    };
    let cafe_ascii = ["Café de Flore", "Transfer"];
    let cafe_unicode = ["Café de Flore", "CAFÉ DE FLORE", "Transfer"];
    let ecole_unicode = ["ÉCOLE MATERNELLE", "école primaire"];
    for (q, want) in [
        expect(
            "café",
            if lowers_accents {
                &cafe_unicode
            } else {
                &cafe_ascii
            },
        ),
        expect(
            "école",
            if lowers_accents {
                &ecole_unicode
            } else {
                &["école primaire"]
            },
        ),
        expect("cafe", &["cafe sans accent"]),
        expect("100%", &["100% natural juice"]),
        expect("%", &["100% natural juice", "Grocery shop"]),
        expect("a_b", &["a_b test"]),
        expect("_", &["a_b test"]),
        expect("\\", &["back\\slash store"]),
        expect("straße", &["Straße 5"]),
        expect("\"quoted\"", &["O'Brien \"quoted\" pub"]),
        expect("shop", &["Grocery shop", "Payment"]),
        expect("本料", &["日本料理 Tokyo"]),
    ] {
        let found: BTreeSet<i64> = api_ids(&app, &token, &q, "date", "desc")
            .await
            .into_iter()
            .filter(|id| by_text.values().any(|v| v == id))
            .collect();
        assert_eq!(found, want, "q={q:?}");
    }

    // A query the index names more than 2,000 rows for is paged by the sort's index and the LIKE
    // alone on SQLite (`ledger::search`): the same rows again. Written straight into the
    // database (the triggers index them), one every other day, a few in each currency.
    written_then_paged(
        &app,
        &mut db,
        &token,
        eur,
        2100,
        &format!(
            "(SELECT user_id FROM accounts WHERE id = {eur}), \
             CASE WHEN i % 2 = 0 THEN {eur} ELSE {usd} END, DAY(2020-01-01, i % 300), \
             -(i % 7) * 100, 'Common filler ' || i, CASE WHEN i % 5 = 0 THEN 'SHOP' END, NULL, \
             'filler' || i"
        ),
        &["filler", "Common filler 1", "filler 20", "shop", "café"],
    )
    .await;

    // Common words whose matches sit far down the newest-first and largest-first orders: 6,000
    // rows of larger amounts and later days come first, which the walk of the sort's index
    // reads in stretches of 2,000 and 4,000 before it turns to the rows the index names
    // (`tail end`: 4,500 of them), or finds a few matches in each stretch and goes on (`sparse`:
    // 40 among the first 6,000). Amounts and days repeat, so stretches end inside ties. The far
    // rows also match by their merchant (half of them) or their notes alone, more than 2,000
    // each, so the oldest-first and smallest-first orders walk to them: SQLite's walk by amount
    // checks the LIKE on the amount index's own copy of the three columns (migration
    // `amount_index_with_text`). PostgreSQL leaves the words in more than a tenth of the rows to
    // its planner in amount order (`WALK_ALL`), where the index it walks carries the texts.
    written_then_paged(
        &app,
        &mut db,
        &token,
        eur,
        10500,
        &format!(
            "(SELECT user_id FROM accounts WHERE id = {eur}), {eur}, \
             CASE WHEN i < 6000 THEN DAY(2022-01-01, i % 300) ELSE DAY(2010-01-01, i % 200) END, \
             CASE WHEN i < 6000 THEN 50000 + i % 3 ELSE -20000 - (i % 4) * 100 END, \
             CASE WHEN i < 6000 THEN 'Head filler ' || i || \
               CASE WHEN i % 150 = 0 THEN ' sparse' ELSE '' END \
             ELSE 'Tail end sparse ' || i END, \
             CASE WHEN i >= 6000 AND i % 2 = 0 THEN 'Far Merchant' END, \
             CASE WHEN i >= 6000 THEN 'Noted far ' || i END, 'far' || i"
        ),
        &[
            "tail end",
            "sparse",
            "head filler 1",
            "filler",
            "far merchant",
            "noted far",
        ],
    )
    .await;

    // A word PostgreSQL's planner expects in more than 32,000 rows: its page is one query left
    // to the planner (`ledger::search`, `LEFT_TO_THE_PLANNER`); SQLite walks it in stretches.
    // One row in 50 has notes too long for PostgreSQL's amount index to carry (2,200 bytes of
    // UTF-8): read from the index's other half (`ledger::amount_order`), in the same order.
    // `tenth row` is in 3,300 of the table's 45,644 rows, under a tenth: PostgreSQL too walks the
    // amount order in stretches for it, through both halves, past the 6,000 larger amounts above.
    let long = "é".repeat(1100);
    written_then_paged(
        &app,
        &mut db,
        &token,
        eur,
        33000,
        &format!(
            "(SELECT user_id FROM accounts WHERE id = {eur}), {eur}, DAY(2012-01-01, i % 400), \
             -(i % 5) * 100, 'Bulk row ' || i, NULL, \
             CASE WHEN i % 50 = 0 THEN 'Long note {long}' WHEN i % 10 = 5 THEN 'Tenth row' END, \
             'bulk' || i"
        ),
        &["bulk row", "bulk row 3", "long note", "tenth row"],
    )
    .await;
    if let Db::Postgres(c) = &mut db {
        the_planner_knows_how_common_a_word_is(c);
        the_trigram_index_answers_like_the_scan(c);
        the_amount_index_checks_the_text_on_its_entries(c);
    }
}

/// PostgreSQL plans a page by its estimate of the `LIKE`'s rows (`ledger::search`), which comes
/// from the statistics ANALYZE keeps for the trigram index's expressions, `lower()` of each text
/// (migration `text_search`). Without them it expects any word in a handful of rows (5 to 14
/// here); an index that no longer held those expressions would take them away unseen.
fn the_planner_knows_how_common_a_word_is(c: &mut PgConnection) {
    let plan = plan_of(c, &format!("SELECT 1 {}", rows_like("bulk row")));
    let estimate =
        dhana::ledger::search::estimated_rows(&plan[0]).unwrap_or_else(|| panic!("{plan:?}"));
    assert!(
        (16_500..=66_000).contains(&estimate),
        "33,000 rows hold the words, the planner expects {estimate}"
    );
}

/// PostgreSQL walks the short half of the amount index without reading the table: the
/// condition `ledger::amount_order` names a half by is the one the migration wrote (or the
/// planner could not use the partial index), and the texts are in its entries.
fn the_amount_index_checks_the_text_on_its_entries(c: &mut PgConnection) {
    // VACUUM marks the table's pages all-visible, which an index-only scan needs to pay.
    c.batch_execute("VACUUM transactions").unwrap();
    c.batch_execute("SET enable_seqscan = off; SET enable_bitmapscan = off")
        .unwrap();
    let plan = plan_of(
        c,
        &format!(
            "SELECT amount, id FROM transactions WHERE user_id = 1 AND {} \
             AND lower(description) LIKE '%bulk%' ORDER BY amount DESC, id DESC LIMIT 51",
            dhana::ledger::amount_order::SHORT_TEXTS
        ),
    );
    assert!(
        plan.iter()
            .any(|l| l.contains("Index Only Scan Backward using transactions_user_amount_idx")),
        "{plan:?}"
    );
}

/// PostgreSQL chooses between its trigram index and a scan by cost; on rows this few it scans.
/// Forced onto each path in turn (the index is only read through bitmaps), the `LIKE` gives the
/// same rows for every query, over every user's rows.
fn the_trigram_index_answers_like_the_scan(c: &mut PgConnection) {
    let force = |c: &mut PgConnection, index: bool| {
        let (seq, bitmap) = if index { ("off", "on") } else { ("on", "off") };
        c.batch_execute(&format!(
            "SET enable_seqscan = {seq}; SET enable_bitmapscan = {bitmap}"
        ))
        .unwrap();
    };
    for q in QUERIES {
        let sql = format!("SELECT id {} ORDER BY id", rows_like(q));
        let ids = |c: &mut PgConnection| -> Vec<i64> {
            diesel::sql_query(&sql)
                .load::<Id>(c)
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect()
        };
        force(c, true);
        let by_index = ids(c);
        force(c, false);
        assert_eq!(by_index, ids(c), "q={q:?}");
    }
    force(c, true);
    let plan = plan_of(c, &format!("SELECT id {}", rows_like("grocer")));
    assert!(
        plan.iter().any(|l| l.contains("transactions_text_idx")),
        "the trigram index serves the LIKE: {plan:?}"
    );
}

/// `FROM transactions` of every user, where PostgreSQL's `LIKE` on each text, through `lower()`,
/// finds `q` (as `ledger::search` sends it there).
fn rows_like(q: &str) -> String {
    let p = like_pattern(q).replace('\'', "''");
    format!(
        "FROM transactions WHERE lower(description) LIKE '{p}' ESCAPE '\\' \
         OR lower(merchant) LIKE '{p}' ESCAPE '\\' OR lower(notes) LIKE '{p}' ESCAPE '\\'"
    )
}

/// The lines of PostgreSQL's plan for `sql`.
fn plan_of(c: &mut PgConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(format!("EXPLAIN {sql}"))
        .load::<PlanLine>(c)
        .unwrap()
        .into_iter()
        .map(|l| l.plan)
        .collect()
}

/// Writes `n` rows for `i` from 0 straight into the database (the triggers index them), then
/// checks that the first two pages of 50 the API lists for each query, in every sort, are the
/// `LIKE`'s. `values` gives user, account, date (`DAY(start, days)`), amount, description,
/// merchant, notes and fingerprint as SQL over `i`.
#[allow(clippy::too_many_arguments)]
async fn written_then_paged(
    app: &TestApp,
    db: &mut Db,
    token: &str,
    account: i64,
    n: i64,
    values: &str,
    queries: &[&str],
) {
    let columns = "INSERT INTO transactions (user_id, account_id, date, amount, description, \
                   merchant, notes, fingerprint, created_at, updated_at)";
    match db {
        Db::Postgres(c) => diesel::sql_query(format!(
            "{columns} SELECT {}, TIMESTAMP '2026-01-01 00:00:00', TIMESTAMP '2026-01-01 00:00:00' \
             FROM generate_series(0, {}) i",
            with_days(values, |start, days| format!("DATE '{start}' + {days}")),
            n - 1
        ))
        .execute(c)
        .and_then(|_| {
            // The planner's estimate of a query's rows stands in for SQLite's count on
            // PostgreSQL (`ledger::search`): statistics of these rows make it walk as SQLite does.
            diesel::sql_query("ANALYZE transactions").execute(c)
        }),
        Db::Sqlite(c) => diesel::sql_query(format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {}) \
             {columns} SELECT {}, '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM n",
            n - 1,
            with_days(values, |start, days| format!(
                "date('{start}', '+' || ({days}) || ' days')"
            ))
        ))
        .execute(c),
    }
    .unwrap();
    index_is_whole(db);
    for q in queries {
        for (sort, order) in SORTS {
            let mut want = like_ids(db, account, q, sort, order);
            want.truncate(100);
            assert_eq!(
                api_pages(app, token, q, sort, order, 50, 2).await,
                want,
                "q={q:?} sort={sort} {order}"
            );
        }
    }
}

/// `values` with each `DAY(start, days)` written in the backend's SQL by `write`.
fn with_days(values: &str, write: impl Fn(&str, &str) -> String) -> String {
    let mut out = String::new();
    let mut rest = values;
    while let Some(at) = rest.find("DAY(") {
        out.push_str(&rest[..at]);
        let inner = &rest[at + 4..];
        let close = inner.find(')').expect("DAY(start, days) is closed");
        let (start, days) = inner[..close].split_once(", ").expect("DAY(start, days)");
        out.push_str(&write(start, days));
        rest = &inner[close + 1..];
    }
    out.push_str(rest);
    out
}

#[derive(QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    plan: String,
}

/// Records a payment of 1.00 on a fixed day and returns its id.
async fn spend(app: &TestApp, token: &str, account: i64, what: &str) -> i64 {
    let day = chrono::NaiveDate::from_ymd_opt(2024, 5, 1).unwrap();
    app.pay(token, account, day, -100, what).await
}

async fn every_write_keeps_the_text_index_in_step(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Checking", "EUR").await;
    let mut db = connect(&app);
    let words = [
        "bakery", "butcher", "grocer", "delta", "cinema", "movies", "arcade",
    ];

    // Created, then each searched column edited.
    let id = spend(&app, &token, account, "Alpha Bakery").await;
    agrees(&app, &mut db, &token, account, &words).await;
    assert_eq!(api_ids(&app, &token, "bakery", "date", "desc").await, [id]);
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/transactions/{id}"),
            &json!({"description": "Beta Butcher", "merchant": "Gamma Grocer", "notes": "delta"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    agrees(&app, &mut db, &token, account, &words).await;
    assert!(api_ids(&app, &token, "bakery", "date", "desc")
        .await
        .is_empty());
    for word in ["butcher", "grocer", "delta"] {
        assert_eq!(api_ids(&app, &token, word, "date", "desc").await, [id]);
    }
    // Deleted.
    let res = app
        .delete_as(&token, &format!("/api/v1/transactions/{id}"))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    agrees(&app, &mut db, &token, account, &words).await;
    assert!(api_ids(&app, &token, "butcher", "date", "desc")
        .await
        .is_empty());

    // Imported, then the import undone.
    let imported = import(
        &app,
        &token,
        account,
        "Date,Description,Amount\n2024-05-02,Epsilon Cinema,-12.00\n2024-05-03,Zeta Movies,-9.00\n",
    )
    .await;
    agrees(&app, &mut db, &token, account, &words).await;
    assert_eq!(
        api_ids(&app, &token, "cinema", "date", "desc").await.len(),
        1
    );
    let res = app
        .delete_as(&token, &format!("/api/v1/imports/{}", imported["id"]))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    agrees(&app, &mut db, &token, account, &words).await;
    assert!(api_ids(&app, &token, "cinema", "date", "desc")
        .await
        .is_empty());

    // Imported again, filed by a rule, categorized and deleted in bulk.
    import(
        &app,
        &token,
        account,
        "Date,Description,Amount\n2024-05-02,Epsilon Cinema,-12.00\n2024-05-03,Eta Arcade,-9.00\n",
    )
    .await;
    let dining = app.category(&token, "Dining").await;
    assert_eq!(app.apply_rule(&token, "cinema", &json!(dining)).await, 1);
    agrees(&app, &mut db, &token, account, &words).await;
    let both: Vec<i64> = api_ids(&app, &token, "a", "date", "desc").await;
    assert_eq!(both.len(), 2);
    let res = app
        .post_as(
            &token,
            "/api/v1/transactions/bulk/categorize",
            &json!({"ids": both, "category_id": null}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    agrees(&app, &mut db, &token, account, &words).await;
    let res = app
        .post_as(
            &token,
            "/api/v1/transactions/bulk/delete",
            &json!({"ids": [both[0]]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    agrees(&app, &mut db, &token, account, &words).await;
    assert_eq!(api_ids(&app, &token, "a", "date", "desc").await.len(), 1);

    // The account deleted with its transactions.
    let arcade = spend(&app, &token, account, "Theta Arcade").await;
    assert_eq!(
        api_ids(&app, &token, "theta arcade", "date", "desc").await,
        [arcade]
    );
    let res = app
        .with(
            &token,
            Method::DELETE,
            &format!("/api/v1/accounts/{account}"),
        )
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    index_is_whole(&mut db);
    assert!(api_ids(&app, &token, "arcade", "date", "desc")
        .await
        .is_empty());

    // The user deleted with everything; on SQLite the next one gets the same user id back.
    let account = app.account(&token, "Again", "EUR").await;
    spend(&app, &token, account, "Iota Arcade").await;
    let res = app
        .with(&token, Method::DELETE, "/api/v1/me")
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    index_is_whole(&mut db);
    let dina = app.user("dina@example.com").await;
    let account = app.account(&dina, "Checking", "EUR").await;
    spend(&app, &dina, account, "Kappa Cafe").await;
    agrees(&app, &mut db, &dina, account, &words).await;
    assert!(api_ids(&app, &dina, "arcade", "date", "desc")
        .await
        .is_empty());
}
