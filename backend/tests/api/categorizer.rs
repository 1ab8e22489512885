use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};

both_backends!(
    categorize_answers_in_order_with_confidence_and_reasons,
    categorize_validates_the_batch,
    a_category_the_user_does_not_have_is_named_but_not_given,
    corrections_teach_that_user_only,
    categories_the_user_invented_are_learned_from_bulk_changes,
    imports_use_the_categorizer_and_keep_unsure_suggestions,
    the_loaded_model_is_listed_with_its_metrics,
);

async fn categorize(app: &TestApp, token: &str, items: Value) -> Vec<Value> {
    let res = app
        .post_as(token, "/api/v1/categorize", &json!({ "items": items }))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

fn category_name(item: &Value) -> &str {
    item["category"]["name"].as_str().unwrap_or("<none>")
}

async fn categorize_answers_in_order_with_confidence_and_reasons(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let groceries = app.category(&token, "Groceries").await;
    let items = categorize(
        &app,
        &token,
        json!([
            {"description": "POS 4821 TESCO STORES 3297 LONDON", "amount": -2350},
            {"description": "SHELL OIL 57442 AUSTIN TX", "amount": -4800},
            {"description": "NETFLIX.COM", "amount": -1599},
            {"description": "DIRECT DEP PAYROLL ACME CORP", "amount": 320000},
            // A brand no training line named: the merchant directory's category carries it.
            {"description": "POS WEGMANS #93 ROCHESTER NY", "amount": -5420},
        ]),
    )
    .await;
    let names: Vec<&str> = items.iter().map(category_name).collect();
    assert_eq!(
        names,
        ["Groceries", "Fuel", "Subscriptions", "Salary", "Groceries"]
    );
    assert_eq!(items[0]["category"]["id"], groceries);
    for item in &items {
        let confidence = item["confidence"].as_f64().unwrap();
        assert!((0.6..=1.0).contains(&confidence), "{item}");
        assert_eq!(item["basis"], "model");
        assert!(item["reason"].is_null());
        let alternatives = item["alternatives"].as_array().unwrap();
        assert!(alternatives.len() >= 2);
        assert_eq!(alternatives[0]["name"], item["category"]["name"]);
        let confidences: Vec<f64> = alternatives
            .iter()
            .map(|a| a["confidence"].as_f64().unwrap())
            .collect();
        assert!(confidences.windows(2).all(|w| w[0] >= w[1]), "{item}");
        assert!(!item["explanation"].as_str().unwrap().is_empty());
    }
    assert!(items[0]["decisive_words"]
        .as_array()
        .unwrap()
        .contains(&json!("tesco")));
    let explanation = items[4]["explanation"].as_str().unwrap();
    assert!(
        explanation.contains("the merchant directory files “wegmans” under Groceries"),
        "{explanation}"
    );
    let explanation = items[2]["explanation"].as_str().unwrap();
    assert!(!explanation.contains("directory"), "{explanation}");

    let res = app.post("/api/v1/categorize", &json!({"items": []})).await;
    problem(res, StatusCode::UNAUTHORIZED).await;
}

async fn categorize_validates_the_batch(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let item = json!({"description": "TESCO", "amount": -100});
    let too_many: Vec<Value> = (0..501).map(|_| item.clone()).collect();
    for items in [json!([]), json!(too_many)] {
        let res = app
            .post_as(&token, "/api/v1/categorize", &json!({ "items": items }))
            .await;
        assert_eq!(invalid_fields(res).await, ["items"]);
    }
    let five_hundred: Vec<Value> = (0..500).map(|_| item.clone()).collect();
    assert_eq!(
        categorize(&app, &token, json!(five_hundred)).await.len(),
        500
    );
    let res = app
        .post_as(
            &token,
            "/api/v1/categorize",
            &json!({"items": [item, {"description": "  ", "amount": -1}]}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, ["items[1].description"]);
    let res = app
        .post_as(
            &token,
            "/api/v1/categorize",
            &json!({"items": [{"description": "TESCO"}]}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, ["items[0].amount"]);
}

async fn a_category_the_user_does_not_have_is_named_but_not_given(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let fuel = app.category(&token, "Fuel").await;
    let res = app
        .patch_as(
            &token,
            &format!("/api/v1/categories/{fuel}"),
            &json!({"name": "Car"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let items = categorize(
        &app,
        &token,
        json!([{"description": "SHELL OIL 57442 AUSTIN TX", "amount": -4800}]),
    )
    .await;
    assert!(items[0]["category"].is_null());
    assert_eq!(items[0]["reason"], "no_such_category");
    assert_eq!(items[0]["alternatives"][0]["name"], "Fuel");
    assert!(items[0]["alternatives"][0]["category"].is_null());
    assert!(items[0]["explanation"]
        .as_str()
        .unwrap()
        .contains("no category of that name"));
}

async fn corrections_teach_that_user_only(app: TestApp) {
    let asha = app.user("asha@example.com").await;
    let ben = app.user("ben@example.com").await;
    let account = app.account(&asha, "Everyday", "EUR").await;
    let coffee = app
        .post_as(
            &asha,
            "/api/v1/categories",
            &json!({"name": "Coffee", "kind": "expense"}),
        )
        .await;
    assert_eq!(coffee.status(), StatusCode::CREATED);
    let coffee = coffee.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    let question =
        json!([{"description": "BLUE BOTTLE COFFEE 9981 SAN FRANCISCO", "amount": -450}]);
    let before = categorize(&app, &asha, question.clone()).await;
    assert_eq!(category_name(&before[0]), "Dining");

    let t = app
        .transaction(
            &asha,
            json!({"account_id": account, "date": "2026-03-01", "amount": -520, "description": "SQ *BLUE BOTTLE COFFEE #12"}),
        )
        .await;
    let res = app
        .patch_as(
            &asha,
            &format!("/api/v1/transactions/{}", t["id"]),
            &json!({"category_id": coffee}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let after = categorize(&app, &asha, question.clone()).await;
    assert_eq!(
        after[0]["category"],
        json!({"id": coffee, "name": "Coffee"})
    );
    assert_eq!(after[0]["basis"], "history");
    assert_eq!(after[0]["similar_to"], "SQ *BLUE BOTTLE COFFEE #12");
    assert!(after[0]["explanation"].as_str().unwrap().contains("once"));
    assert!(after[0]["confidence"].as_f64().unwrap() >= 0.9);

    let others = categorize(&app, &ben, question).await;
    assert_eq!(category_name(&others[0]), "Dining");
    assert_eq!(others[0]["basis"], "model");
}

async fn categories_the_user_invented_are_learned_from_bulk_changes(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let fun = app
        .post_as(
            &token,
            "/api/v1/categories",
            &json!({"name": "Fun money", "kind": "expense"}),
        )
        .await;
    let fun = fun.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let mut ids = Vec::new();
    for (day, description) in [(1, "NETFLIX.COM 866-579-7172"), (2, "STEAMGAMES.COM 425")] {
        let t = app
            .transaction(
                &token,
                json!({"account_id": account, "date": format!("2026-03-0{day}"), "amount": -1599, "description": description}),
            )
            .await;
        ids.push(t["id"].clone());
    }
    let res = app
        .post_as(
            &token,
            "/api/v1/transactions/bulk/categorize",
            &json!({"ids": ids, "category_id": fun}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let items = categorize(
        &app,
        &token,
        json!([
            {"description": "NETFLIX.COM 866-579-7172", "amount": -1799},
            {"description": "STEAMGAMES.COM 9928", "amount": -2999},
            {"description": "TESCO STORES 3297", "amount": -2350},
        ]),
    )
    .await;
    let names: Vec<&str> = items.iter().map(category_name).collect();
    assert_eq!(names, ["Fun money", "Fun money", "Groceries"]);
}

async fn imports_use_the_categorizer_and_keep_unsure_suggestions(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let groceries = app.category(&token, "Groceries").await;
    let dining = app.category(&token, "Dining").await;
    let res = app
        .post_as(
            &token,
            "/api/v1/rules",
            &json!({"name": "Coffee", "match_kind": "contains", "pattern": "pret", "category_id": dining}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let csv = "Date,Description,Amount\n\
        2026-03-01,POS TESCO STORES 3297,-45.10\n\
        2026-03-02,PRET A MANGER,-4.20\n\
        2026-03-03,7741 0032 8812,-20.00\n";
    let form = Form::new().text("account_id", account.to_string()).part(
        "file",
        Part::bytes(csv.as_bytes().to_vec()).file_name("statement.csv"),
    );
    let res = app
        .with(&token, reqwest::Method::POST, "/api/v1/imports?commit=true")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let list: Value = app
        .get_as(&token, "/api/v1/transactions?sort=date&order=asc")
        .await
        .json()
        .await
        .unwrap();
    let rows = list["items"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["category_id"], groceries);
    assert_eq!(rows[0]["category_source"], "model");
    assert!(rows[0]["category_confidence"].as_f64().unwrap() >= 0.6);
    assert_eq!(rows[1]["category_id"], dining);
    assert_eq!(rows[1]["category_source"], "rule", "rules come first");
    assert!(rows[1]["category_confidence"].is_null());
    assert!(
        rows[2]["category_id"].is_null(),
        "nothing to go on: {}",
        rows[2]
    );
    assert!(rows[2]["category_source"].is_null());
    assert!(rows[2]["suggested_category_id"].is_i64(), "{}", rows[2]);
}

async fn the_loaded_model_is_listed_with_its_metrics(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let res = app.get_as(&token, "/api/v1/ml/models").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let model = &body["items"][0];
    assert_eq!(model["name"], "categorizer");
    assert!(model["version"].as_str().unwrap().starts_with("1."));
    assert!(model["trained_at"].is_string());
    assert_eq!(model["classes"].as_array().unwrap().len(), 21);
    assert!(model["metrics"]["accuracy"].as_f64().unwrap() >= 0.92);
    assert!(model["metrics"]["macro_f1"].as_f64().unwrap() > 0.0);
    problem(app.get("/api/v1/ml/models").await, StatusCode::UNAUTHORIZED).await;
}
