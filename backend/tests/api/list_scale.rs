//! The transaction list at a cost that does not grow with history (issue 16): totals from the
//! monthly sums (or on request), and every sort paged through its index, exact under ties. Each
//! figure is checked against a model of the rows computed here, not against the server.

use chrono::NaiveDate;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, TestApp};

both_backends!(
    list_totals_come_from_monthly_sums_or_on_request,
    every_sort_pages_exactly_under_ties,
);

/// A transaction as the test created it.
#[derive(Clone, Debug)]
struct Row {
    id: i64,
    account: i64,
    currency: &'static str,
    date: NaiveDate,
    amount: i64,
    category: Option<i64>,
    transfer: bool,
    description: String,
}

/// Which of the rows a filter keeps, as the test computes it.
type Keep = Box<dyn Fn(&Row) -> bool>;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn in_dates(r: &Row, from: &str, to: &str) -> bool {
    r.date >= day(from) && r.date <= day(to)
}

/// `[{currency, count, income, expenses}]` of some rows, computed here.
fn expected_totals<'a>(rows: impl Iterator<Item = &'a Row>) -> Value {
    let mut by_currency: std::collections::BTreeMap<&str, (i64, i64, i64)> = Default::default();
    for r in rows {
        let t = by_currency.entry(r.currency).or_default();
        t.0 += 1;
        if !r.transfer && r.amount > 0 {
            t.1 += r.amount;
        }
        if !r.transfer && r.amount < 0 {
            t.2 += r.amount;
        }
    }
    Value::Array(
        by_currency
            .into_iter()
            .map(|(c, (count, income, expenses))| {
                json!({"currency": c, "count": count, "income": income, "expenses": expenses})
            })
            .collect(),
    )
}

async fn create(app: &TestApp, token: &str, mut row: Row) -> Row {
    let created = app
        .transaction(
            token,
            json!({"account_id": row.account, "date": row.date, "amount": row.amount,
                   "description": row.description, "category_id": row.category,
                   "is_transfer": row.transfer}),
        )
        .await;
    row.id = created["id"].as_i64().unwrap();
    row.transfer = created["is_transfer"].as_bool().unwrap();
    row
}

/// The totals the list gives for `query`, and those of the totals request.
async fn totals_of(app: &TestApp, token: &str, query: &str) -> (Value, Value) {
    let mut found = Vec::new();
    for path in [
        "/api/v1/transactions?limit=1&",
        "/api/v1/transactions/totals?",
    ] {
        let res = app.get_as(token, &format!("{path}{query}")).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}{query}");
        found.push(res.json::<Value>().await.unwrap()["totals"].take());
    }
    let on_request = found.pop().unwrap();
    (found.pop().unwrap(), on_request)
}

async fn list_totals_come_from_monthly_sums_or_on_request(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let main = app.account(&token, "Main", "EUR").await;
    let card = app.account(&token, "Card", "EUR").await;
    let usd = app.account(&token, "Travel", "USD").await;
    let dining = app.category(&token, "Dining").await;
    let transfers = app.category(&token, "Transfers").await;
    // Rows on the first and last days of months, across a year boundary, in two currencies, with
    // transfers (by category and by flag) that the counts include and the sums leave out.
    let accounts = [(main, "EUR"), (card, "EUR"), (usd, "USD")];
    let dates = [
        "2023-12-31",
        "2024-01-01",
        "2024-01-15",
        "2024-01-31",
        "2024-02-01",
        "2024-02-29",
        "2024-03-10",
        "2024-12-31",
        "2025-01-01",
    ];
    let mut rows = Vec::new();
    for i in 0..27_i64 {
        let (account, currency) = accounts[(i % 3) as usize];
        let category = match i % 4 {
            0 => Some(dining),
            1 if i % 5 == 1 => Some(transfers),
            _ => None,
        };
        let row = Row {
            id: 0,
            account,
            currency,
            date: day(dates[(i % 9) as usize]),
            amount: if i % 6 == 0 {
                10_000 + i
            } else {
                -(100 * i + 7)
            },
            category,
            transfer: i % 7 == 3,
            description: format!("Row {i} {}", if i % 2 == 0 { "shop" } else { "café" }),
        };
        rows.push(create(&app, &token, row).await);
    }
    assert!(rows.iter().filter(|r| r.transfer).count() >= 3);

    // Filters the monthly sums answer: whole months, cut months, one cut month, none.
    let quick: Vec<(String, Keep)> = vec![
        ("".into(), Box::new(|_| true)),
        (
            "year=2024".into(),
            Box::new(|r| in_dates(r, "2024-01-01", "2024-12-31")),
        ),
        (
            "month=2024-02".into(),
            Box::new(|r| in_dates(r, "2024-02-01", "2024-02-29")),
        ),
        (
            "from=2024-01-15&to=2024-03-09".into(),
            Box::new(|r| in_dates(r, "2024-01-15", "2024-03-09")),
        ),
        (
            "from=2024-01-02&to=2024-01-31".into(),
            Box::new(|r| in_dates(r, "2024-01-02", "2024-01-31")),
        ),
        (
            "from=2024-01-02&to=2024-02-28".into(),
            Box::new(|r| in_dates(r, "2024-01-02", "2024-02-28")),
        ),
        (
            "from=2024-02-01".into(),
            Box::new(|r| r.date >= day("2024-02-01")),
        ),
        (
            "to=2024-01-30".into(),
            Box::new(|r| r.date <= day("2024-01-30")),
        ),
        ("from=2024-03-01&to=2024-02-01".into(), Box::new(|_| false)),
        (
            format!("account_id={card}"),
            Box::new(move |r| r.account == card),
        ),
        (
            format!("category_id={dining}&from=2024-01-10"),
            Box::new(move |r| r.category == Some(dining) && r.date >= day("2024-01-10")),
        ),
        (
            "uncategorized=true&year=2024".into(),
            Box::new(|r| r.category.is_none() && in_dates(r, "2024-01-01", "2024-12-31")),
        ),
        ("flow=transfer".into(), Box::new(|r| r.transfer)),
        (
            format!("flow=transfer&account_id={main}&from=2024-01-02"),
            Box::new(move |r| r.transfer && r.account == main && r.date >= day("2024-01-02")),
        ),
    ];
    for (query, keep) in &quick {
        let expected = expected_totals(rows.iter().filter(|r| keep(r)));
        let (list, on_request) = totals_of(&app, &token, query).await;
        assert_eq!(list, expected, "list totals of {query:?}");
        assert_eq!(on_request, expected, "totals of {query:?}");
    }
    // Filters only the rows can answer: the list leaves the totals out, the totals request has them.
    let slow: Vec<(&str, Keep)> = vec![
        ("q=CAFÉ", Box::new(|r| r.description.contains("café"))),
        (
            "min=1000&year=2024",
            Box::new(|r| r.amount.abs() >= 1000 && r.date.format("%Y").to_string() == "2024"),
        ),
        ("max=500", Box::new(|r| r.amount.abs() <= 500)),
        ("flow=income", Box::new(|r| r.amount > 0 && !r.transfer)),
        (
            "flow=expense&month=2024-01",
            Box::new(|r| r.amount < 0 && !r.transfer && in_dates(r, "2024-01-01", "2024-01-31")),
        ),
    ];
    for (query, keep) in &slow {
        let expected = expected_totals(rows.iter().filter(|r| keep(r)));
        let (list, on_request) = totals_of(&app, &token, query).await;
        assert_eq!(list, Value::Null, "{query}");
        assert_eq!(on_request, expected, "{query}");
    }

    // Edits move the figures: the sums follow every write.
    let moved = &rows[4];
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/transactions/{}", moved.id),
            &json!({"date": "2024-02-10", "is_transfer": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    rows[4].date = day("2024-02-10");
    rows[4].transfer = true;
    let res = app
        .delete_as(&token, &format!("/api/v1/transactions/{}", rows[5].id))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    rows.remove(5);
    for (query, keep) in &quick {
        let expected = expected_totals(rows.iter().filter(|r| keep(r)));
        let (list, on_request) = totals_of(&app, &token, query).await;
        assert_eq!(list, expected, "after edits, {query:?}");
        assert_eq!(on_request, expected, "after edits, {query:?}");
    }

    // Another user sees none of it; bad filters name their field.
    let other = app.user("ravi@example.com").await;
    let theirs: Value = app
        .get_as(&other, "/api/v1/transactions/totals")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs, json!({"totals": []}));
    let res = app
        .get_as(&token, "/api/v1/transactions/totals?month=2024-13")
        .await;
    assert_eq!(invalid_fields(res).await, vec!["month"]);
}

async fn every_sort_pages_exactly_under_ties(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let a = app.account(&token, "A", "EUR").await;
    let b = app.account(&token, "B", "USD").await;
    let c = app.account(&token, "C", "EUR").await;
    let accounts = [(a, "EUR"), (b, "USD"), (c, "EUR")];
    // Three amounts and three dates for 61 rows: every page boundary falls inside a tie.
    let mut rows = Vec::new();
    for i in 0..61_i64 {
        let (account, currency) = accounts[(i % 3) as usize];
        let row = Row {
            id: 0,
            account,
            currency,
            date: day(["2024-05-01", "2024-05-02", "2025-01-01"][(i % 5 % 3) as usize]),
            amount: [-500, 500, -1200][(i % 4 % 3) as usize],
            category: None,
            transfer: false,
            description: format!("t{i}"),
        };
        rows.push(create(&app, &token, row).await);
    }
    let someone = app.user("ravi@example.com").await;
    let theirs = app.account(&someone, "Theirs", "EUR").await;
    app.transaction(&someone, json!({"account_id": theirs, "date": "2024-05-01", "amount": -500, "description": "not yours"}))
        .await;

    let filters: Vec<(String, Keep)> = vec![
        ("".into(), Box::new(|_| true)),
        ("year=2024".into(), Box::new(|r| r.date < day("2025-01-01"))),
        ("min=600".into(), Box::new(|r| r.amount.abs() >= 600)),
        (
            "max=500&from=2024-05-02".into(),
            Box::new(|r| r.amount.abs() <= 500 && r.date >= day("2024-05-02")),
        ),
        (
            "from=2024-05-01&to=2024-05-02".into(),
            Box::new(|r| r.date <= day("2024-05-02")),
        ),
        (format!("account_id={c}"), Box::new(move |r| r.account == c)),
        (format!("account_id={theirs}"), Box::new(|_| false)),
    ];
    for (query, keep) in &filters {
        for (sort, order) in [
            ("date", "desc"),
            ("date", "asc"),
            ("amount", "desc"),
            ("amount", "asc"),
        ] {
            let mut expected: Vec<&Row> = rows.iter().filter(|r| keep(r)).collect();
            expected.sort_by(|x, y| {
                let ordered = match sort {
                    "date" => (x.date, x.id).cmp(&(y.date, y.id)),
                    _ => (x.amount, x.id).cmp(&(y.amount, y.id)),
                };
                let ordered = if order == "desc" {
                    ordered.reverse()
                } else {
                    ordered
                };
                // Amounts are sorted within each currency, currencies in alphabetical order.
                match sort {
                    "amount" => x.currency.cmp(y.currency).then(ordered),
                    _ => ordered,
                }
            });
            let expected: Vec<i64> = expected.iter().map(|r| r.id).collect();
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let mut path =
                    format!("/api/v1/transactions?limit=7&sort={sort}&order={order}&{query}");
                if let Some(c) = &cursor {
                    path.push_str(&format!("&cursor={c}"));
                }
                let page: Value = app.get_as(&token, &path).await.json().await.unwrap();
                let items = page["items"].as_array().unwrap();
                assert!(items.len() <= 7);
                seen.extend(items.iter().map(|t| t["id"].as_i64().unwrap()));
                match page["next_cursor"].as_str() {
                    Some(c) => {
                        assert_eq!(items.len(), 7, "only full pages have a next one");
                        cursor = Some(c.to_owned());
                    }
                    None => break,
                }
            }
            assert_eq!(seen, expected, "{sort} {order} {query}");
        }
    }
}
