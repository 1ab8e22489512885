//! Recurring series and upcoming bills on hand-built ledgers whose right answers are known. The
//! ledgers are placed relative to today so that the "next payment" is always ahead.

use chrono::{Datelike, Duration, NaiveDate, Utc};
use dhana::analytics::period::shift_months;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};

both_backends!(
    a_monthly_bill_is_detected_with_its_next_date,
    a_price_rise_and_a_missing_payment_are_reported,
    another_users_data_is_never_used,
    choices_are_kept,
    a_new_user_has_not_enough_data,
);

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// The 10th of `n` consecutive months, ending with the latest 10th not after today.
pub fn tenths(n: i32) -> Vec<NaiveDate> {
    let today = today();
    let last = if today.day() >= 10 { 0 } else { -1 };
    (0..n)
        .map(|i| shift_months(today, last - (n - 1) + i) + Duration::days(9))
        .collect()
}

async fn recurring(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app
        .get_as(token, &format!("/api/v1/recurring{query}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Bills due through the day after the payment following the 10th `last`: a window holding
/// exactly one payment of a monthly series paid on the 10th.
async fn due_after(app: &TestApp, token: &str, last: NaiveDate) -> Value {
    let days = (shift_months(last, 1) + Duration::days(9) - today()).num_days() + 1;
    let res = app
        .get_as(token, &format!("/api/v1/bills/upcoming?days={days}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn a_monthly_bill_is_detected_with_its_next_date(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Checking", "USD").await;
    let dates = tenths(6);
    let mut ids = Vec::new();
    for (i, date) in dates.iter().enumerate() {
        // Banks add card suffixes and references that differ on every line.
        let what = format!("NETFLIX.COM 866-579-{i}{i}{i} REF {}", 9000 + i);
        ids.push(app.pay(&token, account, *date, -1549, &what).await);
    }
    // Coffee now and then, at irregular gaps and prices: not a series.
    for (days, amount) in [(3, -450), (4, -520), (19, -380), (45, -610), (46, -450)] {
        app.pay(
            &token,
            account,
            today() - Duration::days(days),
            amount,
            "STARBUCKS 0042",
        )
        .await;
    }

    let list = recurring(&app, &token, "").await;
    assert_eq!(list["not_enough_data"], Value::Null, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    let bill = &items[0];
    let last = *dates.last().unwrap();
    let next = shift_months(last, 1) + Duration::days(9);
    assert_eq!(bill["name"], "Netflix");
    assert_eq!(bill["direction"], "expense");
    assert_eq!(bill["cadence"], "monthly");
    assert_eq!(bill["amount_kind"], "fixed");
    assert_eq!(bill["typical_amount"], -1549);
    assert_eq!(bill["currency"], "USD");
    assert_eq!(bill["last_date"], last.to_string());
    assert_eq!(bill["next_date"], next.to_string());
    assert_eq!(bill["next_amount"], -1549);
    assert_eq!(bill["status"], "active");
    assert_eq!(bill["choice"], "detected");
    // Six payments, every gap monthly, every amount the same.
    assert_eq!(bill["confidence"], 1.0);
    assert_eq!(bill["payments"], 6);
    assert_eq!(bill["transaction_ids"], json!(ids));
    assert_eq!(bill["changes"], json!([]));

    let one = app
        .get_as(&token, &format!("/api/v1/recurring/{}", bill["id"]))
        .await;
    assert_eq!(one.status(), StatusCode::OK);
    assert_eq!(one.json::<Value>().await.unwrap(), *bill);

    // A window through the day after the next payment: the one after is 28+ days later.
    let days = (next - today()).num_days() + 1;
    let res = app
        .get_as(&token, &format!("/api/v1/bills/upcoming?days={days}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let upcoming: Value = res.json().await.unwrap();
    assert_eq!(upcoming["from"], today().to_string());
    assert_eq!(upcoming["to"], (today() + Duration::days(days)).to_string());
    assert_eq!(
        upcoming["items"],
        json!([{"series_id": bill["id"], "name": "Netflix", "category_id": bill["category_id"],
            "date": next.to_string(), "amount": -1549, "currency": "USD", "overdue": false,
            "confidence": 1.0}])
    );
    assert_eq!(
        upcoming["totals"],
        json!([{"currency": "USD", "amount": -1549}])
    );
}

async fn a_price_rise_and_a_missing_payment_are_reported(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Checking", "EUR").await;
    let dates = tenths(6);
    for (i, date) in dates.iter().enumerate() {
        let amount = if i < 3 { -1549 } else { -1799 };
        app.pay(&token, account, *date, amount, "NETFLIX.COM").await;
    }
    // The gym was paid for four months and then stopped two months ago.
    let gym = tenths(6);
    for date in &gym[..4] {
        app.pay(
            &token,
            account,
            *date - Duration::days(5),
            -3000,
            "CITY GYM MEMBERSHIP",
        )
        .await;
    }
    // Salary comes in on the 10th too.
    for date in &dates[2..] {
        app.pay(&token, account, *date, 250_000, "ACME CORP PAYROLL")
            .await;
    }

    let list = recurring(&app, &token, "").await;
    let items = list["items"].as_array().unwrap();
    let find = |name: &str| {
        items
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {list}"))
    };
    let netflix = find("Netflix");
    assert_eq!(netflix["typical_amount"], -1799);
    assert_eq!(netflix["next_amount"], -1799);
    let rise = dates[3];
    assert_eq!(
        netflix["changes"],
        json!([{"kind": "price_change", "date": rise.to_string(), "from_amount": -1549,
            "to_amount": -1799, "last_paid": null,
            "message": format!("Netflix went from 15.49 to 17.99 in {}", rise.format("%B %Y"))}])
    );

    let gym_series = find("City Gym Membership");
    let last_paid = gym[3] - Duration::days(5);
    let expected = shift_months(last_paid, 1) + Duration::days(4);
    assert_eq!(gym_series["status"], "missing");
    assert_eq!(
        gym_series["changes"],
        json!([{"kind": "missing", "date": expected.to_string(), "from_amount": null,
            "to_amount": null, "last_paid": last_paid.to_string(),
            "message": format!("no payment to City Gym Membership since {}; one was expected on {}",
                last_paid.format("%-d %B %Y"), expected.format("%-d %B %Y"))}])
    );

    let salary = find("Acme Corp Payroll");
    assert_eq!(salary["direction"], "income");
    assert_eq!(salary["typical_amount"], 250_000);
    // Four payments: the minimum (3) plus two gives full support, so 0.5 + 0.5 × 4/5 = 0.9.
    assert_eq!(salary["confidence"], 0.9);

    // Only the active bill is due; income and the missing gym are not bills to pay.
    let upcoming = due_after(&app, &token, dates[5]).await;
    let due: Vec<&str> = upcoming["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(due, ["Netflix"]);
    assert_eq!(
        upcoming["totals"],
        json!([{"currency": "EUR", "amount": -1799}])
    );
}

async fn another_users_data_is_never_used(app: TestApp) {
    let asha = app.user("asha@example.com").await;
    let ravi = app.user("ravi@example.com").await;
    let asha_account = app.account(&asha, "Checking", "USD").await;
    let ravi_account = app.account(&ravi, "Checking", "USD").await;
    for date in tenths(6) {
        app.pay(&ravi, ravi_account, date, -1549, "NETFLIX.COM")
            .await;
    }
    // Asha paid Netflix twice: with Ravi's payments it would be a series, alone it is not.
    for date in &tenths(2) {
        app.pay(&asha, asha_account, *date, -1549, "NETFLIX.COM")
            .await;
    }
    let ravis = recurring(&app, &ravi, "").await;
    assert_eq!(ravis["items"].as_array().unwrap().len(), 1);
    let id = &ravis["items"][0]["id"];
    assert_eq!(recurring(&app, &asha, "").await["items"], json!([]));
    let upcoming: Value = app
        .get_as(&asha, "/api/v1/bills/upcoming")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(upcoming["items"], json!([]));
    assert_eq!(upcoming["totals"], json!([]));

    let path = format!("/api/v1/recurring/{id}");
    problem(app.get_as(&asha, &path).await, StatusCode::NOT_FOUND).await;
    let res = app
        .patch_as(&asha, &path, &json!({"choice": "dismissed"}))
        .await;
    problem(res, StatusCode::NOT_FOUND).await;
    problem(
        app.get_as(&asha, "/api/v1/recurring/999999").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Ravi's series is untouched.
    assert_eq!(
        recurring(&app, &ravi, "").await["items"][0]["choice"],
        "detected"
    );
}

async fn choices_are_kept(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Checking", "USD").await;
    let dates = tenths(5);
    for date in &dates[..4] {
        app.pay(&token, account, *date, -1549, "NETFLIX.COM").await;
    }
    for date in &dates {
        app.pay(&token, account, *date, -899, "SPOTIFY AB").await;
    }
    let list = recurring(&app, &token, "").await;
    let id_of = |name: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap()["id"]
            .clone()
    };
    let (netflix, spotify) = (id_of("Netflix"), id_of("Spotify Ab"));
    let netflix_path = format!("/api/v1/recurring/{netflix}");
    let spotify_path = format!("/api/v1/recurring/{spotify}");

    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(101)}), "name"),
        (json!({"choice": "maybe"}), "choice"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let res = app.patch_as(&token, &netflix_path, &body).await;
        assert_eq!(invalid_fields(res).await, [field], "{body}");
    }

    let res = app
        .patch_as(
            &token,
            &netflix_path,
            &json!({"choice": "confirmed", "name": "  Films  "}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let renamed: Value = res.json().await.unwrap();
    assert_eq!(renamed["name"], "Films");
    assert_eq!(renamed["merchant"], "Netflix");
    assert_eq!(renamed["choice"], "confirmed");
    let res = app
        .patch_as(&token, &spotify_path, &json!({"choice": "dismissed"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    // A new payment re-runs detection: same ids, same choices.
    app.pay(&token, account, dates[4], -1549, "NETFLIX.COM 0099")
        .await;
    let list = recurring(&app, &token, "").await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "the dismissed series is hidden: {list}");
    assert_eq!(items[0]["id"], netflix);
    assert_eq!(items[0]["name"], "Films");
    assert_eq!(items[0]["choice"], "confirmed");
    assert_eq!(items[0]["payments"], 5);
    let all = recurring(&app, &token, "?include_dismissed=true").await;
    let dismissed: Vec<&Value> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["choice"] == "dismissed")
        .collect();
    assert_eq!(dismissed.len(), 1);
    assert_eq!(dismissed[0]["id"], spotify);
    let upcoming = due_after(&app, &token, dates[4]).await;
    let due: Vec<&Value> = upcoming["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["series_id"])
        .collect();
    assert_eq!(due, [&netflix], "a dismissed series is not a bill");

    // `null` returns to the merchant's name; `detected` undoes the dismissal.
    let res = app
        .patch_as(&token, &netflix_path, &json!({"name": null}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["name"], "Netflix");
    let res = app
        .patch_as(&token, &spotify_path, &json!({"choice": "detected"}))
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["choice"], "detected");
    assert_eq!(
        recurring(&app, &token, "").await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

async fn a_new_user_has_not_enough_data(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Checking", "USD").await;
    let list = recurring(&app, &token, "").await;
    assert_eq!(
        list,
        json!({"items": [], "not_enough_data": {"needs_months": 3, "has_months": 0,
            "message": "not enough data yet: needs 3 months, you have 0"}})
    );
    app.pay(&token, account, today(), -500, "CORNER SHOP").await;
    let list = recurring(&app, &token, "").await;
    assert_eq!(list["not_enough_data"]["has_months"], 1);
    for days in ["0", "367", "abc", "-1", "1.5"] {
        let res = app
            .get_as(&token, &format!("/api/v1/bills/upcoming?days={days}"))
            .await;
        assert_eq!(invalid_fields(res).await, ["days"], "{days}");
    }
    let upcoming: Value = app
        .get_as(&token, "/api/v1/bills/upcoming")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(upcoming["to"], (today() + Duration::days(30)).to_string());
    assert_eq!(upcoming["not_enough_data"]["needs_months"], 3);
}
