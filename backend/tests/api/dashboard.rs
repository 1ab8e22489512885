use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, TestApp};

both_backends!(
    a_user_without_data_gets_zeros,
    a_month_adds_up_to_the_cent,
    a_year_has_twelve_months_and_other_currencies_stay_apart,
    the_period_is_validated,
);

async fn dashboard(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app
        .get_as(token, &format!("/api/v1/dashboard?{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{query}");
    res.json().await.unwrap()
}

async fn a_user_without_data_gets_zeros(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let d = dashboard(&app, &token, "").await;
    assert_eq!(d["period"]["kind"], "month");
    assert_eq!(d["currency"], "USD");
    assert_eq!(
        d["summary"],
        json!({"income": 0, "spending": 0, "net": 0, "savings_rate": null})
    );
    assert_eq!(d["spending_by_category"], json!([]));
    assert_eq!(d["monthly"]["labels"].as_array().unwrap().len(), 12);
    assert!(d["monthly"]["datasets"][0]["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v == 0));
    assert_eq!(d["uncategorized_count"], 0);
    assert_eq!(d["change"]["income_percent"], Value::Null);
}

async fn a_month_adds_up_to_the_cent(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let main = app.account(&token, "Main", "USD").await;
    let savings = app.account(&token, "Savings", "USD").await;
    let groceries = app.category(&token, "Groceries").await;
    let dining = app.category(&token, "Dining").await;
    let salary = app.category(&token, "Salary").await;
    let transfers = app.category(&token, "Transfers").await;
    let rows = [
        // February 2024 (a leap year): the previous month.
        ("2024-02-01", -10000, Some(groceries), None),
        ("2024-02-29", 300000, Some(salary), None),
        // March 2024.
        ("2024-03-01", 300000, Some(salary), None),
        ("2024-03-01", -12000, Some(groceries), Some("Tesco")),
        ("2024-03-15", -3000, Some(groceries), Some("Tesco")),
        ("2024-03-20", 2000, Some(groceries), Some("Tesco")), // a refund
        ("2024-03-31", -5000, Some(dining), Some("Luigi's")),
        ("2024-03-10", -800, None, None), // uncategorized spending
        ("2024-03-11", 1500, None, None), // uncategorized income
        ("2024-03-05", -50000, Some(transfers), None), // to savings: not spending
        // April 1st belongs to the next month.
        ("2024-04-01", -99999, Some(dining), None),
    ];
    for (date, amount, category, merchant) in rows {
        app.transaction(&token, json!({"account_id": main, "date": date, "amount": amount, "description": "x", "category_id": category, "merchant": merchant}))
            .await;
    }
    app.transaction(&token, json!({"account_id": savings, "date": "2024-03-05", "amount": 50000, "description": "from main", "is_transfer": true}))
        .await;
    // Another user's money is never counted.
    let other = app.user("ravi@example.com").await;
    let theirs = app.account(&other, "Theirs", "USD").await;
    app.transaction(
        &other,
        json!({"account_id": theirs, "date": "2024-03-02", "amount": -77777, "description": "x"}),
    )
    .await;

    let d = dashboard(&app, &token, "month=2024-03").await;
    let spending = 12000 + 3000 - 2000 + 5000 + 800;
    let income = 300000 + 1500;
    assert_eq!(
        d["summary"],
        json!({"income": income, "spending": spending, "net": income - spending, "savings_rate": ((income - spending) as f64 / income as f64 * 10000.0).round() / 10000.0})
    );
    assert_eq!(d["previous"]["spending"], 10000);
    assert_eq!(d["previous"]["income"], 300000);
    assert_eq!(d["previous_period"]["label"], "2024-02");
    assert_eq!(d["change"]["spending_percent"], 88.0);
    assert_eq!(d["change"]["income_percent"], 0.5);

    let by_category: Vec<(Value, i64, i64, i64)> = d["spending_by_category"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].clone(),
                c["amount"].as_i64().unwrap(),
                c["count"].as_i64().unwrap(),
                c["previous_amount"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_category,
        vec![
            (json!("Groceries"), 13000, 3, 10000),
            (json!("Dining"), 5000, 1, 0),
            (json!("Uncategorized"), 800, 1, 0),
        ]
    );
    assert_eq!(d["spending_by_category"][0]["share"], 0.6915);
    assert_eq!(d["spending_by_category"][0]["change_percent"], 30.0);
    let income_names: Vec<_> = d["income_by_category"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(income_names, vec![json!("Salary"), json!("Uncategorized")]);

    let monthly = &d["monthly"];
    assert_eq!(monthly["labels"][11], "2024-03");
    assert_eq!(monthly["labels"][0], "2023-04");
    assert_eq!(monthly["datasets"][1]["label"], "spending");
    assert_eq!(monthly["datasets"][1]["data"][11], spending);
    assert_eq!(monthly["datasets"][1]["data"][10], 10000);
    assert_eq!(monthly["datasets"][2]["data"][11], income - spending);

    let daily = &d["daily_cumulative"];
    assert_eq!(daily["labels"].as_array().unwrap().len(), 31);
    let march = daily["datasets"][0]["data"].as_array().unwrap();
    assert_eq!(march[0], 12000, "day 1");
    assert_eq!(march[9], 12800, "day 10");
    assert_eq!(march[30], spending, "day 31");
    let february = daily["datasets"][1]["data"].as_array().unwrap();
    assert_eq!(february.len(), 31);
    assert_eq!(
        february[30], 10000,
        "February's total carries on past its 29 days"
    );

    assert_eq!(
        d["top_merchants"],
        json!([{"name": "Tesco", "amount": 15000, "count": 2}, {"name": "Luigi's", "amount": 5000, "count": 1}])
    );
    let largest: Vec<_> = d["largest_expenses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(largest, vec![-12000, -5000, -3000, -800]);
    assert_eq!(d["uncategorized_count"], 2);

    // One account only.
    let only_savings =
        dashboard(&app, &token, &format!("month=2024-03&account_id={savings}")).await;
    assert_eq!(only_savings["summary"]["spending"], 0);
    assert_eq!(
        only_savings["summary"]["income"], 0,
        "a transfer is not income"
    );
}

async fn a_year_has_twelve_months_and_other_currencies_stay_apart(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let usd = app.account(&token, "Dollars", "USD").await;
    let inr = app.account(&token, "Rupees", "INR").await;
    for (account, date, amount) in [
        (usd, "2025-01-31", -100),
        (usd, "2025-12-31", -200),
        (usd, "2024-12-31", -400),
        (inr, "2025-06-01", -50000),
        (inr, "2025-06-02", 90000),
    ] {
        app.transaction(
            &token,
            json!({"account_id": account, "date": date, "amount": amount, "description": "x"}),
        )
        .await;
    }
    let d = dashboard(&app, &token, "year=2025").await;
    assert_eq!(d["period"]["from"], "2025-01-01");
    assert_eq!(d["previous_period"]["label"], "2024");
    assert_eq!(d["summary"]["spending"], 300);
    assert_eq!(d["previous"]["spending"], 400);
    assert_eq!(d["monthly"]["labels"][0], "2025-01");
    assert_eq!(d["monthly"]["labels"][11], "2025-12");
    assert_eq!(d["monthly"]["datasets"][1]["data"][0], 100);
    assert_eq!(d["monthly"]["datasets"][1]["data"][11], 200);
    assert_eq!(d["daily_cumulative"], Value::Null);
    assert_eq!(
        d["other_currencies"],
        json!([{"currency": "INR", "income": 90000, "spending": 50000, "count": 2}])
    );
    assert_eq!(d["budget_alerts"], json!([]));

    let range = dashboard(&app, &token, "from=2025-12-01&to=2025-12-31").await;
    assert_eq!(range["period"]["kind"], "range");
    assert_eq!(range["summary"]["spending"], 200);
    assert_eq!(range["previous_period"]["to"], "2025-11-30");
}

async fn the_period_is_validated(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let foreign = app.account(&other, "Theirs", "USD").await;
    for (query, field) in [
        ("month=2025-13", "month"),
        ("month=2025-01&year=2025", "month"),
        ("year=99", "year"),
        ("from=2025-02-01", "to"),
        ("from=2025-02-01&to=2025-01-01", "to"),
        (&*format!("account_id={foreign}"), "account_id"),
    ] {
        let res = app
            .get_as(&token, &format!("/api/v1/dashboard?{query}"))
            .await;
        assert_eq!(invalid_fields(res).await, vec![field], "{query}");
    }
}
