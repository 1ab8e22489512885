use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};

both_backends!(
    transactions_are_created_changed_and_deleted,
    transactions_are_validated,
    filters_narrow_the_list_and_totals_cover_the_whole_set,
    totals_are_per_currency_and_leave_out_transfers,
    cursor_pages_visit_every_row_once_in_order,
    bulk_operations_touch_only_your_rows,
    export_is_csv_safe_from_formulas,
    amounts_sort_within_their_currency,
);

async fn transactions_are_created_changed_and_deleted(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let groceries = app.category(&token, "Groceries").await;
    let transfers = app.category(&token, "Transfers").await;
    let t = app
        .transaction(&token, json!({"account_id": account, "date": "2026-03-14", "amount": -1250, "description": "  Farmers market ", "category_id": groceries, "notes": "veg"}))
        .await;
    assert_eq!(t["description"], "Farmers market");
    assert_eq!(t["currency"], "EUR");
    assert_eq!(t["category_source"], "user");
    assert_eq!(t["is_transfer"], false);
    let path = format!("/api/v1/transactions/{}", t["id"]);

    let res = app
        .patch_as(
            &token,
            &path,
            &json!({"amount": -1300, "notes": null, "category_id": transfers}),
        )
        .await;
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["amount"], -1300);
    assert_eq!(changed["notes"], Value::Null);
    assert_eq!(
        changed["is_transfer"], true,
        "a transfer category marks a transfer"
    );
    assert_eq!(changed["description"], "Farmers market");
    let res = app
        .patch_as(
            &token,
            &path,
            &json!({"category_id": null, "is_transfer": false}),
        )
        .await;
    let cleared: Value = res.json().await.unwrap();
    assert_eq!(cleared["category_id"], Value::Null);
    assert_eq!(cleared["is_transfer"], false);

    let other = app.user("ravi@example.com").await;
    problem(app.get_as(&other, &path).await, StatusCode::NOT_FOUND).await;
    problem(
        app.patch_as(&other, &path, &json!({"amount": 1})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(app.delete_as(&other, &path).await, StatusCode::NOT_FOUND).await;

    assert_eq!(
        app.delete_as(&token, &path).await.status(),
        StatusCode::NO_CONTENT
    );
    problem(app.get_as(&token, &path).await, StatusCode::NOT_FOUND).await;
}

async fn transactions_are_validated(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let foreign_category = app.category(&other, "Dining").await;
    let base = |extra: Value| {
        let mut body = json!({"account_id": account, "date": "2026-03-14", "amount": -100, "description": "x"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        (base(json!({"date": "2026-02-30"})), vec!["date"]),
        (base(json!({"date": "14/03/2026"})), vec!["date"]),
        (base(json!({"amount": -1.25})), vec!["amount"]),
        (base(json!({"amount": "12"})), vec!["amount"]),
        (base(json!({"description": "   "})), vec!["description"]),
        (
            base(json!({"category_id": foreign_category})),
            vec!["category_id"],
        ),
        (base(json!({"colour": "red"})), vec!["colour"]),
    ];
    for (body, fields) in cases {
        let res = app.post_as(&token, "/api/v1/transactions", &body).await;
        assert_eq!(invalid_fields(res).await, fields, "{body}");
    }
    for query in [
        "month=2026-13",
        "month=March",
        "year=20",
        "min=-5",
        "limit=0",
        "limit=501",
        "cursor=nonsense",
    ] {
        let res = app
            .get_as(&token, &format!("/api/v1/transactions?{query}"))
            .await;
        problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    // A value of the wrong type is named like a body's field.
    let res = app
        .get_as(&token, "/api/v1/transactions?from=yesterday")
        .await;
    let p = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "from", "{p}");
}

/// Count and ids of a filtered list.
async fn ids(app: &TestApp, token: &str, query: &str) -> (Vec<String>, Value) {
    let res = app
        .get_as(token, &format!("/api/v1/transactions?{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    let body: Value = res.json().await.unwrap();
    let descriptions = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["description"].as_str().unwrap().to_owned())
        .collect();
    (descriptions, body["totals"].clone())
}

async fn filters_narrow_the_list_and_totals_cover_the_whole_set(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let main = app.account(&token, "Main", "EUR").await;
    let card = app.account(&token, "Card", "EUR").await;
    let dining = app.category(&token, "Dining").await;
    for (account, date, amount, description, category, merchant) in [
        (
            main,
            "2024-02-29",
            -1000,
            "Leap day lunch",
            Some(dining),
            None,
        ),
        (main, "2024-03-01", 250000, "Salary March", None, None),
        (
            card,
            "2024-03-31",
            -4550,
            "Hardware 50% off_sale",
            None,
            Some("DIY Store"),
        ),
        (card, "2024-04-01", -20000, "Flight", None, None),
        (main, "2025-01-15", 1500, "Refund", Some(dining), None),
    ] {
        app.transaction(&token, json!({"account_id": account, "date": date, "amount": amount, "description": description, "category_id": category, "merchant": merchant}))
            .await;
    }
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            "month=2024-03".into(),
            vec!["Hardware 50% off_sale", "Salary March"],
        ),
        ("month=2024-02".into(), vec!["Leap day lunch"]),
        (
            "year=2024&sort=date&order=asc".into(),
            vec![
                "Leap day lunch",
                "Salary March",
                "Hardware 50% off_sale",
                "Flight",
            ],
        ),
        (
            "from=2024-03-01&to=2024-04-01".into(),
            vec!["Flight", "Hardware 50% off_sale", "Salary March"],
        ),
        ("year=2024&month=2025-01".into(), vec![]),
        (
            format!("account_id={card}"),
            vec!["Flight", "Hardware 50% off_sale"],
        ),
        (
            format!("category_id={dining}"),
            vec!["Refund", "Leap day lunch"],
        ),
        (
            "uncategorized=true&year=2024".into(),
            vec!["Flight", "Hardware 50% off_sale", "Salary March"],
        ),
        ("q=LUNCH".into(), vec!["Leap day lunch"]),
        ("q=diy".into(), vec!["Hardware 50% off_sale"]),
        ("q=50%25".into(), vec!["Hardware 50% off_sale"]),
        ("q=f_s".into(), vec!["Hardware 50% off_sale"]),
        ("q=%25".into(), vec!["Hardware 50% off_sale"]),
        (
            "min=1500&max=5000".into(),
            vec!["Refund", "Hardware 50% off_sale"],
        ),
        ("flow=income".into(), vec!["Refund", "Salary March"]),
        (
            "flow=expense&sort=amount&order=asc".into(),
            vec!["Flight", "Hardware 50% off_sale", "Leap day lunch"],
        ),
    ];
    for (query, expected) in cases {
        let (got, _) = ids(&app, &token, &query).await;
        assert_eq!(got, expected, "{query}");
    }
    let (_, totals) = ids(&app, &token, "year=2024&limit=1").await;
    assert_eq!(
        totals,
        json!([{"currency": "EUR", "count": 4, "income": 250000, "expenses": -25550}])
    );
}

async fn totals_are_per_currency_and_leave_out_transfers(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let eur = app.account(&token, "Euro", "EUR").await;
    let inr = app.account(&token, "Rupee", "INR").await;
    let transfers = app.category(&token, "Transfers").await;
    for (account, amount, body) in [
        (eur, -500, json!({})),
        (eur, 1000, json!({})),
        (eur, -20000, json!({"category_id": transfers})),
        (eur, 20000, json!({"is_transfer": true})),
        (inr, -75000, json!({})),
    ] {
        let mut t = json!({"account_id": account, "date": "2026-03-01", "amount": amount, "description": "x"});
        t.as_object_mut()
            .unwrap()
            .extend(body.as_object().unwrap().clone());
        app.transaction(&token, t).await;
    }
    let (_, totals) = ids(&app, &token, "").await;
    assert_eq!(
        totals,
        json!([
            {"currency": "EUR", "count": 4, "income": 1000, "expenses": -500},
            {"currency": "INR", "count": 1, "income": 0, "expenses": -75000},
        ])
    );
    let (transfers_only, _) = ids(&app, &token, "flow=transfer").await;
    assert_eq!(transfers_only.len(), 2);
    let empty: Value = app
        .get_as(&token, "/api/v1/transactions?month=1999-01")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        empty,
        json!({"items": [], "next_cursor": null, "totals": []})
    );
}

async fn cursor_pages_visit_every_row_once_in_order(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    // Repeated dates and amounts, so the id tie-break matters.
    for i in 0..23 {
        let date = format!("2026-03-{:02}", 1 + i % 4);
        app.transaction(&token, json!({"account_id": account, "date": date, "amount": -(i % 3) * 100, "description": format!("t{i}")}))
            .await;
    }
    for (sort, order) in [
        ("date", "desc"),
        ("date", "asc"),
        ("amount", "desc"),
        ("amount", "asc"),
    ] {
        let mut seen = Vec::new();
        let mut keys = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut query = format!("limit=5&sort={sort}&order={order}");
            if let Some(c) = &cursor {
                query.push_str(&format!("&cursor={c}"));
            }
            let page: Value = app
                .get_as(&token, &format!("/api/v1/transactions?{query}"))
                .await
                .json()
                .await
                .unwrap();
            for t in page["items"].as_array().unwrap() {
                seen.push(t["id"].as_i64().unwrap());
                keys.push((t[sort].to_string(), t["id"].as_i64().unwrap()));
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(seen.len(), 23, "{sort} {order}");
        assert_eq!(
            seen.iter().collect::<HashSet<_>>().len(),
            23,
            "{sort} {order}"
        );
        let mut sorted = keys.clone();
        sorted.sort_by(|a, b| {
            let key =
                |k: &(String, i64)| (k.0.trim_matches('"').parse::<i64>().ok(), k.0.clone(), k.1);
            key(a).cmp(&key(b))
        });
        if order == "desc" {
            sorted.reverse();
        }
        assert_eq!(keys, sorted, "{sort} {order}");
    }
}

async fn bulk_operations_touch_only_your_rows(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let mine = app.account(&token, "Mine", "EUR").await;
    let theirs = app.account(&other, "Theirs", "EUR").await;
    let fuel = app.category(&token, "Fuel").await;
    let mut my_ids = Vec::new();
    for i in 0..3 {
        let t = app
            .transaction(&token, json!({"account_id": mine, "date": "2026-03-01", "amount": -i - 1, "description": "x"}))
            .await;
        my_ids.push(t["id"].as_i64().unwrap());
    }
    let foreign = app
        .transaction(
            &other,
            json!({"account_id": theirs, "date": "2026-03-01", "amount": -1, "description": "y"}),
        )
        .await;
    let foreign_id = foreign["id"].as_i64().unwrap();

    let mut ids = my_ids.clone();
    ids.push(foreign_id);
    let res = app
        .post_as(
            &token,
            "/api/v1/transactions/bulk/categorize",
            &json!({"ids": ids, "category_id": fuel}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["affected"], 3);
    let theirs_now: Value = app
        .get_as(&other, &format!("/api/v1/transactions/{foreign_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs_now["category_id"], Value::Null);

    let res = app
        .post_as(
            &token,
            "/api/v1/transactions/bulk/delete",
            &json!({"ids": [my_ids[0], foreign_id]}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["affected"], 1);
    assert_eq!(
        app.get_as(&other, &format!("/api/v1/transactions/{foreign_id}"))
            .await
            .status(),
        StatusCode::OK
    );
    let res = app
        .post_as(
            &token,
            "/api/v1/transactions/bulk/delete",
            &json!({"ids": []}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, vec!["ids"]);
    let too_many: Vec<i64> = (0..1001).collect();
    let res = app
        .post_as(
            &token,
            "/api/v1/transactions/bulk/delete",
            &json!({"ids": too_many}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, vec!["ids"]);
}

async fn export_is_csv_safe_from_formulas(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let dining = app.category(&token, "Dining").await;
    app.transaction(&token, json!({"account_id": account, "date": "2026-03-02", "amount": -123456, "description": "=HYPERLINK(\"http://evil\")", "notes": "+1, \"quoted\"", "category_id": dining}))
        .await;
    app.transaction(
        &token,
        json!({"account_id": account, "date": "2026-04-01", "amount": 5, "description": "April"}),
    )
    .await;
    let res = app
        .get_as(&token, "/api/v1/transactions/export.csv?month=2026-03")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("attachment"));
    let body = res.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "Date,Amount,Currency,Description,Merchant,Category,Account,Notes,Transfer"
    );
    assert_eq!(
        lines[1],
        "2026-03-02,-1234.56,EUR,\"'=HYPERLINK(\"\"http://evil\"\")\",,Dining,Everyday,\"'+1, \"\"quoted\"\"\","
    );
    assert_eq!(lines.len(), 2, "the filter applies");
    let other = app.user("ravi@example.com").await;
    let theirs = app
        .get_as(&other, "/api/v1/transactions/export.csv")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        theirs.lines().count(),
        1,
        "only the header: nothing of another user's"
    );
}

async fn amounts_sort_within_their_currency(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let rupees = app.account(&token, "Rupees", "INR").await;
    let euros = app.account(&token, "Euros", "EUR").await;
    // Raw numbers interleave: 100000 paise is far less money than 5000 cents.
    for (account, amount) in [
        (rupees, -100_000),
        (euros, -5_000),
        (rupees, -2_000),
        (euros, -7_000),
        (rupees, -50_000),
    ] {
        app.transaction(&token, json!({"account_id": account, "date": "2026-03-01", "amount": amount, "description": "x"}))
            .await;
    }
    for (order, expected) in [
        (
            "asc",
            [
                ("EUR", -7_000),
                ("EUR", -5_000),
                ("INR", -100_000),
                ("INR", -50_000),
                ("INR", -2_000),
            ],
        ),
        (
            "desc",
            [
                ("EUR", -5_000),
                ("EUR", -7_000),
                ("INR", -2_000),
                ("INR", -50_000),
                ("INR", -100_000),
            ],
        ),
    ] {
        let mut seen = Vec::new();
        let mut cursor = String::new();
        loop {
            let page: Value = app
                .get_as(
                    &token,
                    &format!("/api/v1/transactions?sort=amount&order={order}&limit=2{cursor}"),
                )
                .await
                .json()
                .await
                .unwrap();
            for t in page["items"].as_array().unwrap() {
                seen.push((
                    t["currency"].as_str().unwrap().to_owned(),
                    t["amount"].as_i64().unwrap(),
                ));
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        let expected: Vec<(String, i64)> =
            expected.iter().map(|(c, a)| (c.to_string(), *a)).collect();
        assert_eq!(seen, expected, "{order}");
    }
}
