//! The dashboard's top merchants (read from the `merchant_sums` pre-aggregate), largest expenses,
//! uncategorized count and other currencies (read from `monthly_sums`), against the same figures
//! computed here from the user's transactions as the list returns them, after every kind of
//! write.

use std::collections::{BTreeMap, HashMap};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;
use crate::imports::import;

both_backends!(the_pre_aggregated_parts_of_the_dashboard_follow_every_write);

/// Every transaction of the user, as the list gives them.
async fn ledger(app: &TestApp, token: &str) -> Vec<Value> {
    let list: Value = app
        .get_as(token, "/api/v1/transactions?limit=500")
        .await
        .json()
        .await
        .unwrap();
    assert!(list["next_cursor"].is_null(), "the test fits one page");
    list["items"].as_array().unwrap().clone()
}

/// What the dashboard counts in a period: the user's transactions on days `from..=to`,
/// transfers left out, of one account or all.
fn in_scope<'a>(rows: &'a [Value], from: &str, to: &str, account: Option<i64>) -> Vec<&'a Value> {
    rows.iter()
        .filter(|t| {
            let date = t["date"].as_str().unwrap();
            date >= from
                && date <= to
                && t["is_transfer"] == false
                && account.is_none_or(|a| t["account_id"] == a)
        })
        .collect()
}

/// The spending in USD (the user's base currency) among `rows`.
fn spending<'a>(rows: &[&'a Value]) -> Vec<&'a Value> {
    rows.iter()
        .copied()
        .filter(|t| t["currency"] == "USD" && t["amount"].as_i64().unwrap() < 0)
        .collect()
}

/// Money in, money out and count per currency but USD, in currency order.
fn other_currencies(rows: &[&Value]) -> Value {
    let mut totals: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
    for t in rows.iter().filter(|t| t["currency"] != "USD") {
        let total = totals.entry(t["currency"].as_str().unwrap()).or_default();
        let amount = t["amount"].as_i64().unwrap();
        if amount > 0 {
            total.0 += amount;
        } else {
            total.1 -= amount;
        }
        total.2 += 1;
    }
    totals
        .into_iter()
        .map(|(currency, (income, spending, count))| {
            json!({"currency": currency, "income": income, "spending": spending, "count": count})
        })
        .collect()
}

/// The ten merchant keys with the most money out, named by the greatest merchant the bank gave
/// for the key, else by the derived name; ties to the key first in byte order.
fn top_merchants(rows: &[&Value]) -> Value {
    // key → (greatest merchant, derived name, amount, count)
    let mut by_key: HashMap<&str, (Option<&str>, &str, i64, i64)> = HashMap::new();
    for t in rows {
        let Some(key) = t["merchant_key"].as_str().filter(|k| !k.is_empty()) else {
            continue;
        };
        let entry = by_key
            .entry(key)
            .or_insert((None, t["merchant_name"].as_str().unwrap(), 0, 0));
        entry.0 = entry.0.max(t["merchant"].as_str());
        entry.2 -= t["amount"].as_i64().unwrap();
        entry.3 += 1;
    }
    let mut top: Vec<_> = by_key.into_iter().collect();
    top.sort_by(|(a, x), (b, y)| (-x.2, a).cmp(&(-y.2, b)));
    top.into_iter()
        .take(10)
        .map(|(_, (merchant, derived, amount, count))| {
            json!({"name": merchant.unwrap_or(derived), "amount": amount, "count": count})
        })
        .collect()
}

/// The ten biggest single expenses, the earliest recorded first among equal amounts.
fn largest_expenses(rows: &[&Value]) -> Value {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|t| (t["amount"].as_i64().unwrap(), t["id"].as_i64().unwrap()));
    rows.into_iter()
        .take(10)
        .map(|t| {
            json!({"id": t["id"], "date": t["date"], "amount": t["amount"],
                   "description": t["description"], "category_id": t["category_id"]})
        })
        .collect()
}

/// Checks the dashboard of several periods (whole months, a year, ranges cutting months, one
/// account) against the ledger; returns how many merchants the year showed.
async fn assert_in_step(app: &TestApp, token: &str, spare: i64, after: &str) -> usize {
    let rows = ledger(app, token).await;
    let mut year_merchants = 0;
    for (query, from, to, account) in [
        ("month=2025-02", "2025-02-01", "2025-02-28", None),
        ("year=2025", "2025-01-01", "2025-12-31", None),
        (
            "from=2025-01-15&to=2025-02-20",
            "2025-01-15",
            "2025-02-20",
            None,
        ),
        (
            "from=2024-12-01&to=2025-03-31",
            "2024-12-01",
            "2025-03-31",
            None,
        ),
        (
            "from=2025-02-10&to=2025-02-20",
            "2025-02-10",
            "2025-02-20",
            None,
        ),
        (
            "year=2025&account_id=SPARE",
            "2025-01-01",
            "2025-12-31",
            Some(spare),
        ),
    ] {
        let query = query.replace("SPARE", &spare.to_string());
        let res = app
            .get_as(token, &format!("/api/v1/dashboard?{query}"))
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{query}");
        let d: Value = res.json().await.unwrap();
        let scope = in_scope(&rows, from, to, account);
        assert_eq!(
            d["top_merchants"],
            top_merchants(&spending(&scope)),
            "top merchants of {query} after {after}"
        );
        assert_eq!(
            d["largest_expenses"],
            largest_expenses(&spending(&scope)),
            "largest expenses of {query} after {after}"
        );
        assert_eq!(
            d["uncategorized_count"],
            scope.iter().filter(|t| t["category_id"].is_null()).count(),
            "uncategorized count of {query} after {after}"
        );
        assert_eq!(
            d["other_currencies"],
            other_currencies(&scope),
            "other currencies of {query} after {after}"
        );
        if query == "year=2025" {
            year_merchants = d["top_merchants"].as_array().unwrap().len();
        }
    }
    year_merchants
}

async fn the_pre_aggregated_parts_of_the_dashboard_follow_every_write(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let main = app.account(&token, "Main", "USD").await;
    let spare = app.account(&token, "Spare", "USD").await;
    let euro = app.account(&token, "Euro", "EUR").await;
    let theirs = app.account(&other, "Theirs", "USD").await;
    let groceries = app.category(&token, "Groceries").await;

    // Fourteen merchant keys over four months: some named by the bank (one key under two
    // spellings, also reached from descriptions alone), the rest derived from descriptions, and
    // one description naming no one.
    let merchants = [
        (Some("Tesco Stores"), "TESCO STORES 3297"),
        (Some("TESCO STORES"), "CARD 0042"),
        (None, "TESCO STORES 1188 LONDON"),
        (None, "SQ *BLUE BOTTLE COFFEE #12"),
        (None, "SHELL 0042 OXFORD"),
        (Some("Café Nord"), "POS 1234"),
        (None, "AMAZON MARKETPLACE"),
        (None, "UBER TRIP 8812"),
        (None, "NETFLIX.COM"),
        (None, "LIDL 0231"),
        (None, "BOOTS PHARMACY"),
        (None, "WAITROSE 88"),
        (None, "PRET A MANGER"),
        (None, "IKEA WEMBLEY"),
        (None, "VUE CINEMA"),
        (None, "1234 5678"),
    ];
    let dates = [
        "2024-12-31",
        "2025-01-01",
        "2025-01-14",
        "2025-01-15",
        "2025-01-31",
        "2025-02-01",
        "2025-02-10",
        "2025-02-20",
        "2025-02-21",
        "2025-02-28",
        "2025-03-01",
    ];
    let mut ids = Vec::new();
    for i in 0..64usize {
        let (merchant, description) = merchants[i % merchants.len()];
        let account = [main, main, spare, euro][i % 4];
        // Distinct amounts, a refund now and then.
        let amount = match i % 13 {
            7 => 1500 + i as i64,
            _ => -(100 + ((i * 7919) % 9000) as i64),
        };
        let t = app
            .transaction(
                &token,
                json!({"account_id": account, "date": dates[i % dates.len()], "amount": amount,
                       "description": description, "merchant": merchant}),
            )
            .await;
        ids.push(t["id"].as_i64().unwrap());
        // The other user spends more at the same merchants on the same days.
        app.transaction(
            &other,
            json!({"account_id": theirs, "date": dates[i % dates.len()], "amount": amount * 50,
                   "description": description, "merchant": merchant}),
        )
        .await;
    }
    assert_eq!(
        assert_in_step(&app, &token, spare, "creating").await,
        10,
        "more merchants than shown"
    );

    for (id, change) in [
        (ids[0], json!({"amount": -99000})),
        (ids[1], json!({"date": "2025-03-02"})),
        (ids[2], json!({"account_id": spare})),
        (ids[3], json!({"description": "VUE CINEMA"})),
        (ids[5], json!({"merchant": null})),
        (ids[6], json!({"merchant": "Blue Bottle"})),
        (ids[9], json!({"is_transfer": true})),
        (ids[9], json!({"amount": -150000})),
        (ids[10], json!({"amount": 4200})),
        (ids[11], json!({"category_id": groceries})),
        (ids[12], json!({"notes": "nothing a report counts"})),
    ] {
        let res = app
            .patch_as(&token, &format!("/api/v1/transactions/{id}"), &change)
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{change}");
        assert_in_step(&app, &token, spare, &format!("changing {change}")).await;
    }

    let res = app
        .post_as(
            &token,
            "/api/v1/transactions/bulk/categorize",
            &json!({"ids": [ids[13], ids[14]], "category_id": groceries}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_in_step(&app, &token, spare, "bulk categorizing").await;
    let res = app
        .post_as(
            &token,
            "/api/v1/transactions/bulk/delete",
            &json!({"ids": [ids[15], ids[16], ids[17]]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_in_step(&app, &token, spare, "bulk deleting").await;
    let res = app
        .delete_as(&token, &format!("/api/v1/transactions/{}", ids[0]))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_in_step(&app, &token, spare, "deleting").await;

    let imported = import(
        &app,
        &token,
        main,
        "Date,Description,Amount\n\
         2025-01-31,TESCO STORES 3297,-451.10\n\
         2025-02-01,IKEA WEMBLEY,-1200.00\n\
         2025-02-15,IKEA WEMBLEY,-12.00\n\
         2025-02-16,1234 5678,-2000.00\n\
         2025-02-17,SALARY ACME LTD,2500.00\n",
    )
    .await;
    assert_in_step(&app, &token, spare, "importing").await;
    app.apply_rule(&token, "ikea", &json!(groceries)).await;
    assert_in_step(&app, &token, spare, "applying rules").await;
    let res = app
        .delete_as(&token, &format!("/api/v1/imports/{}", imported["id"]))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_in_step(&app, &token, spare, "undoing the import").await;

    let res = app
        .delete_as(&token, &format!("/api/v1/categories/{groceries}"))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_in_step(&app, &token, spare, "deleting a category").await;
    let res = app
        .delete_as(&token, &format!("/api/v1/accounts/{spare}"))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let rows = ledger(&app, &token).await;
    let d: Value = app
        .get_as(&token, "/api/v1/dashboard?year=2025")
        .await
        .json()
        .await
        .unwrap();
    let scope = in_scope(&rows, "2025-01-01", "2025-12-31", None);
    assert_eq!(d["top_merchants"], top_merchants(&spending(&scope)));
    assert_eq!(d["largest_expenses"], largest_expenses(&spending(&scope)));
    assert_eq!(d["other_currencies"], other_currencies(&scope));
    assert_eq!(d["other_currencies"][0]["currency"], "EUR", "{d}");
}
