use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};

both_backends!(
    debts_are_validated_scoped_and_replaced,
    a_linked_debt_follows_its_account,
    a_plan_reproduces_the_mortgage_oracle,
    strategies_are_compared_and_a_short_budget_is_named,
    plan_requests_are_validated,
);

async fn debt(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post_as(token, "/api/v1/debts", &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{body}");
    res.json().await.unwrap()
}

async fn plan(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post_as(token, "/api/v1/debts/plan", &body).await;
    assert_eq!(res.status(), StatusCode::OK, "{body}");
    res.json().await.unwrap()
}

fn card(name: &str, balance: i64, apr_bp: i64, minimum: i64) -> Value {
    json!({"name": name, "kind": "credit_card", "balance": balance, "apr_bp": apr_bp,
        "minimum_kind": "fixed", "minimum_amount": minimum})
}

async fn debts_are_validated_scoped_and_replaced(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let checking = app.account(&token, "Checking", "USD").await;
    let foreign_card = app
        .post_as(
            &other,
            "/api/v1/accounts",
            &json!({"name": "Card", "kind": "credit_card", "currency": "USD"}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let base = card("Visa", 100_000, 1_999, 2_500);
    let with = |changes: Value| {
        let mut body = base.clone();
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (body, field) in [
        (with(json!({"name": "  "})), "name"),
        (with(json!({"balance": -1})), "balance"),
        (with(json!({"balance": null})), "balance"),
        (with(json!({"apr_bp": 10_001})), "apr_bp"),
        (with(json!({"kind": "payday"})), "kind"),
        (with(json!({"minimum_amount": null})), "minimum_amount"),
        (
            with(json!({"minimum_kind": "percent"})),
            "minimum_percent_bp",
        ),
        (with(json!({"minimum_kind": "installment"})), "final_month"),
        (
            with(json!({"minimum_kind": "installment", "final_month": "2030-13"})),
            "final_month",
        ),
        (with(json!({"promo_apr_bp": 0})), "promo_ends"),
        (with(json!({"promo_ends": "2027-03"})), "promo_apr_bp"),
        (with(json!({"due_day": 32})), "due_day"),
        (with(json!({"currency": "usd"})), "currency"),
        (with(json!({"account_id": checking})), "account_id"),
        (with(json!({"account_id": foreign_card})), "account_id"),
        (with(json!({"surprise": 1})), "surprise"),
    ] {
        let res = app.post_as(&token, "/api/v1/debts", &body).await;
        assert_eq!(invalid_fields(res).await, vec![field], "{body}");
    }

    let created = debt(&app, &token, base.clone()).await;
    assert_eq!(created["currency"], "USD");
    assert_eq!(created["balance"], 100_000);
    assert_eq!(created["follows_account"], false);
    // 1,000.00 at 19.99 %: 16.66 interest (16.658… rounded), then the fixed 25.00 minimum.
    assert_eq!(created["minimum_payment"], 2_500);
    let again = app.post_as(&token, "/api/v1/debts", &base).await;
    problem(again, StatusCode::CONFLICT).await;

    let path = format!("/api/v1/debts/{}", created["id"]);
    for res in [
        app.get_as(&other, &path).await,
        app.delete_as(&other, &path).await,
        app.put_as(&other, &path, &base).await,
    ] {
        problem(res, StatusCode::NOT_FOUND).await;
    }
    let list: Value = app
        .get_as(&other, "/api/v1/debts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], json!([]));

    let body = json!({"name": "Visa", "kind": "credit_card", "balance": 200_000,
        "apr_bp": 2_400, "minimum_kind": "percent", "minimum_percent_bp": 300,
        "minimum_amount": 2_500, "promo_apr_bp": 0, "promo_ends": "2099-12", "due_day": 15});
    let replaced: Value = app.put_as(&token, &path, &body).await.json().await.unwrap();
    assert_eq!(replaced["minimum_kind"], "percent");
    assert_eq!(replaced["promo_ends"], "2099-12");
    // 0 % during the promotion: 3 % of 2,000.00.
    assert_eq!(replaced["minimum_payment"], 6_000);
    let list: Value = app
        .get_as(&token, "/api/v1/debts")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    let res = app.delete_as(&token, &path).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    problem(app.get_as(&token, &path).await, StatusCode::NOT_FOUND).await;
}

async fn a_linked_debt_follows_its_account(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let res = app
        .post_as(
            &token,
            "/api/v1/accounts",
            &json!({"name": "Mastercard", "kind": "credit_card", "currency": "EUR",
                "opening_balance": -50_000}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let account = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let mut body = card("Mastercard", 0, 1_500, 2_000);
    body["balance"] = Value::Null;
    body["account_id"] = json!(account);
    let created = debt(&app, &token, body).await;
    assert_eq!(created["balance"], 50_000);
    assert_eq!(created["currency"], "EUR");
    assert_eq!(created["follows_account"], true);
    app.transaction(
        &token,
        json!({"account_id": account, "date": "2026-11-02", "amount": 20_000, "description": "Payment, thank you"}),
    )
    .await;
    let path = format!("/api/v1/debts/{}", created["id"]);
    let now: Value = app.get_as(&token, &path).await.json().await.unwrap();
    assert_eq!(now["balance"], 30_000);
    // Plans take the balance from the ledger too, in the debt's currency.
    let planned = plan(
        &app,
        &token,
        json!({"budget": 30_000, "strategy": "avalanche", "currency": "EUR", "start": "2027-01"}),
    )
    .await;
    assert_eq!(planned["debts"][0]["balance"], 30_000);
    // 300.00 at 15 % is 3.75 of interest; 300.00 of budget pays 296.25 of it.
    assert_eq!(planned["debts"][0]["schedule"][0]["interest"], 375);
    assert_eq!(planned["debts"][0]["schedule"][1]["payment"], 375 + 5);
    // Paid off: the debt owes nothing once the account is back at zero.
    app.transaction(
        &token,
        json!({"account_id": account, "date": "2026-11-20", "amount": 30_000, "description": "Payment"}),
    )
    .await;
    let now: Value = app.get_as(&token, &path).await.json().await.unwrap();
    assert_eq!(now["balance"], 0);
    assert_eq!(now["minimum_payment"], Value::Null);
}

async fn a_plan_reproduces_the_mortgage_oracle(app: TestApp) {
    let token = app.user("asha@example.com").await;
    debt(
        &app,
        &token,
        json!({"name": "House", "kind": "mortgage", "balance": 10_000_000, "apr_bp": 600,
            "minimum_kind": "installment", "final_month": "2056-12"}),
    )
    .await;
    let planned = plan(
        &app,
        &token,
        json!({"budget": 59_955, "strategy": "avalanche", "start": "2027-01"}),
    )
    .await;
    assert_eq!(planned["start"], "2027-01");
    assert_eq!(planned["totals"]["total_interest"], 11_583_845);
    assert_eq!(planned["totals"]["total_paid"], 21_583_845);
    assert_eq!(planned["totals"]["debt_free"], "2056-12");
    assert_eq!(planned["totals"]["ending"], "debt_free");
    assert_eq!(planned["totals"]["months"], 360);
    let schedule = planned["debts"][0]["schedule"].as_array().unwrap();
    assert_eq!(schedule.len(), 360);
    assert_eq!(
        schedule[0],
        json!({"month": "2027-01", "payment": 59_955, "interest": 50_000, "principal": 9_955, "balance": 9_990_045})
    );
    assert_eq!(schedule[359]["payment"], 60_000);
    assert_eq!(schedule[359]["balance"], 0);
    let strategies: Vec<&str> = planned["comparison"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["strategy"].as_str().unwrap())
        .collect();
    assert_eq!(strategies, ["snowball", "minimums_only"]);
    assert_eq!(planned["comparison"][1]["total_interest"], 11_583_845);
}

async fn strategies_are_compared_and_a_short_budget_is_named(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let car = debt(&app, &token, card("Car", 450_000, 499, 15_000)).await;
    let store = debt(&app, &token, card("Store card", 80_000, 2_499, 2_500)).await;
    let visa = debt(&app, &token, card("Visa", 600_000, 1_899, 12_000)).await;
    let body = |strategy: &str| json!({"budget": 60_000, "strategy": strategy, "start": "2027-01"});
    let avalanche = plan(&app, &token, body("avalanche")).await;
    let snowball = plan(&app, &token, body("snowball")).await;
    // The same figures as the planner's unit test, whose totals an independent loop checks.
    let a_interest = avalanche["totals"]["total_interest"].as_i64().unwrap();
    let s_interest = snowball["totals"]["total_interest"].as_i64().unwrap();
    assert!(a_interest < s_interest);
    assert_eq!(avalanche["comparison"][0]["strategy"], "snowball");
    assert_eq!(avalanche["comparison"][0]["total_interest"], s_interest);
    assert_eq!(snowball["comparison"][0]["total_interest"], a_interest);
    let minimums = &avalanche["comparison"][1];
    assert_eq!(minimums["strategy"], "minimums_only");
    assert!(minimums["total_interest"].as_i64().unwrap() > s_interest);
    for planned in [&avalanche, &snowball] {
        assert_eq!(
            planned["totals"]["total_paid"].as_i64().unwrap(),
            1_130_000 + planned["totals"]["total_interest"].as_i64().unwrap()
        );
        let mut paid = 0;
        for debt in planned["debts"].as_array().unwrap() {
            let rows = debt["schedule"].as_array().unwrap();
            paid += rows
                .iter()
                .map(|r| r["payment"].as_i64().unwrap())
                .sum::<i64>();
            assert_eq!(rows.last().unwrap()["balance"], 0);
            assert_eq!(debt["payoff_month"], rows.last().unwrap()["month"]);
        }
        assert_eq!(paid, planned["totals"]["total_paid"].as_i64().unwrap());
    }
    // A custom order that is avalanche's gives avalanche's figures.
    let custom = plan(
        &app,
        &token,
        json!({"budget": 60_000, "strategy": "custom", "start": "2027-01",
            "order": [store["id"], visa["id"], car["id"]]}),
    )
    .await;
    assert_eq!(custom["totals"]["total_interest"], a_interest);
    assert_eq!(custom["totals"]["strategy"], "custom");
    // An extra payment brings the end nearer.
    let extra = plan(
        &app,
        &token,
        json!({"budget": 60_000, "strategy": "avalanche", "start": "2027-01",
            "extra_payments": [{"month": "2027-03", "amount": 200_000}]}),
    )
    .await;
    assert!(extra["totals"]["months"].as_i64() < avalanche["totals"]["months"].as_i64());
    // March's payments are the budget and the extra, in full.
    let march: i64 = extra["debts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| {
            d["schedule"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["month"] == "2027-03")
        })
        .map(|r| r["payment"].as_i64().unwrap())
        .sum();
    assert_eq!(march, 60_000 + 200_000);
    // Minimums are 150.00 + 25.00 + 120.00 = 295.00.
    let res = app
        .post_as(
            &token,
            "/api/v1/debts/plan",
            &json!({"budget": 29_000, "strategy": "avalanche"}),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "budget");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("5.00 short"), "{message}");
    assert!(message.contains("295.00 USD"), "{message}");
}

async fn plan_requests_are_validated(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let res = app
        .post_as(
            &token,
            "/api/v1/debts/plan",
            &json!({"budget": 1000, "strategy": "avalanche"}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, ["currency"]);
    let mine = debt(&app, &token, card("Visa", 100_000, 1_999, 2_500)).await;
    let theirs = debt(&app, &other, card("Visa", 100_000, 1_999, 2_500)).await;
    for (body, field) in [
        (json!({"budget": -1, "strategy": "avalanche"}), "budget"),
        (json!({"budget": 5000, "strategy": "fastest"}), "strategy"),
        (json!({"budget": 5000, "strategy": "custom"}), "order"),
        (
            json!({"budget": 5000, "strategy": "custom", "order": [theirs["id"]]}),
            "order[0]",
        ),
        (
            json!({"budget": 5000, "strategy": "custom", "order": [mine["id"], mine["id"]]}),
            "order[1]",
        ),
        (
            json!({"budget": 5000, "strategy": "avalanche", "start": "2027-01",
                "extra_payments": [{"month": "2026-12", "amount": 100}]}),
            "extra_payments[0].month",
        ),
        (
            json!({"budget": 5000, "strategy": "avalanche",
                "extra_payments": [{"month": "2027-01", "amount": 0}]}),
            "extra_payments[0].amount",
        ),
        (
            json!({"budget": 5000, "strategy": "avalanche", "start": "27-01"}),
            "start",
        ),
        (
            json!({"budget": 5000, "strategy": "avalanche", "currency": "EUR"}),
            "currency",
        ),
    ] {
        let res = app.post_as(&token, "/api/v1/debts/plan", &body).await;
        assert_eq!(invalid_fields(res).await, vec![field], "{body}");
    }
    // A minimum under the interest never ends and says so.
    debt(&app, &token, card("Loan shark", 1_000_000, 6_000, 100)).await;
    let planned = plan(
        &app,
        &token,
        json!({"budget": 2_600, "strategy": "snowball", "start": "2027-01"}),
    )
    .await;
    assert_eq!(planned["totals"]["ending"], "never_ends");
    assert_eq!(planned["totals"]["debt_free"], Value::Null);
    let shark = &planned["debts"][0];
    assert_eq!(shark["name"], "Loan shark");
    assert_eq!(shark["minimum_covers_interest"], false);
    assert_eq!(shark["payoff_month"], Value::Null);
}
