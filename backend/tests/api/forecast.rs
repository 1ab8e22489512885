//! The spending, savings and balance forecasts on a hand-built ledger: six complete months of
//! groceries (steady), dining (varying), a Netflix bill and a salary, placed relative to today.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use dhana::analytics::period::{last_of_month, shift_months};
use dhana::forecast::learned::ForecastModel;
use dhana::forecast::monthly::{self, Role, Target};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, TestApp};

both_backends!(
    a_new_user_is_told_how_much_data_is_needed,
    next_month_counts_bills_as_known_and_forecasts_the_rest,
    the_balance_projection_has_its_low_point,
);

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// `day` of the month `n` months from now.
pub(crate) fn on(n: i32, day: u32) -> NaiveDate {
    shift_months(today(), n) + Duration::days(i64::from(day) - 1)
}

const DINING: [i64; 6] = [8000, 12000, 9000, 15000, 11000, 10000];

pub(crate) struct Ledger {
    pub(crate) account: i64,
    /// Every line: date, amount, part of a recurring series.
    lines: Vec<(NaiveDate, i64, bool)>,
}

async fn line(
    app: &TestApp,
    token: &str,
    ledger: &mut Ledger,
    (date, amount, what, category): (NaiveDate, i64, &str, i64),
    recurring: bool,
) {
    app.transaction(
        token,
        json!({"account_id": ledger.account, "date": date, "amount": amount,
            "description": what, "category_id": category}),
    )
    .await;
    ledger.lines.push((date, amount, recurring));
}

pub(crate) async fn household(app: &TestApp, token: &str) -> Ledger {
    let mut ledger = Ledger {
        account: app.account(token, "Checking", "USD").await,
        lines: Vec::new(),
    };
    let groceries = app.category(token, "Groceries").await;
    let dining = app.category(token, "Dining").await;
    let subscriptions = app.category(token, "Subscriptions").await;
    let salary = app.category(token, "Salary").await;
    // Different shops each month: no merchant repeats, so no series among them.
    let shops = ["ALDI", "LIDL", "TESCO", "REWE", "SPAR", "COOP"];
    let places = ["PIZZA HUT", "SUBWAY", "NANDOS", "KFC", "WAGAMAMA", "LEON"];
    for (i, n) in (-6..=-1).enumerate() {
        let spend = (on(n, 15), -30000, shops[i], groceries);
        line(app, token, &mut ledger, spend, false).await;
        let eat = (on(n, 20), -DINING[i], places[i], dining);
        line(app, token, &mut ledger, eat, false).await;
    }
    for n in -6..=0 {
        if on(n, 10) <= today() {
            let bill = (on(n, 10), -1549, "NETFLIX.COM", subscriptions);
            line(app, token, &mut ledger, bill, true).await;
        }
        let pay = (on(n, 1), 250_000, "ACME PAYROLL", salary);
        line(app, token, &mut ledger, pay, true).await;
    }
    let today_shop = (today(), -5000, "MARKET HALL", groceries);
    line(app, token, &mut ledger, today_shop, false).await;
    ledger
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let res = app.get_as(token, path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.json().await.unwrap()
}

async fn a_new_user_is_told_how_much_data_is_needed(app: TestApp) {
    // Another user's full ledger must not count for this one.
    let other = app.user("ravi@example.com").await;
    household(&app, &other).await;
    let token = app.user("asha@example.com").await;
    let forecast = get(&app, &token, "/api/v1/forecast").await;
    let missing = json!({"needs_months": 5, "has_months": 0,
        "message": "not enough data yet: needs 5 months, you have 0"});
    assert_eq!(forecast["not_enough_data"], missing);
    assert_eq!(forecast["history_months"], 0);
    assert_eq!(
        forecast["month"],
        shift_months(today(), 1).format("%Y-%m").to_string()
    );
    for item in ["spending", "income", "net"] {
        assert_eq!(forecast[item]["amount"], Value::Null);
        assert_eq!(forecast[item]["not_enough_data"], missing);
    }
    assert_eq!(forecast["categories"], json!([]));
    let balance = get(&app, &token, "/api/v1/forecast/balance").await;
    assert_eq!(balance["items"], json!([]));

    for month in ["2026-13", "soon", "2020-01"] {
        let res = app
            .get_as(&token, &format!("/api/v1/forecast?month={month}"))
            .await;
        assert_eq!(invalid_fields(res).await, ["month"], "{month}");
    }
    for days in ["0", "367", "x"] {
        let res = app
            .get_as(&token, &format!("/api/v1/forecast/balance?days={days}"))
            .await;
        assert_eq!(invalid_fields(res).await, ["days"], "{days}");
    }
}

/// The API's item for next month against the library's forecast (under the shipped artifact)
/// of the variable history plus the known part.
fn assert_item(item: &Value, variable: &[i64], known: i64, role: Role) {
    let target = Target {
        month: shift_months(today(), 1).month(),
        known,
        role,
    };
    let f = monthly::forecast(variable, 2, target, ForecastModel::shipped()).unwrap();
    assert_eq!(item["amount"], f.amount + known, "{item}");
    assert_eq!(item["low"], f.low + known, "{item}");
    assert_eq!(item["high"], f.high + known, "{item}");
    assert_eq!(item["known_amount"], known, "{item}");
    assert_eq!(item["method"], json!(f.method), "{item}");
    assert_eq!(item["basis"], json!(f.basis), "{item}");
    assert_eq!(
        item["backtests"].as_array().unwrap().len(),
        f.backtests.len()
    );
}

async fn next_month_counts_bills_as_known_and_forecasts_the_rest(app: TestApp) {
    let token = app.user("asha@example.com").await;
    household(&app, &token).await;
    let forecast = get(&app, &token, "/api/v1/forecast").await;
    assert_eq!(forecast["not_enough_data"], Value::Null, "{forecast}");
    assert_eq!(forecast["history_months"], 6);
    assert_eq!(forecast["currency"], "USD");
    let category = |name: &str| {
        forecast["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {forecast}"))
            .clone()
    };
    // Every baseline predicts a steady 300.00 exactly: the interval is the point.
    let groceries = category("Groceries");
    assert_eq!(
        (&groceries["amount"], &groceries["low"], &groceries["high"]),
        (&json!(30000), &json!(30000), &json!(30000))
    );
    assert_eq!(groceries["method"], "median");
    // Netflix is entirely known: next month's 15.49 with nothing variable around it.
    let subscriptions = category("Subscriptions");
    assert_eq!(subscriptions["known_amount"], 1549);
    assert_eq!(subscriptions["amount"], 1549);
    assert_eq!(subscriptions["low"], 1549);
    assert_eq!(subscriptions["high"], 1549);
    assert_item(&category("Dining"), &DINING, 0, Role::Category);
    // Largest forecast first.
    let names: Vec<&str> = forecast["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names[0], "Groceries");

    let variable: Vec<i64> = DINING.iter().map(|d| d + 30000).collect();
    assert_item(&forecast["spending"], &variable, 1549, Role::TotalSpending);
    // The total is served the learned model exactly when the shipped artifact says so for
    // its kind two months past the last complete month (this is next month's forecast), and
    // says which in its basis.
    let learned = ForecastModel::shipped().serves_learned(monthly::KINDS[6], 2);
    let basis = forecast["spending"]["basis"].as_str().unwrap();
    assert_eq!(basis.starts_with("the learned model"), learned, "{basis}");
    assert!(
        basis.contains("cover 80% of months on the synthetic households it was fitted on"),
        "{basis}"
    );
    assert!(
        forecast["income"]["basis"]
            .as_str()
            .unwrap()
            .contains("not calibrated"),
        "{forecast}"
    );
    // Salary is known and nothing else comes in.
    assert_item(&forecast["income"], &[0; 6], 250_000, Role::IncomeOrNet);
    assert_eq!(forecast["income"]["amount"], 250_000);
    let net: Vec<i64> = variable.iter().map(|v| -v).collect();
    assert_item(&forecast["net"], &net, 250_000 - 1549, Role::IncomeOrNet);
    assert_eq!(forecast["pace"], Value::Null);

    // The month in progress: the pace so far.
    let this_month = today().format("%Y-%m").to_string();
    let now = get(
        &app,
        &token,
        &format!("/api/v1/forecast?month={this_month}"),
    )
    .await;
    assert_eq!(now["month"], this_month);
    let pace = &now["pace"];
    let (day, days) = (
        i64::from(today().day()),
        i64::from(last_of_month(today()).day()),
    );
    assert_eq!(pace["days_elapsed"], day);
    assert_eq!(pace["days_in_month"], days);
    let at_pace = |spent: i64| (spent as f64 * days as f64 / day as f64).round() as i64;
    let groceries_now = pace["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Groceries")
        .unwrap();
    assert_eq!(groceries_now["spent"], 5000);
    assert_eq!(groceries_now["at_this_pace"], at_pace(5000));
    let spent = 5000 + if today().day() >= 10 { 1549 } else { 0 };
    assert_eq!(pace["total"]["spent"], spent);
    assert_eq!(pace["total"]["at_this_pace"], at_pace(spent));
}

async fn the_balance_projection_has_its_low_point(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let ledger = household(&app, &token).await;
    let projection = get(&app, &token, "/api/v1/forecast/balance").await;
    let items = projection["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let account = &items[0];
    assert_eq!(account["account_id"], ledger.account);

    let today = today();
    let balance: i64 = ledger.lines.iter().map(|l| l.1).sum();
    assert_eq!(account["balance"], balance);
    let variable: i64 = ledger
        .lines
        .iter()
        .filter(|(date, _, recurring)| {
            !recurring && *date > today - Duration::days(90) && *date <= today
        })
        .map(|l| l.1)
        .sum();
    assert_eq!(
        account["variable_per_day"],
        (variable as f64 / 90.0).round() as i64
    );
    // Netflix on the 10th and the salary on the 1st of each month after today.
    let mut known: Vec<(NaiveDate, i64)> = Vec::new();
    for n in 0..=4 {
        for (date, amount) in [(on(n, 1), 250_000), (on(n, 10), -1549)] {
            if date > today && date <= today + Duration::days(90) {
                known.push((date, amount));
            }
        }
    }
    known.sort();
    let listed: Vec<(NaiveDate, i64)> = account["known"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["date"].as_str().unwrap().parse().unwrap(),
                k["amount"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, known);

    let days = account["days"].as_array().unwrap();
    assert_eq!(days.len(), 91);
    let mut low: Option<(NaiveDate, i64)> = None;
    for (d, day) in days.iter().enumerate() {
        let date = today + Duration::days(d as i64);
        let paid: i64 = known.iter().filter(|k| k.0 <= date).map(|k| k.1).sum();
        let spread = (variable as f64 * d as f64 / 90.0).round() as i64;
        let expected = balance + paid + spread;
        assert_eq!(day, &json!({"date": date, "balance": expected}), "day {d}");
        if low.is_none_or(|l| expected < l.1) {
            low = Some((date, expected));
        }
    }
    let (date, lowest) = low.unwrap();
    assert_eq!(account["low"], json!({"date": date, "balance": lowest}));
}
