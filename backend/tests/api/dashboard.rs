use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, TestApp};
use crate::imports::import;

both_backends!(
    a_user_without_data_gets_zeros,
    a_month_adds_up_to_the_cent,
    a_year_has_twelve_months_and_other_currencies_stay_apart,
    the_period_is_validated,
    a_year_of_a_bank_file_adds_up_and_refunds_never_make_a_negative_share,
    without_a_period_it_opens_on_the_latest_month_with_data,
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
        json!({"income": 0, "spending": 0, "refunds": 0, "net": 0, "savings_rate": null})
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
        json!({"income": income, "spending": spending, "refunds": 0, "net": income - spending, "savings_rate": ((income - spending) as f64 / income as f64 * 10000.0).round() / 10000.0})
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

/// A year of a typical bank file (date, signed amount, description), with the bank's own
/// category column so that the figures do not depend on the categorizer. A jacket bought in
/// December 2024 is returned in January 2025: Shopping's refunds beyond its spending in 2025.
fn a_year_statement() -> String {
    let mut csv = String::from("Date,Amount,Description,Category\n");
    csv.push_str("2024-12-20,-150.00,ZARA STORE 1142 LONDON,Shopping\n");
    for m in 1..=12 {
        csv.push_str(&format!(
            "2025-{m:02}-01,-1200.00,RENT FLAT 4B REF {m}77,Rent & Mortgage\n"
        ));
        csv.push_str(&format!(
            "2025-{m:02}-05,-85.40,TESCO STORES 3297 LONDON,Groceries\n"
        ));
        csv.push_str(&format!(
            "2025-{m:02}-18,-62.35,TESCO STORES 3297 LONDON,Groceries\n"
        ));
        csv.push_str(&format!(
            "2025-{m:02}-25,3000.00,ACME LTD SALARY {m:02}/25,Salary\n"
        ));
    }
    for (date, amount, who) in [
        ("2025-03-10", "750.00", "BLUEWAVE STUDIO"),
        ("2025-06-14", "1250.00", "NORTHWIND TRADERS"),
        ("2025-09-09", "500.00", "BLUEWAVE STUDIO"),
        ("2025-11-20", "980.50", "FABRIKAM DESIGN"),
    ] {
        csv.push_str(&format!(
            "{date},{amount},FREELANCE INVOICE {who},Other Income\n"
        ));
    }
    csv.push_str("2025-12-15,2000.00,ACME LTD BONUS,Salary\n");
    csv.push_str("2025-04-03,-23.90,LUIGIS TRATTORIA,Dining\n");
    csv.push_str("2025-07-06,10.00,TESCO STORES 3297 REFUND,Groceries\n");
    csv.push_str("2025-02-02,-30.00,ZARA STORE 1142 LONDON,Shopping\n");
    csv.push_str("2025-01-08,150.00,ZARA STORE 1142 REFUND,\n");
    csv
}

/// The `(name, amount, count, share)` of a list of category shares.
fn shares(list: &Value) -> Vec<(String, i64, i64, f64)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["amount"].as_i64().unwrap(),
                c["count"].as_i64().unwrap(),
                c["share"].as_f64().unwrap(),
            )
        })
        .collect()
}

async fn a_year_of_a_bank_file_adds_up_and_refunds_never_make_a_negative_share(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let main = app.account(&token, "Main", "USD").await;
    let imported = import(&app, &token, main, &a_year_statement()).await;
    assert_eq!(imported["counts"]["imported"], 1 + 12 * 4 + 4 + 1 + 4);
    // The jacket's refund is filed by hand, as a refund of Shopping.
    let shopping = app.category(&token, "Shopping").await;
    let list: Value = app
        .get_as(&token, "/api/v1/transactions?month=2025-01&q=REFUND")
        .await
        .json()
        .await
        .unwrap();
    let refund = list["items"][0]["id"].as_i64().unwrap();
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/transactions/{refund}"),
            &json!({"category_id": shopping}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let d = dashboard(&app, &token, "year=2025").await;
    // By hand, in cents: salary 12 × 300000 and a 200000 bonus; freelance 75000 + 125000 +
    // 50000 + 98050; rent 12 × 120000; groceries 12 × (8540 + 6235) less a 1000 refund; dining
    // 2390; Shopping 30.00 spent against a 150.00 refund: 12000 refunded beyond its spending.
    let salary = 12 * 300_000 + 200_000;
    let freelance = 75_000 + 125_000 + 50_000 + 98_050;
    let (rent, groceries, dining) = (12 * 120_000, 12 * (8_540 + 6_235) - 1_000, 2_390);
    let income = salary + freelance;
    let spending = rent + groceries + dining;
    assert_eq!((income, spending), (4_148_050, 1_618_690));
    assert_eq!(d["summary"]["income"], income);
    assert_eq!(d["summary"]["spending"], spending);
    assert_eq!(d["summary"]["refunds"], 12_000);
    // Net is what the year added to the account: the sum of the file's 2025 amounts.
    assert_eq!(d["summary"]["net"], 2_541_360);
    assert_eq!(
        shares(&d["spending_by_category"]),
        vec![
            ("Rent & Mortgage".into(), rent, 12, 0.8896),
            ("Groceries".into(), groceries, 25, 0.1089),
            ("Dining".into(), dining, 1, 0.0015),
        ],
        "shares of positive spending only; Shopping is no slice"
    );
    assert_eq!(
        shares(&d["refunds_by_category"]),
        vec![("Shopping".into(), 12_000, 2, 1.0)]
    );
    assert_eq!(
        shares(&d["income_by_category"]),
        vec![
            ("Salary".into(), salary, 13, 0.9161),
            ("Other Income".into(), freelance, 4, 0.0839),
        ]
    );
    // The file has no merchant column: merchants come from the descriptions.
    assert_eq!(
        d["top_merchants"],
        json!([
            {"name": "Rent Flat", "amount": rent, "count": 12},
            {"name": "Tesco Stores", "amount": 12 * (8_540 + 6_235), "count": 24},
            {"name": "Zara Store", "amount": 3_000, "count": 1},
            {"name": "Luigis Trattoria", "amount": dining, "count": 1},
        ])
    );
    // The jacket bought in December 2024 is the previous year's spending.
    assert_eq!(d["previous"]["spending"], 15_000);
    assert_eq!(d["refunds_by_category"][0]["previous_amount"], 0);

    // January alone: the refund outweighs Shopping's spending that month too.
    let january = dashboard(&app, &token, "month=2025-01").await;
    assert_eq!(january["summary"]["refunds"], 15_000);
    assert_eq!(
        january["summary"]["spending"],
        120_000 + 8_540 + 6_235,
        "no negative Shopping slice reduces it"
    );
    let december = &d["monthly"]["datasets"];
    assert_eq!(december[0]["data"][11], 300_000 + 200_000);
    assert_eq!(december[1]["data"][0], 120_000 + 8_540 + 6_235);
    assert_eq!(
        december[2]["data"][0],
        300_000 - 120_000 - 8_540 - 6_235 + 15_000
    );
}

async fn without_a_period_it_opens_on_the_latest_month_with_data(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let main = app.account(&token, "Main", "USD").await;
    let this_month = chrono::Utc::now().date_naive().format("%Y-%m").to_string();
    let empty = dashboard(&app, &token, "").await;
    assert_eq!(empty["period"]["label"], this_month.as_str());
    assert_eq!(
        empty["fell_back_from"],
        Value::Null,
        "nothing to fall back to"
    );

    for date in ["2025-03-31", "2025-02-10", "2099-01-01"] {
        app.transaction(
            &token,
            json!({"account_id": main, "date": date, "amount": -500, "description": "x"}),
        )
        .await;
    }
    let d = dashboard(&app, &token, "").await;
    assert_eq!(d["period"]["label"], "2025-03", "not the far future");
    assert_eq!(d["fell_back_from"], this_month.as_str());
    assert_eq!(d["summary"]["spending"], 500);
    let budgets: Value = app
        .get_as(&token, "/api/v1/budgets")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(budgets["month"], "2025-03");
    assert_eq!(budgets["fell_back_from"], this_month.as_str());

    // A period asked for is shown as asked, empty or not.
    let asked = dashboard(&app, &token, &format!("month={this_month}")).await;
    assert_eq!(asked["fell_back_from"], Value::Null);
    assert_eq!(asked["summary"]["spending"], 0);

    // Once this month has a transaction, it opens on this month.
    let today = chrono::Utc::now().date_naive().to_string();
    app.transaction(
        &token,
        json!({"account_id": main, "date": today, "amount": -700, "description": "x"}),
    )
    .await;
    let now = dashboard(&app, &token, "").await;
    assert_eq!(now["period"]["label"], this_month.as_str());
    assert_eq!(now["fell_back_from"], Value::Null);
}
