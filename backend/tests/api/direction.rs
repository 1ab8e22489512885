//! Money direction is a hard fact for every way a row gets a category: the model, rules, the
//! file's own category column and the user's corrections memory. Money in lands in an expense
//! category only as an explained refund; money out never in an income category.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;
use crate::imports::import;

both_backends!(
    a_years_import_files_money_in_as_income_and_refunds_only_with_evidence,
    rules_respect_the_direction,
    the_files_category_column_respects_the_direction,
    the_corrections_memory_keeps_money_in_and_out_apart,
    refund_evidence_is_the_users_own_spending_at_the_banks_merchant,
    many_merchants_of_money_in_at_once_still_find_earlier_spending,
);

/// The user's category kinds by id.
async fn kinds(app: &TestApp, token: &str) -> HashMap<i64, String> {
    let body: Value = app
        .get_as(token, "/api/v1/categories")
        .await
        .json()
        .await
        .unwrap();
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_i64().unwrap(),
                c["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn transactions(app: &TestApp, token: &str) -> Vec<Value> {
    let body: Value = app
        .get_as(token, "/api/v1/transactions?sort=date&order=asc&limit=500")
        .await
        .json()
        .await
        .unwrap();
    assert!(body["next_cursor"].is_null());
    body["items"].as_array().unwrap().clone()
}

async fn categorize(app: &TestApp, token: &str, description: &str, amount: i64) -> Value {
    let res = app
        .post_as(
            token,
            "/api/v1/categorize",
            &json!({"items": [{"description": description, "amount": amount}]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["items"][0].clone()
}

/// The rows whose category kind contradicts their direction: money in under an expense
/// category, money out under an income one.
fn contradicting<'a>(rows: &'a [Value], kinds: &HashMap<i64, String>) -> Vec<&'a Value> {
    rows.iter()
        .filter(|t| {
            let amount = t["amount"].as_i64().unwrap();
            match t["category_id"].as_i64().map(|id| kinds[&id].as_str()) {
                Some("expense") => amount > 0,
                Some("income") => amount < 0,
                _ => false,
            }
        })
        .collect()
}

/// A year like the one in issue 10: salary, rent, groceries, freelance payments, a bonus, a
/// side-project payment, restaurant meals, and a shop's refund after spending there.
fn a_year() -> String {
    let mut csv = String::from("Date,Amount,Description\n");
    for month in 1..=12 {
        csv += &format!("2025-{month:02}-01,-1200.00,RENT PAYMENT FLAT 4B LANDLORD\n");
        csv += &format!("2025-{month:02}-05,-85.40,POS TESCO STORES 3297 LONDON\n");
        csv += &format!("2025-{month:02}-12,-18.50,LUNCH AT LE PETIT BISTRO\n");
        csv += &format!("2025-{month:02}-19,-72.15,SAINSBURYS S/MKT 0412\n");
        csv += &format!("2025-{month:02}-25,2500.00,SALARY ACME CORP\n");
    }
    csv += "2025-02-14,850.00,NORTHWIND DESIGN INVOICE 0412\n\
        2025-05-20,1200.00,PAYMENT FROM J SMITH CONSULTING\n\
        2025-09-09,640.00,FREELANCE WORK BLUEBIRD LTD\n\
        2025-12-15,3000.00,ANNUAL BONUS ACME CORP\n\
        2025-07-03,320.00,STRIPE PAYOUT SIDEPROJECT\n\
        2025-06-21,-64.00,Dinner at a French restaurant\n\
        2025-03-10,-120.00,ZALANDO SE 4471 BERLIN\n\
        2025-03-28,120.00,ZALANDO SE 4471 BERLIN\n\
        2025-11-02,39.99,IKEA REFUND 0091\n";
    csv
}

async fn a_years_import_files_money_in_as_income_and_refunds_only_with_evidence(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "GBP").await;
    let shopping = app.category(&token, "Shopping").await;
    import(&app, &token, account, &a_year()).await;
    let kinds = kinds(&app, &token).await;
    let rows = transactions(&app, &token).await;
    assert_eq!(rows.len(), 69);

    let refunds: Vec<&str> = contradicting(&rows, &kinds)
        .iter()
        .map(|t| t["description"].as_str().unwrap())
        .collect();
    assert_eq!(
        refunds,
        ["ZALANDO SE 4471 BERLIN", "IKEA REFUND 0091"],
        "only the two refunds are money in under an expense category"
    );
    let by_description = |d: &str, amount: i64| {
        rows.iter()
            .find(|t| t["description"] == d && t["amount"] == amount)
            .unwrap()
    };
    assert_eq!(
        by_description("ZALANDO SE 4471 BERLIN", -12000)["category_id"],
        shopping
    );
    assert_eq!(
        by_description("ZALANDO SE 4471 BERLIN", 12000)["category_id"],
        shopping
    );
    assert_eq!(
        by_description("IKEA REFUND 0091", 3999)["category_id"],
        shopping
    );
    for t in &rows {
        if t["amount"].as_i64().unwrap() > 0
            && !refunds.contains(&t["description"].as_str().unwrap())
        {
            // Not even a transfer: that would leave the payment out of the year's income.
            if let Some(id) = t["category_id"].as_i64() {
                assert_eq!(kinds[&id], "income", "{t}");
            }
        }
        if let Some(suggested) = t["suggested_category_id"].as_i64() {
            let amount = t["amount"].as_i64().unwrap();
            let kind = kinds[&suggested].as_str();
            assert!(
                !(amount < 0 && kind == "income"),
                "money out suggested as income: {t}"
            );
        }
    }

    // The same answers from POST /categorize, each refund explained as one.
    let zalando = categorize(&app, &token, "ZALANDO SE 9921 BERLIN", 4500).await;
    assert_eq!(zalando["category"]["id"], shopping, "{zalando}");
    assert_eq!(zalando["refund"], true);
    let explanation = zalando["explanation"].as_str().unwrap();
    assert!(
        explanation.starts_with("A refund of Shopping"),
        "{explanation}"
    );
    assert!(
        explanation.contains("ZALANDO SE 4471 BERLIN"),
        "{explanation}"
    );
    let ikea = categorize(&app, &token, "IKEA RETURN 5512", 2599).await;
    assert_eq!(ikea["refund"], true, "{ikea}");
    assert!(ikea["explanation"].as_str().unwrap().contains("“return”"));
    // Money in from a shop this user never spent at, with no refund wording, is not filed
    // as spending, nor proposed as such.
    let other = categorize(&app, &token, "ETSY 7781", 2500).await;
    assert_eq!(other["refund"], false, "{other}");
    assert!(
        other["category"].is_null()
            || kinds[&other["category"]["id"].as_i64().unwrap()] != "expense"
    );
    for alternative in other["alternatives"].as_array().unwrap() {
        if let Some(id) = alternative["category"]["id"].as_i64() {
            assert_ne!(kinds[&id], "expense", "{other}");
        }
    }
    // Money out is never income, however income-like its words.
    let lunch = categorize(&app, &token, "SALARY SACRIFICE CANTEEN ACME CORP", -650).await;
    for alternative in lunch["alternatives"].as_array().unwrap() {
        if let Some(id) = alternative["category"]["id"].as_i64() {
            assert_ne!(kinds[&id], "income", "{lunch}");
        }
    }
}

async fn rules_respect_the_direction(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let salary = app.category(&token, "Salary").await;
    let shopping = app.category(&token, "Shopping").await;
    for (pattern, category) in [("acme", salary), ("ebay", shopping)] {
        let res = app
            .post_as(
                &token,
                "/api/v1/rules",
                &json!({"name": pattern, "match_kind": "contains", "pattern": pattern, "category_id": category}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    let mut created = HashMap::new();
    for (day, amount, description) in [
        (1, 250000, "ACME PAYROLL MARCH"),
        (2, -650, "ACME CANTEEN"),
        (3, -4599, "EBAY O*12-34 ORDER"),
        (4, 4599, "EBAY O*12-34 ORDER"),
        (5, 1500, "EBAY REFUND 88"),
        (6, 9000, "EBAY SALE PAYOUT"),
    ] {
        let t = app
            .transaction(
                &token,
                json!({"account_id": account, "date": format!("2026-03-0{day}"), "amount": amount, "description": description}),
            )
            .await;
        created.insert(day, t);
    }
    let category = |day: i32| created[&day]["category_id"].clone();
    assert_eq!(category(1), salary, "money in under an income rule");
    assert!(
        category(2).is_null(),
        "money out is not Salary: {}",
        created[&2]
    );
    assert_eq!(category(3), shopping);
    assert_eq!(
        category(4),
        shopping,
        "a refund: the user spent at eBay before"
    );
    assert_eq!(category(5), shopping, "a refund: it says so");
    assert!(
        category(6).is_null(),
        "money in at another eBay merchant key, no refund wording: {}",
        created[&6]
    );

    // Applying the rules to rows already stored follows the same rule, and dates matter:
    // money in from a merchant is a refund only of spending before it.
    let other = app.account(&token, "Savings", "EUR").await;
    let csv = "Date,Amount,Description\n\
        2026-01-10,30.00,PAYPAL EBAY SALE\n\
        2026-01-20,-5.00,ACME VENDING\n\
        2026-02-01,-12.00,PAYPAL EBAY SALE\n";
    import(&app, &token, other, csv).await;
    let res = app
        .post_as(
            &token,
            "/api/v1/rules/apply",
            &json!({"only_uncategorized": true}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let kinds = kinds(&app, &token).await;
    let rows = transactions(&app, &token).await;
    assert!(contradicting(&rows, &kinds).iter().all(|t| {
        let said = t["description"].as_str().unwrap();
        said.contains("EBAY") && t["date"] != "2026-01-10"
    }));
    let first_sale = rows.iter().find(|t| t["date"] == "2026-01-10").unwrap();
    assert_ne!(first_sale["category_id"], shopping, "{first_sale}");
}

async fn the_files_category_column_respects_the_direction(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let groceries = app.category(&token, "Groceries").await;
    let salary = app.category(&token, "Salary").await;
    let csv = "Date,Amount,Description,Category\n\
        2026-03-01,-45.10,POS TESCO STORES 3297,Groceries\n\
        2026-03-02,500.00,CLIENT PAYMENT 0412,Groceries\n\
        2026-03-03,-30.00,CORNER SHOP 12,Salary\n\
        2026-03-04,12.50,TESCO STORES 3297,Groceries\n\
        2026-03-05,2500.00,ACME CORP,Salary\n";
    import(&app, &token, account, csv).await;
    let rows = transactions(&app, &token).await;
    let got: Vec<(i64, Value, Value)> = rows
        .iter()
        .map(|t| {
            (
                t["amount"].as_i64().unwrap(),
                t["category_id"].clone(),
                t["category_source"].clone(),
            )
        })
        .collect();
    assert_eq!(got[0], (-4510, json!(groceries), json!("import")));
    assert_ne!(
        got[1].1,
        json!(groceries),
        "money in is not Groceries: {}",
        rows[1]
    );
    assert_ne!(
        got[2].1,
        json!(salary),
        "money out is not Salary: {}",
        rows[2]
    );
    assert_eq!(
        got[3],
        (1250, json!(groceries), json!("import")),
        "a refund: the file spent at Tesco under Groceries the day before"
    );
    assert_eq!(got[4], (250000, json!(salary), json!("import")));
    let kinds = kinds(&app, &token).await;
    let contradicting: Vec<i64> = contradicting(&rows, &kinds)
        .iter()
        .map(|t| t["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(contradicting, [1250]);
}

async fn the_corrections_memory_keeps_money_in_and_out_apart(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let education = app.category(&token, "Education").await;
    let salary = app.category(&token, "Salary").await;
    // A credit filed by hand under an expense category: the user says it is a refund. That is
    // allowed and remembered for money in from that merchant only.
    let refund = app
        .transaction(
            &token,
            json!({"account_id": account, "date": "2026-03-01", "amount": 4000, "description": "PAYPAL *LANGCOURSE 1234", "category_id": education}),
        )
        .await;
    assert_eq!(refund["category_id"], education);
    let again = categorize(&app, &token, "PAYPAL *LANGCOURSE 9876", 2500).await;
    assert_eq!(again["category"]["id"], education, "{again}");
    assert_eq!(again["basis"], "history");
    assert_eq!(again["refund"], true);
    assert!(again["explanation"]
        .as_str()
        .unwrap()
        .contains("as a refund"));
    let spending = categorize(&app, &token, "PAYPAL *LANGCOURSE 9876", -2500).await;
    assert_ne!(spending["basis"], "history", "{spending}");

    // A debit filed by hand under an income category stays the user's own doing: the memory
    // never files money out as income.
    let odd = app
        .transaction(
            &token,
            json!({"account_id": account, "date": "2026-03-02", "amount": -650, "description": "ACME CANTEEN 12", "category_id": salary}),
        )
        .await;
    assert_eq!(odd["category_id"], salary);
    let canteen = categorize(&app, &token, "ACME CANTEEN 13", -700).await;
    assert_ne!(canteen["category"]["id"], salary, "{canteen}");
    assert_ne!(canteen["basis"], "history", "{canteen}");
    // ...and the same merchant's money in is unaffected by it.
    let pay = categorize(&app, &token, "ACME CANTEEN 13", 700).await;
    assert_ne!(pay["basis"], "history", "{pay}");
}

/// Earlier spending is looked up by the merchant the bank names (its payee column), whatever the
/// descriptions say, and only among the user's own rows.
async fn refund_evidence_is_the_users_own_spending_at_the_banks_merchant(app: TestApp) {
    let asha = app.user("asha@example.com").await;
    let account = app.account(&asha, "Everyday", "EUR").await;
    let shopping = app.category(&asha, "Shopping").await;
    app.transaction(
        &asha,
        json!({"account_id": account, "date": "2026-03-01", "amount": -4000,
               "description": "Card payment 1123", "merchant": "Zalando", "category_id": shopping}),
    )
    .await;
    // The same file for another user, who never spent at Zalando, and then for Asha.
    let csv = "Date,Amount,Description,Payee,Category\n\
        2026-03-10,20.00,Bestellung 7781,Zalando,Shopping\n\
        2026-03-11,15.00,Bestellung 7782,Etsy,Shopping\n";
    let ravi = app.user("ravi@example.com").await;
    let ravis = app.account(&ravi, "Everyday", "EUR").await;
    let ravis_shopping = app.category(&ravi, "Shopping").await;
    app.transaction(
        &ravi,
        json!({"account_id": ravis, "date": "2026-03-01", "amount": -900,
               "description": "Bestellung 1", "category_id": ravis_shopping}),
    )
    .await;
    import(&app, &ravi, ravis, csv).await;
    let ravis_rows = transactions(&app, &ravi).await;
    assert!(
        ravis_rows
            .iter()
            .filter(|t| t["amount"].as_i64().unwrap() > 0)
            .all(|t| t["category_id"] != ravis_shopping),
        "neither another user's spending at Zalando nor Ravi's own under the same description \
         word is evidence: {ravis_rows:?}"
    );
    import(&app, &asha, account, csv).await;
    let rows = transactions(&app, &asha).await;
    let by_description = |d: &str| rows.iter().find(|t| t["description"] == d).unwrap();
    assert_eq!(
        by_description("Bestellung 7781")["category_id"],
        shopping,
        "a refund: Asha spent at Zalando in Shopping before"
    );
    assert_ne!(
        by_description("Bestellung 7782")["category_id"],
        shopping,
        "nobody spent at Etsy: {rows:?}"
    );
}

/// Money in from more merchants than a short history has rows (130 merchants × 17 expense
/// categories of seeks against a few rows): the guard reads the history's merchants once instead
/// (`ml::direction`, `SEEKS_WITHOUT_COUNTING`), with the same answers.
async fn many_merchants_of_money_in_at_once_still_find_earlier_spending(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let shopping = app.category(&token, "Shopping").await;
    app.transaction(
        &token,
        json!({"account_id": account, "date": "2025-03-10", "amount": -12000,
               "description": "ZALANDO SE 4471 BERLIN", "category_id": shopping}),
    )
    .await;
    let letters = |i: usize| -> String {
        [i % 26, i / 26 % 26]
            .iter()
            .map(|&n| char::from(b'A' + n as u8))
            .collect()
    };
    let mut items: Vec<Value> = (0..129)
        .map(|i| json!({"description": format!("CUSTOMER {} PAYMENT", letters(i)), "amount": 5000}))
        .collect();
    items.push(json!({"description": "ZALANDO SE 9921 BERLIN", "amount": 4500}));
    let res = app
        .post_as(&token, "/api/v1/categorize", &json!({ "items": items }))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    let zalando = &body["items"][129];
    assert_eq!(zalando["category"]["id"], shopping, "{zalando}");
    assert_eq!(zalando["refund"], true);
    assert!(
        zalando["explanation"]
            .as_str()
            .unwrap()
            .contains("ZALANDO SE 4471 BERLIN"),
        "{zalando}"
    );
    let kinds = kinds(&app, &token).await;
    for item in body["items"].as_array().unwrap()[..129].iter() {
        assert_eq!(item["refund"], false, "{item}");
        if let Some(id) = item["category"]["id"].as_i64() {
            assert_ne!(kinds[&id], "expense", "{item}");
        }
    }
}
