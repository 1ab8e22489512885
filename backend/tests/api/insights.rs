//! Insights on a hand-built ledger whose sentences are known: seven months of the same salary
//! and groceries, the last complete month's groceries doubled.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use dhana::analytics::period::{first_of_month, last_of_month, shift_months};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{of_kind, problem, TestApp};

both_backends!(
    category_change_and_savings_rate_are_said_with_their_figures,
    dismissals_are_kept_and_scoped_to_the_user,
    a_new_user_has_not_enough_data_per_item,
    a_budget_the_months_forecast_overruns_is_said_once_per_period,
);

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The first day of the last complete month.
fn last_month() -> NaiveDate {
    shift_months(today(), -1)
}

/// Salary of 3,000.00 on the 1st and groceries of 300.00 on the 10th for the six months before
/// the last complete one, then 600.00 of groceries in it. Each grocery payment is at another
/// shop, so none is a recurring bill.
async fn ledger(app: &TestApp, token: &str) {
    let account = app.account(token, "Checking", "USD").await;
    let groceries = app.category(token, "Groceries").await;
    let shops = [
        "KROGER",
        "ALDI",
        "SAFEWAY",
        "LIDL",
        "COSTCO",
        "TESCO",
        "WHOLE FOODS",
    ];
    for (k, shop) in (0..7).zip(shops) {
        let month = shift_months(last_month(), k - 6);
        app.pay(token, account, month, 300_000, "ACME CORP PAYROLL")
            .await;
        let amount = if k == 6 { -60_000 } else { -30_000 };
        app.transaction(
            token,
            json!({"account_id": account, "date": month + Duration::days(9), "amount": amount,
                   "description": shop, "category_id": groceries}),
        )
        .await;
    }
}

async fn insights(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app.get_as(token, &format!("/api/v1/insights{query}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn dismiss(app: &TestApp, token: &str, id: i64) -> reqwest::Response {
    app.patch_as(
        token,
        &format!("/api/v1/insights/{id}"),
        &json!({"dismissed": true}),
    )
    .await
}

fn month_name(d: NaiveDate) -> String {
    d.format("%B").to_string()
}

async fn category_change_and_savings_rate_are_said_with_their_figures(app: TestApp) {
    let token = app.user("said@example.com").await;
    ledger(&app, &token).await;
    let list = insights(&app, &token, "").await;
    let last = last_month();
    let period = format!("{}-{:02}", last.year(), last.month());
    let change = of_kind(&list, "category_change");
    assert_eq!(change.len(), 1, "{list}");
    let c = change[0];
    assert_eq!(c["category_id"], app.category(&token, "Groceries").await);
    assert_eq!(c["period"], period);
    assert_eq!(c["severity"], "medium");
    assert_eq!(c["change_percent"], 100.0);
    assert_eq!(
        c["figures"],
        json!([
            {"name": "spent", "amount": -60000, "currency": "USD"},
            {"name": "last_month", "amount": -30000, "currency": "USD"},
            {"name": "usual_month", "amount": -30000, "currency": "USD"},
        ])
    );
    assert_eq!(
        c["message"],
        format!(
            "Groceries: 600.00 in {}, up 100% from 300.00 in {} and 100% above your usual month (300.00)",
            month_name(last),
            month_name(shift_months(last, -1))
        )
    );
    // (3000 − 600) / 3000 = 80% against (3000 − 300) / 3000 = 90%.
    let rate = of_kind(&list, "savings_rate");
    assert_eq!(rate.len(), 1, "{list}");
    assert_eq!(rate[0]["change_percent"], -10.0);
    assert_eq!(rate[0]["severity"], "medium");
    assert_eq!(
        rate[0]["figures"],
        json!([
            {"name": "income", "amount": 300000, "currency": "USD"},
            {"name": "spent", "amount": -60000, "currency": "USD"},
            {"name": "net", "amount": 240000, "currency": "USD"},
        ])
    );
    assert_eq!(
        rate[0]["message"],
        format!(
            "You saved 80% of your income in {}, down from 90% in {}",
            month_name(last),
            month_name(shift_months(last, -1))
        )
    );
    assert_eq!(list["not_enough_data"], json!([]));
    // The same again: one insight per kind and period, with the same ids.
    let again = insights(&app, &token, "").await;
    assert_eq!(again["items"], list["items"]);
}

async fn dismissals_are_kept_and_scoped_to_the_user(app: TestApp) {
    let token = app.user("keep@example.com").await;
    ledger(&app, &token).await;
    let list = insights(&app, &token, "").await;
    let id = of_kind(&list, "category_change")[0]["id"].as_i64().unwrap();
    let other = app.user("nosy@example.com").await;
    problem(dismiss(&app, &other, id).await, StatusCode::NOT_FOUND).await;
    assert_eq!(insights(&app, &other, "").await["items"], json!([]));
    let res = dismiss(&app, &token, id).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["dismissed"], true);
    assert_eq!(body["kind"], "category_change");
    let list = insights(&app, &token, "").await;
    assert!(of_kind(&list, "category_change").is_empty(), "{list}");
    assert_eq!(of_kind(&list, "savings_rate").len(), 1);
    let all = insights(&app, &token, "?include_dismissed=true").await;
    let kept = of_kind(&all, "category_change");
    assert_eq!(kept[0]["id"], id);
    assert_eq!(kept[0]["dismissed"], true);
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/insights/{id}"),
            &json!({"dismissed": "no"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

async fn a_new_user_has_not_enough_data_per_item(app: TestApp) {
    let token = app.user("fresh@example.com").await;
    let list = insights(&app, &token, "").await;
    assert_eq!(list["items"], json!([]));
    assert_eq!(
        list["not_enough_data"],
        json!([
            {"kind": "category_change", "needs_months": 2, "has_months": 0,
             "message": "not enough data yet: needs 2 months, you have 0"},
            {"kind": "savings_rate", "needs_months": 2, "has_months": 0,
             "message": "not enough data yet: needs 2 months, you have 0"},
            {"kind": "subscriptions_total", "needs_months": 3, "has_months": 0,
             "message": "not enough data yet: needs 3 months, you have 0"},
        ])
    );
}

/// Six months of a 50.00 gym bill on the 1st (Subscriptions) and a 40.00 dinner (Dining), then
/// this month the bill, an 80.00 app on the 1st and a 10.00 dinner. Subscriptions has a budget
/// of 100.00, Dining one of 1,000.00.
///
/// Subscriptions' month: 130.00 spent, of which the bill 50.00; the variable 80.00 continued at
/// its pace to the month's end adds 80.00 × (days left) ÷ (days gone); no bill is still due.
/// Past months had no variable spending there, so the pace never missed: the interval is the
/// point. Even on the last day that is 130.00, 30% over: high. Dining at its pace reaches at
/// most 10.00 × 31 = 310.00: under its limit, never said.
async fn a_budget_the_months_forecast_overruns_is_said_once_per_period(app: TestApp) {
    let token = app.user("over@example.com").await;
    let account = app.account(&token, "Checking", "USD").await;
    let subscriptions = app.category(&token, "Subscriptions").await;
    let dining = app.category(&token, "Dining").await;
    let month = first_of_month(today());
    let restaurants = [
        "LUIGIS",
        "SAKURA",
        "EL TORO",
        "BISTRO 9",
        "DHABA",
        "NOODLE BAR",
    ];
    for (k, restaurant) in (1..=6).rev().zip(restaurants) {
        let m = shift_months(month, -k);
        app.transaction(
            &token,
            json!({"account_id": account, "date": m, "amount": -5000,
            "description": "GYMPASS CLUB", "category_id": subscriptions}),
        )
        .await;
        app.transaction(
            &token,
            json!({"account_id": account, "date": m, "amount": -4000,
            "description": restaurant, "category_id": dining}),
        )
        .await;
    }
    for (amount, what, category) in [
        (-5000, "GYMPASS CLUB", subscriptions),
        (-8000, "APP STORE PURCHASE", subscriptions),
        (-1000, "TACO TRUCK", dining),
    ] {
        app.transaction(
            &token,
            json!({"account_id": account, "date": month, "amount": amount,
            "description": what, "category_id": category}),
        )
        .await;
    }
    let label = format!("{}-{:02}", month.year(), month.month());
    let mut budget_ids = Vec::new();
    for (category, limit) in [(subscriptions, 10_000), (dining, 100_000)] {
        let res = app
            .post_as(
                &token,
                "/api/v1/budgets",
                &json!({"category_id": category, "amount": limit, "starts": label}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        budget_ids.push(res.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }

    let (gone, days) = (
        i64::from(today().day()),
        i64::from(last_of_month(month).day()),
    );
    // Rounded half up, as the pace is (all positive here).
    let rest = (2 * 8000 * (days - gone) + gone) / (2 * gone);
    let forecast = 13_000 + rest;
    let over = forecast - 10_000;
    let share = (over as f64 / 10_000.0 * 1000.0).round() / 10.0;
    let list = insights(&app, &token, "").await;
    let said = of_kind(&list, "budget_overspend");
    assert_eq!(said.len(), 1, "{list}");
    let s = said[0];
    assert_eq!(s["category_id"], subscriptions);
    assert_eq!(s["budget_id"], budget_ids[0]);
    assert_eq!(s["period"], label);
    assert_eq!(s["severity"], "high");
    assert_eq!(s["change_percent"], share);
    assert_eq!(
        s["figures"],
        json!([
            {"name": "limit", "amount": -10000, "currency": "USD"},
            {"name": "forecast", "amount": -forecast, "currency": "USD"},
            {"name": "low", "amount": -forecast, "currency": "USD"},
            {"name": "high", "amount": -forecast, "currency": "USD"},
            {"name": "over", "amount": -over, "currency": "USD"},
            {"name": "spent", "amount": -13000, "currency": "USD"},
            {"name": "bills_to_come", "amount": 0, "currency": "USD"},
        ])
    );
    let usd = |minor: i64| format!("{}.{:02}", minor / 100, minor % 100);
    assert_eq!(
        s["message"],
        format!(
            "Subscriptions: on course for {} in {} against a budget of 100.00, {} ({share}%) over; 80% likely between {} and {}, 130.00 spent so far",
            usd(forecast),
            month_name(month),
            usd(over),
            usd(forecast),
            usd(forecast)
        )
    );
    // Said once per budget and month: the same id on every call, and a dismissal is kept.
    let again = insights(&app, &token, "").await;
    assert_eq!(of_kind(&again, "budget_overspend")[0]["id"], s["id"]);
    let id = s["id"].as_i64().unwrap();
    assert_eq!(dismiss(&app, &token, id).await.status(), StatusCode::OK);
    assert!(of_kind(&insights(&app, &token, "").await, "budget_overspend").is_empty());
    let all = insights(&app, &token, "?include_dismissed=true").await;
    assert_eq!(of_kind(&all, "budget_overspend")[0]["dismissed"], true);
    // Another user's budgets and ledger say nothing to them.
    let other = app.user("other@example.com").await;
    assert!(of_kind(&insights(&app, &other, "").await, "budget_overspend").is_empty());
}
