//! Budget suggestions on hand-built ledgers: six complete months, a one-off month, zero months,
//! income that the limits must fit, and "apply" through the budgets module.

use chrono::{Duration, NaiveDate, Utc};
use dhana::analytics::period::shift_months;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};

both_backends!(suggestions_leave_one_offs_out_fit_income_and_apply);

/// The 5th of the month `n` months from now.
fn fifth(n: i32) -> NaiveDate {
    shift_months(Utc::now().date_naive(), n) + Duration::days(4)
}

fn label(n: i32) -> String {
    fifth(n).format("%Y-%m").to_string()
}

/// Six months (-6 … -1) of dining with a one-off in month -4 and two empty months, steady
/// groceries, and `salary` each month.
async fn ledger(app: &TestApp, token: &str, salary: i64) {
    let account = app.account(token, "Checking", "USD").await;
    let dining = app.category(token, "Dining").await;
    let groceries = app.category(token, "Groceries").await;
    let pay = app.category(token, "Salary").await;
    let eats = [10000, 0, 90000, 12000, 11000, 0];
    for (i, n) in (-6..=-1).enumerate() {
        let mut lines = vec![(-30000, groceries), (salary, pay)];
        if eats[i] > 0 {
            lines.push((-eats[i], dining));
        }
        for (amount, category) in lines {
            app.transaction(
                token,
                json!({"account_id": account, "date": fifth(n), "amount": amount,
                    "description": format!("LINE {i}"), "category_id": category}),
            )
            .await;
        }
    }
}

async fn suggestions(app: &TestApp, token: &str) -> Value {
    let res = app.get_as(token, "/api/v1/budgets/recommendations").await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn suggestions_leave_one_offs_out_fit_income_and_apply(app: TestApp) {
    let asha = app.user("asha@example.com").await;
    ledger(&app, &asha, 250_000).await;
    let found = suggestions(&app, &asha).await;
    assert_eq!(found["month"], label(1));
    let items = found["items"].as_array().unwrap();
    let names: Vec<&str> = items.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["Groceries", "Dining"],
        "largest first; nothing else was spent in"
    );
    // Groceries: 300.00 every month.
    assert_eq!(items[0]["amount"], 30000);
    assert_eq!(items[0]["left_out"], json!([]));
    // Dining: 900.00 in month -4 is a one-off; kept 0 0 100 110 120 → 80th percentile at
    // position 3.2 = 110 + 0.2 × 10 = 112.00.
    let dining = &items[1];
    assert_eq!(dining["amount"], 11200);
    assert_eq!(dining["left_out"], json!([label(-4)]));
    assert_eq!(
        dining["reason"],
        format!("80th percentile of the last 6 months (months without spending counted); {} left out as a one-off", label(-4))
    );
    assert_eq!(dining["budget_id"], Value::Null);
    assert_eq!(dining["currency"], "USD");

    // A user earning 200.00 a month: 300 + 112 is scaled to fit it, rounded down to whole
    // units: 300 × 200 / 412 = 145.63 → 145.00; 112 × 200 / 412 = 54.37 → 54.00.
    let ravi = app.user("ravi@example.com").await;
    ledger(&app, &ravi, 20000).await;
    let tight = suggestions(&app, &ravi).await;
    let amounts: Vec<&Value> = tight["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["amount"])
        .collect();
    assert_eq!(amounts, [&json!(14500), &json!(5400)]);
    assert!(tight["items"][0]["reason"]
        .as_str()
        .unwrap()
        .ends_with("; scaled down so that all limits fit your usual income of 200.00"));
    // Asha's figures are untouched by Ravi's ledger.
    assert_eq!(suggestions(&app, &asha).await, found);

    // Apply: a budget from next month with the suggested limit.
    let dining_id = dining["category_id"].as_i64().unwrap();
    let path = format!("/api/v1/budgets/recommendations/{dining_id}/apply");
    let res = app.post_as(&asha, &path, &json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let budget: Value = res.json().await.unwrap();
    assert_eq!(budget["category_id"], dining_id);
    assert_eq!(budget["amount"], 11200);
    assert_eq!(budget["starts"], label(1));
    let after = suggestions(&app, &asha).await;
    assert_eq!(after["items"][1]["budget_id"], budget["id"]);
    assert_eq!(after["items"][1]["current_limit"], 11200);
    // Applying again changes that budget rather than making a second one.
    let res = app.post_as(&asha, &path, &json!({})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["id"], budget["id"]);
    let limits: Value = app
        .get_as(&asha, "/api/v1/budgets/limits")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(limits["items"].as_array().unwrap().len(), 1);

    // Another user's category is not found; a category without spending has no suggestion.
    problem(
        app.post_as(&ravi, &path, &json!({})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let travel = app.category(&asha, "Travel").await;
    let res = app
        .post_as(
            &asha,
            &format!("/api/v1/budgets/recommendations/{travel}/apply"),
            &json!({}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, ["category_id"]);
    for month in ["2020-01", "13-2026"] {
        let res = app
            .get_as(
                &asha,
                &format!("/api/v1/budgets/recommendations?month={month}"),
            )
            .await;
        assert_eq!(invalid_fields(res).await, ["month"], "{month}");
    }
}
