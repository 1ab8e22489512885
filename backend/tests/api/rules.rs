use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};

both_backends!(
    rules_categorize_new_transactions_in_priority_order,
    rules_apply_to_existing_transactions_but_never_override_the_user,
    rules_are_validated,
    a_rule_can_be_made_from_a_transaction,
    a_rule_is_previewed_before_it_is_saved,
);

async fn rules_categorize_new_transactions_in_priority_order(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let groceries = app.category(&token, "Groceries").await;
    let dining = app.category(&token, "Dining").await;
    let salary = app.category(&token, "Salary").await;
    for (name, priority, kind, pattern, category, min) in [
        ("Cafes", 10, "regex", r"^(starbucks|costa)\b", dining, None),
        ("Tesco", 20, "contains", "tesco", groceries, None),
        ("Tesco payroll", 5, "contains", "tesco", salary, Some(1)),
    ] {
        let res = app
            .post_as(&token, "/api/v1/rules", &json!({"name": name, "priority": priority, "match_kind": kind, "pattern": pattern, "category_id": category, "min_amount": min}))
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let list: Value = app
        .get_as(&token, "/api/v1/rules")
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].clone())
        .collect();
    assert_eq!(names, vec!["Tesco payroll", "Cafes", "Tesco"]);

    for (description, amount, expected) in [
        ("TESCO STORES 3297", -1250, json!(groceries)),
        ("Tesco PLC salary", 250000, json!(salary)),
        ("STARBUCKS LONDON", -450, json!(dining)),
        ("My Starbucks", -450, Value::Null),
    ] {
        let t = app
            .transaction(&token, json!({"account_id": account, "date": "2026-03-01", "amount": amount, "description": description}))
            .await;
        assert_eq!(t["category_id"], expected, "{description}");
        let source = if expected.is_null() {
            Value::Null
        } else {
            json!("rule")
        };
        assert_eq!(t["category_source"], source);
    }
}

async fn rules_apply_to_existing_transactions_but_never_override_the_user(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let fuel = app.category(&token, "Fuel").await;
    let travel = app.category(&token, "Travel").await;
    let mine = app
        .transaction(&token, json!({"account_id": account, "date": "2026-03-01", "amount": -5000, "description": "SHELL 123", "category_id": travel}))
        .await;
    let loose = app
        .transaction(&token, json!({"account_id": account, "date": "2026-03-02", "amount": -4000, "description": "Shell Oil"}))
        .await;
    assert_eq!(loose["category_id"], Value::Null);
    app.post_as(&token, "/api/v1/rules", &json!({"name": "Shell", "match_kind": "contains", "pattern": "shell", "category_id": fuel}))
        .await;
    for only_uncategorized in [true, false] {
        let res = app
            .post_as(
                &token,
                "/api/v1/rules/apply",
                &json!({"only_uncategorized": only_uncategorized}),
            )
            .await;
        let expected = if only_uncategorized { 1 } else { 0 };
        assert_eq!(res.json::<Value>().await.unwrap()["updated"], expected);
    }
    let get = |t: &Value| format!("/api/v1/transactions/{}", t["id"]);
    let filed: Value = app.get_as(&token, &get(&loose)).await.json().await.unwrap();
    assert_eq!(filed["category_id"], fuel);
    let kept: Value = app.get_as(&token, &get(&mine)).await.json().await.unwrap();
    assert_eq!(kept["category_id"], travel);
    assert_eq!(kept["category_source"], "user");
}

async fn rules_are_validated(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let fuel = app.category(&token, "Fuel").await;
    let foreign = app.category(&other, "Fuel").await;
    let rule = |extra: Value| {
        let mut body =
            json!({"name": "r", "match_kind": "regex", "pattern": "a", "category_id": fuel});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let cases = [
        (rule(json!({"pattern": "(unclosed"})), vec!["pattern"]),
        (rule(json!({"pattern": ""})), vec!["pattern"]),
        (
            rule(json!({"match_kind": "sounds_like"})),
            vec!["match_kind"],
        ),
        (rule(json!({"category_id": foreign})), vec!["category_id"]),
        (
            rule(json!({"min_amount": 10, "max_amount": 5})),
            vec!["max_amount"],
        ),
        (rule(json!({"account_id": 999999})), vec!["account_id"]),
    ];
    for (body, fields) in cases {
        let res = app.post_as(&token, "/api/v1/rules", &body).await;
        assert_eq!(invalid_fields(res).await, fields, "{body}");
    }
    let created: Value = app
        .post_as(&token, "/api/v1/rules", &rule(json!({})))
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/rules/{}", created["id"]);
    problem(app.get_as(&other, &path).await, StatusCode::NOT_FOUND).await;
    let replaced = app
        .with(&token, reqwest::Method::PUT, &path)
        .json(&rule(json!({"name": "renamed", "match_kind": "equals"})))
        .send()
        .await
        .unwrap();
    assert_eq!(
        replaced.json::<Value>().await.unwrap()["match_kind"],
        "equals"
    );
    assert_eq!(
        app.delete_as(&token, &path).await.status(),
        StatusCode::NO_CONTENT
    );
    problem(app.get_as(&token, &path).await, StatusCode::NOT_FOUND).await;
}

async fn a_rule_can_be_made_from_a_transaction(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let subs = app.category(&token, "Subscriptions").await;
    let bare = app
        .transaction(&token, json!({"account_id": account, "date": "2026-03-01", "amount": -999, "description": "NETFLIX.COM 866-579"}))
        .await;
    let path = format!("/api/v1/transactions/{}/rule", bare["id"]);
    let res = app.post_as(&token, &path, &json!({})).await;
    assert_eq!(invalid_fields(res).await, vec!["category_id"]);

    app.patch_as(
        &token,
        &format!("/api/v1/transactions/{}", bare["id"]),
        &json!({"category_id": subs, "merchant": "Netflix"}),
    )
    .await;
    let res = app.post_as(&token, &path, &json!({})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let rule: Value = res.json().await.unwrap();
    assert_eq!(rule["pattern"], "netflix", "the merchant's key");
    assert_eq!(rule["category_id"], subs);
    let next = app
        .transaction(&token, json!({"account_id": account, "date": "2026-04-01", "amount": -999, "description": "Netflix subscription"}))
        .await;
    assert_eq!(next["category_id"], subs);
}

async fn a_rule_is_previewed_before_it_is_saved(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let main = app.account(&token, "Everyday", "EUR").await;
    let card = app.account(&token, "Card", "EUR").await;
    let groceries = app.category(&token, "Groceries").await;
    for (account, date, amount, description, category) in [
        (
            main,
            "2026-03-01",
            -4510,
            "POS 4821 TESCO STORES 3297 LONDON",
            Some(groceries),
        ),
        (
            main,
            "2026-03-08",
            -2000,
            "POS 4821 TESCO STORES 3297 LONDON",
            None,
        ),
        (card, "2026-03-09", -1250, "Tesco Stores Oxford", None),
        (main, "2026-03-10", -900, "SHELL 0042", None),
    ] {
        app.transaction(&token, json!({"account_id": account, "date": date, "amount": amount, "description": description, "category_id": category}))
            .await;
    }
    // Someone else's Tesco is not counted.
    let other = app.user("ravi@example.com").await;
    let theirs = app.account(&other, "Theirs", "EUR").await;
    app.transaction(&other, json!({"account_id": theirs, "date": "2026-03-02", "amount": -100, "description": "TESCO STORES"}))
        .await;

    let preview = |body: Value| {
        let (app, token) = (&app, &token);
        async move { app.post_as(token, "/api/v1/rules/preview", &body).await }
    };
    let res = preview(json!({"match_kind": "contains", "pattern": "tesco stores"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"matches": 3, "uncategorized": 2, "examples": ["Tesco Stores Oxford", "POS 4821 TESCO STORES 3297 LONDON"]})
    );
    let narrowed: Value = preview(json!({"match_kind": "contains", "pattern": "tesco stores", "account_id": main, "min_amount": -3000}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            narrowed["matches"].clone(),
            narrowed["uncategorized"].clone()
        ),
        (json!(1), json!(1))
    );
    // Nothing was saved.
    let rules: Value = app
        .get_as(&token, "/api/v1/rules")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rules["items"], json!([]));

    for (body, field) in [
        (
            json!({"match_kind": "regex", "pattern": "tesco("}),
            "pattern",
        ),
        (json!({"match_kind": "contains", "pattern": ""}), "pattern"),
        (
            json!({"match_kind": "contains", "pattern": "x", "account_id": theirs}),
            "account_id",
        ),
        (
            json!({"match_kind": "contains", "pattern": "x", "min_amount": 5, "max_amount": 1}),
            "max_amount",
        ),
    ] {
        assert_eq!(
            invalid_fields(preview(body.clone()).await).await,
            vec![field],
            "{body}"
        );
    }
}
