use chrono::{Datelike, Months, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};

both_backends!(
    goals_are_validated_and_scoped,
    contributions_move_progress_and_milestones_are_recorded_once,
    accounts_shared_by_goals_serve_the_oldest_first,
    a_share_of_each_complete_month_is_allocated,
);

fn this_month() -> NaiveDate {
    Utc::now().date_naive().with_day(1).unwrap()
}

fn label(month: NaiveDate) -> String {
    month.format("%Y-%m").to_string()
}

async fn goal(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post_as(token, "/api/v1/goals", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{body}");
    res.json().await.unwrap()
}

async fn contribute(app: &TestApp, token: &str, id: &Value, amount: i64) -> Value {
    let res = app
        .post_as(
            token,
            &format!("/api/v1/goals/{id}/contributions"),
            &json!({"amount": amount, "note": "by hand"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

async fn savings_account(
    app: &TestApp,
    token: &str,
    name: &str,
    currency: &str,
    opening: i64,
) -> i64 {
    let res = app
        .post_as(
            token,
            "/api/v1/accounts",
            &json!({"name": name, "kind": "savings", "currency": currency, "opening_balance": opening}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn goals_are_validated_and_scoped(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let euros = savings_account(&app, &token, "Euro savings", "EUR", 0).await;
    let theirs = savings_account(&app, &other, "Savings", "USD", 0).await;
    for (body, field) in [
        (json!({"name": " ", "target_amount": 100}), "name"),
        (json!({"name": "Car", "target_amount": 0}), "target_amount"),
        (
            json!({"name": "Car", "target_amount": 100, "currency": "EURO"}),
            "currency",
        ),
        (
            json!({"name": "Car", "target_amount": 100, "target_date": "2027-02-30"}),
            "target_date",
        ),
        (
            json!({"name": "Car", "target_amount": 100, "savings_share_bp": 0}),
            "savings_share_bp",
        ),
        (
            json!({"name": "Car", "target_amount": 100, "starts": "2999-01"}),
            "starts",
        ),
        (
            json!({"name": "Car", "target_amount": 100, "accounts": [{"account_id": theirs, "amount": 5}]}),
            "accounts[0].account_id",
        ),
        (
            json!({"name": "Car", "target_amount": 100, "accounts": [{"account_id": euros, "amount": 5}]}),
            "accounts[0].account_id",
        ),
        (
            json!({"name": "Car", "target_amount": 100, "currency": "EUR",
                "accounts": [{"account_id": euros, "amount": 0}]}),
            "accounts[0].amount",
        ),
    ] {
        let res = app.post_as(&token, "/api/v1/goals", &body).await;
        assert_eq!(invalid_fields(res).await, vec![field], "{body}");
    }
    let car = goal(
        &app,
        &token,
        json!({"name": "Car", "target_amount": 500_000}),
    )
    .await;
    assert_eq!(car["currency"], "USD");
    assert_eq!(car["state"], "active");
    assert_eq!(car["progress"]["status"], "no_date");
    let again = app
        .post_as(
            &token,
            "/api/v1/goals",
            &json!({"name": "Car", "target_amount": 1}),
        )
        .await;
    problem(again, StatusCode::CONFLICT).await;

    let path = format!("/api/v1/goals/{}", car["id"]);
    let contributions = format!("{path}/contributions");
    for res in [
        app.get_as(&other, &path).await,
        app.patch_as(&other, &path, &json!({"name": "Mine"})).await,
        app.delete_as(&other, &path).await,
        app.get_as(&other, &contributions).await,
        app.post_as(&other, &contributions, &json!({"amount": 5}))
            .await,
    ] {
        problem(res, StatusCode::NOT_FOUND).await;
    }
    let res = app
        .post_as(&token, &contributions, &json!({"amount": 0}))
        .await;
    assert_eq!(invalid_fields(res).await, ["amount"]);
    let res = app
        .patch_as(&token, &path, &json!({"savings_share_bp": 10_001}))
        .await;
    assert_eq!(invalid_fields(res).await, ["savings_share_bp"]);
    let res = app.patch_as(&token, &path, &json!({"state": "gone"})).await;
    assert_eq!(invalid_fields(res).await, ["state"]);

    // Another goal's contribution is not found through this one.
    let trip = goal(
        &app,
        &token,
        json!({"name": "Trip", "target_amount": 100_000}),
    )
    .await;
    contribute(&app, &token, &trip["id"], 5_000).await;
    let trips: Value = app
        .get_as(
            &token,
            &format!("/api/v1/goals/{}/contributions", trip["id"]),
        )
        .await
        .json()
        .await
        .unwrap();
    let trip_contribution = &trips["items"][0]["id"];
    let res = app
        .delete_as(&token, &format!("{contributions}/{trip_contribution}"))
        .await;
    problem(res, StatusCode::NOT_FOUND).await;

    for (state, listed) in [
        ("paused", 2),
        ("completed", 2),
        ("archived", 1),
        ("active", 2),
    ] {
        let res = app.patch_as(&token, &path, &json!({"state": state})).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap()["state"], state);
        let list: Value = app
            .get_as(&token, "/api/v1/goals")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"].as_array().unwrap().len(), listed, "{state}");
    }
    let all: Value = app
        .get_as(&token, "/api/v1/goals?archived=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.delete_as(&token, &path).await.status(),
        StatusCode::NO_CONTENT
    );
    problem(app.get_as(&token, &path).await, StatusCode::NOT_FOUND).await;
}

async fn contributions_move_progress_and_milestones_are_recorded_once(app: TestApp) {
    let token = app.user("asha@example.com").await;
    // Due in the month five months from now: six months to save in, this one included.
    let due = this_month() + Months::new(5);
    let created = goal(
        &app,
        &token,
        json!({"name": "Laptop", "target_amount": 100_000, "target_date": due}),
    )
    .await;
    let id = &created["id"];
    assert_eq!(created["progress"]["needed_per_month"], 16_667);
    assert_eq!(created["progress"]["saved"], 0);
    let today = Utc::now().date_naive().to_string();

    let after = contribute(&app, &token, id, 30_000).await;
    let progress = &after["progress"];
    assert_eq!(progress["saved"], 30_000);
    assert_eq!(progress["remaining"], 70_000);
    assert_eq!(progress["percent"], 30.0);
    // 700.00 over six months, rounded up to the cent.
    assert_eq!(progress["needed_per_month"], 11_667);
    assert_eq!(progress["pace"], Value::Null);
    assert_eq!(progress["projection_note"], "not_enough_data");
    assert_eq!(progress["status"], "on_track");
    assert_eq!(
        after["milestones"],
        json!([{"percent": 25, "reached_on": today}])
    );
    assert_eq!(after["new_milestones"], json!([25]));
    assert_eq!(
        after["history"],
        json!([{"month": label(this_month()), "saved": 30_000}])
    );

    // Reading again records nothing new.
    let again: Value = app
        .get_as(&token, &format!("/api/v1/goals/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["new_milestones"], json!([]));
    assert_eq!(again["milestones"].as_array().unwrap().len(), 1);

    let after = contribute(&app, &token, id, 75_000).await;
    assert_eq!(after["progress"]["status"], "reached");
    assert_eq!(after["progress"]["remaining"], 0);
    assert_eq!(after["new_milestones"], json!([50, 75, 100]));
    assert_eq!(after["milestones"].as_array().unwrap().len(), 4);

    // Taking the money back out leaves the milestones as the dated facts they were.
    let list: Value = app
        .get_as(&token, &format!("/api/v1/goals/{id}/contributions"))
        .await
        .json()
        .await
        .unwrap();
    let last = &list["items"][1]["id"];
    let res = app
        .delete_as(&token, &format!("/api/v1/goals/{id}/contributions/{last}"))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let now: Value = app
        .get_as(&token, &format!("/api/v1/goals/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["progress"]["saved"], 30_000);
    assert_eq!(now["milestones"].as_array().unwrap().len(), 4);
    assert_eq!(now["new_milestones"], json!([]));
}

async fn accounts_shared_by_goals_serve_the_oldest_first(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let savings = savings_account(&app, &token, "Savings", "USD", 100_000).await;
    let first = goal(
        &app,
        &token,
        json!({"name": "Roof", "target_amount": 120_000,
            "accounts": [{"account_id": savings, "amount": 60_000}]}),
    )
    .await;
    let second = goal(
        &app,
        &token,
        json!({"name": "Bike", "target_amount": 80_000,
            "accounts": [{"account_id": savings, "amount": 60_000}]}),
    )
    .await;
    assert_eq!(first["progress"]["saved"], 60_000);
    assert_eq!(
        first["accounts"],
        json!([{"account_id": savings, "amount": 60_000}])
    );
    // 1,000.00 in the account: 600.00 for the roof, the 400.00 left for the bike.
    assert_eq!(second["progress"]["saved"], 40_000);
    assert_eq!(second["progress"]["percent"], 50.0);
    app.transaction(
        &token,
        json!({"account_id": savings, "date": Utc::now().date_naive(), "amount": -30_000, "description": "Dentist"}),
    )
    .await;
    let list: Value = app
        .get_as(&token, "/api/v1/goals")
        .await
        .json()
        .await
        .unwrap();
    let saved: Vec<(&str, i64)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap(),
                g["progress"]["saved"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(saved, [("Bike", 10_000), ("Roof", 60_000)]);
    // Unlinking the roof gives the bike the whole earmark it asked for.
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/goals/{}", first["id"]),
            &json!({"accounts": []}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["progress"]["saved"], 0);
    let bike: Value = app
        .get_as(&token, &format!("/api/v1/goals/{}", second["id"]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bike["progress"]["saved"], 60_000);
}

async fn a_share_of_each_complete_month_is_allocated(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let checking = app.account(&token, "Checking", "USD").await;
    let salary = app.category(&token, "Salary").await;
    let groceries = app.category(&token, "Groceries").await;
    let start = this_month() - Months::new(4);
    // Net savings: 2,000.00, 1,000.00, -500.00 and 3,000.00 in the four complete months, and
    // 10,000.00 in this one, which is not complete and so allocates nothing yet.
    let nets = [200_000, 100_000, -50_000, 300_000, 1_000_000];
    for (i, net) in nets.iter().enumerate() {
        let month = start + Months::new(i as u32);
        app.transaction(
            &token,
            json!({"account_id": checking, "date": month, "amount": 1_100_000, "description": "Salary", "category_id": salary}),
        )
        .await;
        app.transaction(
            &token,
            json!({"account_id": checking, "date": month.with_day(2).unwrap(), "amount": net - 1_100_000, "description": "Shop", "category_id": groceries}),
        )
        .await;
    }
    let created = goal(
        &app,
        &token,
        json!({"name": "House", "target_amount": 1_000_000, "savings_share_bp": 2_000,
            "starts": label(start), "target_date": this_month() + Months::new(11)}),
    )
    .await;
    let progress = &created["progress"];
    // 20 %: 400.00 + 200.00 + nothing for the negative month + 600.00.
    assert_eq!(progress["saved"], 120_000);
    // The last three complete months: 200 + 0 + 600 over three.
    assert_eq!(progress["pace"], 26_667);
    let saved: Vec<i64> = created["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["saved"].as_i64().unwrap())
        .collect();
    assert_eq!(saved, [40_000, 60_000, 60_000, 120_000, 120_000]);
    // 8,800.00 left: 33 months at 266.67, 15 at the best month, never at the worst.
    let from = this_month();
    assert_eq!(
        progress["projection"],
        json!({"expected": label(from + Months::new(33)), "earliest": label(from + Months::new(15)), "latest": null})
    );
    // 8,800.00 over the twelve months through the target's: 733.34 a month, more than the pace.
    assert_eq!(progress["needed_per_month"], 73_334);
    assert_eq!(progress["status"], "behind");
    assert_eq!(created["milestones"], json!([]));
    // A pause and resume within this month skips nothing.
    let path = format!("/api/v1/goals/{}", created["id"]);
    app.patch_as(&token, &path, &json!({"state": "paused"}))
        .await;
    let resumed: Value = app
        .patch_as(&token, &path, &json!({"state": "active"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(resumed["progress"]["saved"], 120_000);
    let stopped: Value = app
        .patch_as(&token, &path, &json!({"savings_share_bp": null}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stopped["progress"]["saved"], 0);
}
