use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, problem, TestApp};

both_backends!(
    preview_writes_nothing_and_commit_writes_everything,
    reimports_and_overlaps_add_only_new_rows,
    identical_rows_in_one_file_both_stay,
    undo_removes_exactly_that_import,
    bad_files_are_refused_with_a_reason_and_nothing_written,
    unreadable_rows_are_named_by_line,
    rules_and_bank_categories_file_imported_rows,
    a_corrected_mapping_is_remembered_for_the_next_file,
    a_mapping_saved_before_a_field_existed_takes_what_detection_finds,
    ofx_bank_ids_prevent_duplicates,
    an_export_reimports_without_loss,
    imports_are_private_and_listed_newest_first,
    previews_can_be_discarded_and_expire_after_a_day,
    rows_in_another_currency_are_refused_by_line,
    an_export_of_several_accounts_is_routed_by_account_name_and_currency,
    a_one_call_upload_shows_what_a_preview_shows,
);

const STATEMENT: &str = "Date,Description,Amount\n\
2026-03-01,COFFEE BAR,-3.50\n\
2026-03-02,SALARY ACME LTD,2500.00\n\
2026-03-03,TESCO STORES 3297,-45.10\n\
2026-03-04,RENT MARCH,-1200.00\n\
2026-03-05,CINEMA,-12.00\n";

pub async fn upload(
    app: &TestApp,
    token: &str,
    account: i64,
    name: &str,
    bytes: Vec<u8>,
    query: &str,
) -> Response {
    let form = Form::new()
        .text("account_id", account.to_string())
        .part("file", Part::bytes(bytes).file_name(name.to_owned()));
    app.with(
        token,
        reqwest::Method::POST,
        &format!("/api/v1/imports{query}"),
    )
    .multipart(form)
    .send()
    .await
    .unwrap()
}

/// Uploads and commits in one call; returns the import.
pub async fn import(app: &TestApp, token: &str, account: i64, csv: &str) -> Value {
    let res = upload(
        app,
        token,
        account,
        "statement.csv",
        csv.as_bytes().to_vec(),
        "?commit=true",
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

/// The user's transactions matching `query`, oldest first.
pub async fn rows(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let list: Value = app
        .get_as(
            token,
            &format!("/api/v1/transactions?limit=500&sort=date&order=asc&{query}"),
        )
        .await
        .json()
        .await
        .unwrap();
    list["items"].as_array().unwrap().clone()
}

async fn preview_writes_nothing_and_commit_writes_everything(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let res = upload(
        &app,
        &token,
        account,
        "march.csv",
        STATEMENT.as_bytes().to_vec(),
        "",
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let preview: Value = res.json().await.unwrap();
    assert_eq!(preview["status"], "previewed");
    assert_eq!(preview["format"], "delimited");
    assert_eq!(preview["filename"], "march.csv");
    assert_eq!(preview["counts"]["rows"], 5);
    assert_eq!(preview["duplicates"], 0);
    assert_eq!(preview["headers"], json!(["Date", "Description", "Amount"]));
    let first = &preview["rows"][0];
    assert_eq!(first["date"], "2026-03-01");
    assert_eq!(first["amount"], -350);
    assert_eq!(first["description"], "COFFEE BAR");
    assert_eq!(first["line"], 2);
    assert!(
        rows(&app, &token, "").await.is_empty(),
        "a preview writes nothing"
    );

    let id = preview["id"].as_i64().unwrap();
    let res = app
        .post_as(&token, &format!("/api/v1/imports/{id}/commit"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["status"], "committed");
    assert_eq!(
        done["counts"],
        json!({"rows": 5, "imported": 5, "duplicates": 0, "errors": 0, "skipped": 0})
    );
    assert_eq!(done["progress"]["percent"], 100);
    let stored = rows(&app, &token, "").await;
    assert_eq!(stored.len(), 5);
    assert!(stored.iter().all(|t| t["import_id"] == id));
    let sum: i64 = stored.iter().map(|t| t["amount"].as_i64().unwrap()).sum();
    assert_eq!(sum, -350 + 250000 - 4510 - 120000 - 1200);

    let again = app
        .post_as(&token, &format!("/api/v1/imports/{id}/commit"), &json!({}))
        .await;
    problem(again, StatusCode::CONFLICT).await;
    let fetched: Value = app
        .get_as(&token, &format!("/api/v1/imports/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["counts"]["imported"], 5);
}

async fn reimports_and_overlaps_add_only_new_rows(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    import(&app, &token, account, STATEMENT).await;

    let res = upload(
        &app,
        &token,
        account,
        "again.csv",
        STATEMENT.as_bytes().to_vec(),
        "",
    )
    .await;
    let preview: Value = res.json().await.unwrap();
    assert_eq!(preview["duplicates"], 5);
    assert!(preview["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["duplicate"] == true));
    let id = preview["id"].as_i64().unwrap();
    let res = app
        .post_as(&token, &format!("/api/v1/imports/{id}/commit"), &json!({}))
        .await;
    // A scheduled re-import is no error: a 200 saying nothing was new, not an empty
    // "committed" entry.
    assert_eq!(res.status(), StatusCode::OK);
    let again: Value = res.json().await.unwrap();
    assert_eq!(again["status"], "nothing_new");
    assert_eq!(again["counts"]["imported"], 0);
    assert_eq!(again["counts"]["duplicates"], 5);
    assert_eq!(again["committed_at"], Value::Null);
    assert_eq!(rows(&app, &token, "").await.len(), 5);
    assert_eq!(imports_listed(&app, &token).await, 2);
    // It can be taken out of the history by hand, like a preview.
    assert_eq!(
        app.delete_as(&token, &format!("/api/v1/imports/{id}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(imports_listed(&app, &token).await, 1);

    let overlap = "Date,Description,Amount\n\
2026-03-04,RENT MARCH,-1200.00\n\
2026-03-05,CINEMA,-12.00\n\
2026-03-06,BAKERY,-4.20\n\
2026-03-07,BOOKSHOP,-19.99\n";
    let done = import(&app, &token, account, overlap).await;
    assert_eq!(done["counts"]["imported"], 2);
    assert_eq!(done["counts"]["duplicates"], 2);
    assert_eq!(rows(&app, &token, "").await.len(), 7);
    // Another account is another ledger: the same file is new there.
    let card = app.account(&token, "Card", "EUR").await;
    assert_eq!(
        import(&app, &token, card, STATEMENT).await["counts"]["imported"],
        5
    );
}

async fn identical_rows_in_one_file_both_stay(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let two_coffees =
        "Date,Description,Amount\n2026-03-01,COFFEE BAR,-3.50\n2026-03-01,COFFEE BAR,-3.50\n";
    assert_eq!(
        import(&app, &token, account, two_coffees).await["counts"]["imported"],
        2
    );
    let again = upload(
        &app,
        &token,
        account,
        "again.csv",
        two_coffees.as_bytes().to_vec(),
        "?commit=true",
    )
    .await;
    assert_eq!(again.status(), StatusCode::OK, "nothing new is no error");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["status"], "nothing_new");
    assert_eq!(again["counts"]["duplicates"], 2);
    let three = format!("{two_coffees}2026-03-01,Coffee Bar,-3.50\n");
    let done = import(&app, &token, account, &three).await;
    assert_eq!(done["counts"]["imported"], 1, "the third coffee is new");
    assert_eq!(rows(&app, &token, "").await.len(), 3);
}

async fn undo_removes_exactly_that_import(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    app.transaction(&token, json!({"account_id": account, "date": "2026-03-01", "amount": -350, "description": "COFFEE BAR"}))
        .await;
    let first = import(
        &app,
        &token,
        account,
        "Date,Description,Amount\n2026-02-01,OLD,-1.00\n",
    )
    .await;
    let second = import(&app, &token, account, STATEMENT).await;
    assert_eq!(
        second["counts"]["imported"], 4,
        "the hand-entered coffee counts as present"
    );
    let id = second["id"].as_i64().unwrap();

    let res = app
        .delete_as(&token, &format!("/api/v1/imports/{id}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "undone");
    let left = rows(&app, &token, "").await;
    let descriptions: Vec<_> = left
        .iter()
        .map(|t| t["description"].as_str().unwrap())
        .collect();
    assert_eq!(descriptions, vec!["OLD", "COFFEE BAR"]);
    assert_eq!(left[0]["import_id"], first["id"]);

    problem(
        app.delete_as(&token, &format!("/api/v1/imports/{id}"))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    // Undone, its stored file is gone: committing it again is refused, uploading it again
    // brings the same rows back.
    let again = app
        .post_as(&token, &format!("/api/v1/imports/{id}/commit"), &json!({}))
        .await;
    let body = problem(again, StatusCode::CONFLICT).await;
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("upload the file again"));
    let redo = import(&app, &token, account, STATEMENT).await;
    assert_eq!(redo["counts"]["imported"], 4);
    assert_eq!(rows(&app, &token, "").await.len(), 6);
}

async fn bad_files_are_refused_with_a_reason_and_nothing_written(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let other = app.user("ravi@example.com").await;
    let foreign = app.account(&other, "Theirs", "EUR").await;

    for (name, bytes) in [
        ("empty.csv", Vec::new()),
        ("blank.csv", b"   \n\n".to_vec()),
        (
            "junk.bin",
            (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ),
        ("header-only.csv", b"Date,Description,Amount\n".to_vec()),
    ] {
        let res = upload(&app, &token, account, name, bytes, "?commit=true").await;
        let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(body["errors"][0]["field"], "file", "{name}");
        assert!(!body["errors"][0]["message"].as_str().unwrap().is_empty());
    }
    let big = vec![b'a'; 1024 * 1024 + 1];
    problem(
        upload(&app, &token, account, "big.csv", big, "").await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;

    let res = upload(
        &app,
        &token,
        foreign,
        "s.csv",
        STATEMENT.as_bytes().to_vec(),
        "",
    )
    .await;
    assert_eq!(invalid_fields(res).await, vec!["account_id"]);
    let res = app
        .with(&token, reqwest::Method::POST, "/api/v1/imports")
        .multipart(Form::new().part("file", Part::bytes(STATEMENT.as_bytes().to_vec())))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid_fields(res).await, vec!["account_id"]);
    let res = app
        .with(&token, reqwest::Method::POST, "/api/v1/imports")
        .multipart(Form::new().text("account_id", account.to_string()))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid_fields(res).await, vec!["file"]);
    let res = app
        .post_as(&token, "/api/v1/imports", &json!({"file": "x"}))
        .await;
    problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let form = Form::new()
        .text("account_id", account.to_string())
        .text("mapping", "{not json")
        .part("file", Part::bytes(STATEMENT.as_bytes().to_vec()));
    let res = app
        .with(&token, reqwest::Method::POST, "/api/v1/imports")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(invalid_fields(res).await, vec!["mapping"]);

    assert!(rows(&app, &token, "").await.is_empty());
    let list: Value = app
        .get_as(&token, "/api/v1/imports")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        list["items"].as_array().unwrap().is_empty(),
        "refused files leave no import"
    );
}

async fn unreadable_rows_are_named_by_line(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let csv = "Date,Description,Amount\n\
2026-03-01,GOOD ONE,-1.00\n\
2026-03-02,BAD AMOUNT,twelve\n\
2026-03-03,GOOD TWO,-2.00\n";
    let res = upload(&app, &token, account, "s.csv", csv.as_bytes().to_vec(), "").await;
    let preview: Value = res.json().await.unwrap();
    assert_eq!(preview["counts"]["errors"], 1);
    let problem_row = &preview["problems"][0];
    assert_eq!(problem_row["line"], 3);
    assert_eq!(problem_row["text"], "twelve");
    let id = preview["id"].as_i64().unwrap();

    let refused = app
        .post_as(&token, &format!("/api/v1/imports/{id}/commit"), &json!({}))
        .await;
    assert_eq!(invalid_fields(refused).await, vec!["line 3.amount"]);
    assert!(rows(&app, &token, "").await.is_empty(), "all or nothing");

    let res = app
        .post_as(
            &token,
            &format!("/api/v1/imports/{id}/commit"),
            &json!({"skip_invalid_rows": true}),
        )
        .await;
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["counts"]["imported"], 2);
    assert_eq!(done["counts"]["errors"], 1);
}

async fn rules_and_bank_categories_file_imported_rows(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let groceries = app.category(&token, "Groceries").await;
    let dining = app.category(&token, "Dining").await;
    app.post_as(&token, "/api/v1/rules", &json!({"name": "Tesco", "match_kind": "contains", "pattern": "tesco", "category_id": groceries}))
        .await;
    let csv = "Date,Description,Amount,Category\n\
2026-03-01,TESCO EXPRESS,-5.00,Shopping\n\
2026-03-02,PIZZA PLACE,-20.00,dining\n\
2026-03-03,MYSTERY,-1.00,Something else\n";
    import(&app, &token, account, csv).await;
    let stored = rows(&app, &token, "").await;
    let filed: Vec<_> = stored
        .iter()
        .map(|t| (t["category_id"].clone(), t["category_source"].clone()))
        .collect();
    assert_eq!(
        filed,
        vec![
            (json!(groceries), json!("rule")),
            (json!(dining), json!("import")),
            (Value::Null, Value::Null),
        ]
    );
}

async fn a_corrected_mapping_is_remembered_for_the_next_file(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Card", "EUR").await;
    // A card statement listing purchases as positive numbers.
    let csv = "Date,Description,Amount\n2026-03-01,BOOKS,12.00\n2026-03-02,GAMES,30.00\n";
    let preview: Value = upload(
        &app,
        &token,
        account,
        "card.csv",
        csv.as_bytes().to_vec(),
        "",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(preview["rows"][0]["amount"], 1200);
    let mut mapping = preview["mapping"].clone();
    let id = preview["id"].as_i64().unwrap();
    // As documented, an empty thousands separator means none and an empty delimiter "detect";
    // a longer one is named.
    mapping["thousands_separator"] = json!("");
    mapping["delimiter"] = json!("");
    let res = app
        .post_as(
            &token,
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"mapping": mapping}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap()["rows"][0]["amount"],
        1200
    );
    let mut wrong = mapping.clone();
    wrong["thousands_separator"] = json!(",,");
    let res = app
        .post_as(
            &token,
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"mapping": wrong}),
        )
        .await;
    assert_eq!(invalid_fields(res).await, ["mapping.thousands_separator"]);
    mapping["invert_sign"] = json!(true);
    let corrected: Value = app
        .post_as(
            &token,
            &format!("/api/v1/imports/{id}/preview"),
            &json!({"mapping": mapping}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(corrected["rows"][0]["amount"], -1200);
    app.post_as(&token, &format!("/api/v1/imports/{id}/commit"), &json!({}))
        .await;

    let next = "Date,Description,Amount\n2026-04-01,FILMS,8.00\n";
    let preview: Value = upload(
        &app,
        &token,
        account,
        "card-april.csv",
        next.as_bytes().to_vec(),
        "",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(
        preview["rows"][0]["amount"], -800,
        "the saved mapping applies"
    );
    assert_eq!(preview["mapping"]["invert_sign"], true);
    // Only for this account.
    let other = app.account(&token, "Other", "EUR").await;
    let fresh: Value = upload(&app, &token, other, "x.csv", next.as_bytes().to_vec(), "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fresh["rows"][0]["amount"], 800);
}

/// Mappings are saved whole on every commit, so a mapping saved before `fee_column` existed
/// names no fee column: the next Revolut file takes the detected one, where a mapping committed
/// with "no fee column" keeps saying so.
async fn a_mapping_saved_before_a_field_existed_takes_what_detection_finds(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Revolut", "CHF").await;
    let header =
        "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,Balance\n";
    let month = |day: u32| {
        format!(
            "{header}EXCHANGE,Current,2024-01-{day:02} 11:00:00,2024-01-{day:02} 11:00:00,To EUR {day},-50.00,0.42,CHF,COMPLETED,49.58\n"
        )
    };
    let first: Value = upload(
        &app,
        &token,
        account,
        "jan.csv",
        month(6).into_bytes(),
        "?commit=true",
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(first["mapping"]["fee_column"], 6);
    let saved_as = |mapping: &Value| {
        let sql = format!(
            "UPDATE mapping_profiles SET mapping = '{}' WHERE account_id = {account}",
            mapping.to_string().replace('\'', "''")
        );
        crate::merchants::execute(&app.config.database, &sql);
    };
    let preview = |name: &'static str, day: u32| {
        let (app, token, file) = (&app, &token, month(day));
        async move {
            upload(app, token, account, name, file.into_bytes(), "")
                .await
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let amount_and_fee = |p: &Value| {
        (
            p["rows"][0]["amount"].clone(),
            p["mapping"]["fee_column"].clone(),
        )
    };

    let mut old = first["mapping"].clone();
    old.as_object_mut().unwrap().remove("fee_column");
    saved_as(&old);
    let feb = preview("feb.csv", 7).await;
    assert_eq!(amount_and_fee(&feb), (json!(-5042), json!(6)));

    // The user says "no fee column" by committing with it, as the web app's mapping editor does.
    let mut without_fee = feb["mapping"].clone();
    without_fee["fee_column"] = Value::Null;
    let id = feb["id"].as_i64().unwrap();
    let res = app
        .post_as(
            &token,
            &format!("/api/v1/imports/{id}/commit"),
            &json!({"mapping": without_fee}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        amount_and_fee(&preview("mar.csv", 8).await),
        (json!(-5000), Value::Null)
    );
}

const OFX: &str = "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:USASCII\nCHARSET:1252\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n\
<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS><CURDEF>EUR\
<BANKACCTFROM><BANKID>1<ACCTID>2<ACCTTYPE>CHECKING</BANKACCTFROM><BANKTRANLIST><DTSTART>20260301<DTEND>20260331\
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260301<TRNAMT>-3.50<FITID>A1<NAME>COFFEE BAR</STMTTRN>\
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260301<TRNAMT>-3.50<FITID>A2<NAME>COFFEE BAR</STMTTRN>\
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260302<TRNAMT>2500.00<FITID>A3<NAME>SALARY</STMTTRN>\
</BANKTRANLIST><LEDGERBAL><BALAMT>100.00<DTASOF>20260331</LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n";

async fn ofx_bank_ids_prevent_duplicates(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let res = upload(
        &app,
        &token,
        account,
        "march.ofx",
        OFX.as_bytes().to_vec(),
        "?commit=true",
    )
    .await;
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["format"], "ofx");
    assert_eq!(done["counts"]["imported"], 3);
    let res = upload(
        &app,
        &token,
        account,
        "march.ofx",
        OFX.as_bytes().to_vec(),
        "?commit=true",
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let again: Value = res.json().await.unwrap();
    assert_eq!(
        (&again["status"], &again["counts"]["imported"]),
        (&json!("nothing_new"), &json!(0)),
        "the bank ids say nothing is new"
    );
    // The file says EUR: a dollar account refuses it rather than mislabel the money.
    let usd = app.account(&token, "Dollars", "USD").await;
    let res = upload(&app, &token, usd, "march.ofx", OFX.as_bytes().to_vec(), "").await;
    assert_eq!(invalid_fields(res).await, vec!["account_id"]);
}

async fn an_export_reimports_without_loss(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let dining = app.category(&token, "Dining").await;
    for (date, amount, description, merchant, notes) in [
        (
            "2026-03-01",
            -350,
            "=cmd|' /C calc'!A0",
            Some("Café \"Central\""),
            Some("-with a dash"),
        ),
        ("2026-03-02", 250000, "Salary, March", None, None),
        (
            "2026-03-03",
            -1,
            "+tiny",
            Some("@shop"),
            Some("multi\nline"),
        ),
    ] {
        app.transaction(&token, json!({"account_id": account, "date": date, "amount": amount, "description": description, "merchant": merchant, "notes": notes, "category_id": dining}))
            .await;
    }
    let csv = app
        .get_as(&token, "/api/v1/transactions/export.csv")
        .await
        .bytes()
        .await
        .unwrap();
    let copy = app.account(&token, "Copy", "EUR").await;
    let res = upload(
        &app,
        &token,
        copy,
        "export.csv",
        csv.to_vec(),
        "?commit=true",
    )
    .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.json::<Value>().await.unwrap()["counts"]["imported"], 3);
    let fields = |t: &Value| {
        (
            t["date"].clone(),
            t["amount"].clone(),
            t["description"].clone(),
            t["merchant"].clone(),
            t["notes"].clone(),
            t["category_id"].clone(),
        )
    };
    let original: Vec<_> = rows(&app, &token, &format!("account_id={account}"))
        .await
        .iter()
        .map(fields)
        .collect();
    let copied: Vec<_> = rows(&app, &token, &format!("account_id={copy}"))
        .await
        .iter()
        .map(fields)
        .collect();
    assert_eq!(copied, original);
}

async fn imports_are_private_and_listed_newest_first(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let other = app.user("ravi@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let mut ids = Vec::new();
    for day in 1..=3 {
        let csv = format!("Date,Description,Amount\n2026-03-0{day},X,-1.00\n");
        ids.push(
            import(&app, &token, account, &csv).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let page: Value = app
        .get_as(&token, "/api/v1/imports?limit=2")
        .await
        .json()
        .await
        .unwrap();
    let got: Vec<_> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, vec![ids[2], ids[1]]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .get_as(&token, &format!("/api/v1/imports?limit=2&cursor={cursor}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"][0]["id"], ids[0]);
    assert_eq!(rest["next_cursor"], Value::Null);

    let theirs: Value = app
        .get_as(&other, "/api/v1/imports")
        .await
        .json()
        .await
        .unwrap();
    assert!(theirs["items"].as_array().unwrap().is_empty());
    for (method, path) in [
        (reqwest::Method::GET, format!("/api/v1/imports/{}", ids[0])),
        (
            reqwest::Method::DELETE,
            format!("/api/v1/imports/{}", ids[0]),
        ),
    ] {
        let res = app.with(&other, method, &path).send().await.unwrap();
        problem(res, StatusCode::NOT_FOUND).await;
    }
    let res = app
        .post_as(
            &other,
            &format!("/api/v1/imports/{}/commit", ids[0]),
            &json!({}),
        )
        .await;
    problem(res, StatusCode::NOT_FOUND).await;
}

async fn imports_listed(app: &TestApp, token: &str) -> usize {
    let list: Value = app
        .get_as(token, "/api/v1/imports")
        .await
        .json()
        .await
        .unwrap();
    list["items"].as_array().unwrap().len()
}

/// How many uploads the server keeps on disk.
fn stored_files(app: &TestApp) -> usize {
    fn count(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| {
            entries
                .map(|e| e.unwrap().path())
                .map(|p| if p.is_dir() { count(&p) } else { 1 })
                .sum()
        })
    }
    count(&app.config.data_dir.join("files"))
}

async fn previews_can_be_discarded_and_expire_after_a_day(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let preview = |name: &'static str| {
        let (app, token) = (&app, &token);
        async move {
            let res = upload(app, token, account, name, STATEMENT.as_bytes().to_vec(), "").await;
            assert_eq!(res.status(), StatusCode::CREATED);
            res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
        }
    };
    let abandoned = preview("abandoned.csv").await;
    let discarded = preview("discarded.csv").await;
    assert_eq!(stored_files(&app), 2);

    // Discarded by hand: gone with its file, and nothing reached the ledger.
    let res = app
        .delete_as(&token, &format!("/api/v1/imports/{discarded}"))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(stored_files(&app), 1);
    assert_eq!(
        app.delete_as(&token, &format!("/api/v1/imports/{discarded}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Someone else's cannot be.
    let other = app.user("ravi@example.com").await;
    assert_eq!(
        app.delete_as(&other, &format!("/api/v1/imports/{abandoned}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // A committed import is kept when a day passes; a preview left for a day is not.
    let committed = import(&app, &token, account, STATEMENT).await["id"]
        .as_i64()
        .unwrap();
    let sql = match &app.config.database {
        dhana::config::Database::Postgres(_) => {
            "UPDATE imports SET created_at = CURRENT_TIMESTAMP - INTERVAL '2 days'"
        }
        dhana::config::Database::Sqlite(_) => {
            "UPDATE imports SET created_at = datetime('now', '-2 days')"
        }
    };
    crate::merchants::execute(&app.config.database, sql);
    assert_eq!(imports_listed(&app, &token).await, 1);
    assert_eq!(
        app.get_as(&token, &format!("/api/v1/imports/{abandoned}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(stored_files(&app), 1, "the committed import's file stays");
    assert_eq!(rows(&app, &token, "").await.len(), 5);
    let undone = app
        .delete_as(&token, &format!("/api/v1/imports/{committed}"))
        .await;
    assert_eq!(
        undone.status(),
        StatusCode::OK,
        "a committed import is undone"
    );
    assert_eq!(rows(&app, &token, "").await.len(), 0);
}

/// Records (account, date, amount) rows and answers the export of all the user's accounts.
async fn export_of(app: &TestApp, token: &str, rows: &[(i64, &str, i64)]) -> String {
    for (account, date, amount) in rows {
        app.transaction(
            token,
            json!({"account_id": account, "date": date, "amount": amount, "description": "x"}),
        )
        .await;
    }
    app.get_as(token, "/api/v1/transactions/export.csv?sort=date&order=asc")
        .await
        .text()
        .await
        .unwrap()
}

async fn rows_in_another_currency_are_refused_by_line(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let euros = app.account(&token, "Everyday", "EUR").await;
    let dollars = app.account(&token, "Dollars", "USD").await;
    // An export of every account, imported into one in euros.
    let csv = export_of(
        &app,
        &token,
        &[
            (euros, "2026-03-01", -350),
            (dollars, "2026-03-02", -1200),
            (euros, "2026-03-03", -990),
            (dollars, "2026-03-04", 5000),
        ],
    )
    .await;
    let dollar_lines: Vec<String> = csv
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(",USD,") || l.ends_with(",USD"))
        .map(|(i, _)| format!("line {}.currency", i + 1))
        .collect();
    assert_eq!(dollar_lines.len(), 2, "{csv}");
    let copy = app.account(&token, "Copy", "EUR").await;
    for query in ["", "?commit=true"] {
        let res = upload(
            &app,
            &token,
            copy,
            "export.csv",
            csv.clone().into_bytes(),
            query,
        )
        .await;
        let refused = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let named: Vec<String> = refused["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap().to_owned())
            .collect();
        // The rows name their account: the refusal offers to route them instead.
        assert_eq!(named[0], "route_by_account");
        assert_eq!(named[1..], dollar_lines);
        assert!(refused["errors"][1]["message"]
            .as_str()
            .unwrap()
            .contains("is in USD but the account is in EUR"));
    }
    assert_eq!(
        rows(&app, &token, &format!("account_id={copy}"))
            .await
            .len(),
        0
    );
    // Into an account per currency, each file of one currency imports.
    let euro_only: String = csv
        .lines()
        .filter(|l| !l.contains("USD"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        import(&app, &token, copy, &euro_only).await["counts"]["imported"],
        2
    );
}

/// Uploads `csv` into `account`, routing rows by the account they name.
async fn upload_routed(
    app: &TestApp,
    token: &str,
    account: i64,
    csv: &str,
    query: &str,
) -> Response {
    let form = Form::new()
        .text("account_id", account.to_string())
        .text("route_by_account", "true")
        .part(
            "file",
            Part::bytes(csv.as_bytes().to_vec()).file_name("export.csv"),
        );
    app.with(
        token,
        reqwest::Method::POST,
        &format!("/api/v1/imports{query}"),
    )
    .multipart(form)
    .send()
    .await
    .unwrap()
}

async fn an_export_of_several_accounts_is_routed_by_account_name_and_currency(app: TestApp) {
    let asha = app.user("asha@example.com").await;
    let everyday = app.account(&asha, "Everyday", "EUR").await;
    let dollars = app.account(&asha, "Dollars", "USD").await;
    let savings = app.account(&asha, "Savings", "EUR").await;
    let csv = export_of(
        &app,
        &asha,
        &[
            (everyday, "2026-03-01", -350),
            (dollars, "2026-03-02", -1200),
            (savings, "2026-03-03", 10000),
            (everyday, "2026-03-04", -990),
            (dollars, "2026-03-05", 5000),
        ],
    )
    .await;

    // Back into the same user: each row finds itself in its own account, so nothing is new.
    let res = upload_routed(&app, &asha, everyday, &csv, "?commit=true").await;
    assert_eq!(res.status(), StatusCode::OK);
    let again: Value = res.json().await.unwrap();
    assert_eq!(again["status"], "nothing_new");
    assert_eq!(again["counts"]["duplicates"], 5);

    // Another user with the same accounts: the preview shows each row's account, the commit
    // writes it there, undo takes every row out of every account.
    let ben = app.user("ben@example.com").await;
    let b_everyday = app.account(&ben, "Everyday", "EUR").await;
    let b_dollars = app.account(&ben, "dollars", "USD").await;
    let b_savings = app.account(&ben, "Savings", "EUR").await;
    let res = upload_routed(&app, &ben, b_everyday, &csv, "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let preview: Value = res.json().await.unwrap();
    assert_eq!(preview["mapping"]["route_by_account"], true);
    assert_eq!(preview["mapping"]["account_column"], 6);
    let routed: Vec<(i64, i64)> = preview["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["amount"].as_i64().unwrap(),
                r["account_id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        routed,
        [
            (-350, b_everyday),
            (-1200, b_dollars),
            (10000, b_savings),
            (-990, b_everyday),
            (5000, b_dollars),
        ]
    );
    let id = preview["id"].as_i64().unwrap();
    let res = app
        .post_as(&ben, &format!("/api/v1/imports/{id}/commit"), &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let committed: Value = res.json().await.unwrap();
    assert_eq!(committed["counts"]["imported"], 5);
    for (account, amounts) in [
        (b_everyday, vec![-350, -990]),
        (b_dollars, vec![-1200, 5000]),
        (b_savings, vec![10000]),
    ] {
        let got: Vec<i64> = rows(&app, &ben, &format!("account_id={account}"))
            .await
            .iter()
            .map(|r| r["amount"].as_i64().unwrap())
            .collect();
        assert_eq!(got, amounts, "account {account}");
    }
    let undone = app.delete_as(&ben, &format!("/api/v1/imports/{id}")).await;
    assert_eq!(undone.status(), StatusCode::OK);
    assert_eq!(
        rows(&app, &ben, "").await.len(),
        0,
        "undo removes every routed row"
    );

    // Without a matching account (none named Savings; Dollars in euros), each such line is
    // refused by name and nothing is written, in the preview and in a one-call commit.
    let cy = app.user("cy@example.com").await;
    let c_everyday = app.account(&cy, "Everyday", "EUR").await;
    app.account(&cy, "Dollars", "EUR").await;
    for query in ["", "?commit=true"] {
        let refused = problem(
            upload_routed(&app, &cy, c_everyday, &csv, query).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        let errors: Vec<(String, String)> = refused["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap().to_owned(),
                    e["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            ["line 3.currency", "line 4.account", "line 6.currency"],
            "{errors:?}"
        );
        assert!(errors[0]
            .1
            .contains("is in USD but your account \"Dollars\" is in EUR"));
        assert!(errors[1].1.contains("\"Savings\""), "{}", errors[1].1);
    }
    assert_eq!(rows(&app, &cy, "").await.len(), 0);
    // Ben's own accounts are not Cy's: Ben's ids never receive Cy's rows.
    assert_eq!(rows(&app, &ben, "").await.len(), 0);
}

/// The one-call upload plans its rows once, in the commit: the rows it shows (categories,
/// merchants, lines) and its duplicate count are a preview's of the same file.
async fn a_one_call_upload_shows_what_a_preview_shows(app: TestApp) {
    let token = app.user("asha@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    // Two of the five rows are in already.
    import(
        &app,
        &token,
        account,
        &STATEMENT
            .replace("2026-03-03", "2026-04-03")
            .replace("2026-03-04", "2026-04-04")
            .replace("2026-03-05", "2026-04-05"),
    )
    .await;
    let bytes = || STATEMENT.as_bytes().to_vec();
    let res = upload(&app, &token, account, "again.csv", bytes(), "").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let preview: Value = res.json().await.unwrap();
    assert_eq!(preview["duplicates"], 2, "{preview}");
    let id = preview["id"].as_i64().unwrap();
    let res = app
        .delete_as(&token, &format!("/api/v1/imports/{id}"))
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let done = import(&app, &token, account, STATEMENT).await;
    assert_eq!(done["status"], "committed");
    assert_eq!(done["counts"]["imported"], 3);
    assert_eq!(done["duplicates"], 2, "{done}");
    let mut shown = preview["rows"].as_array().unwrap().clone();
    assert_eq!(shown.len(), 5);
    // The commit's answer says what the rows became: none of them is a duplicate any more.
    shown.iter_mut().for_each(|r| r["duplicate"] = json!(false));
    assert_eq!(done["rows"].as_array().unwrap(), &shown);
    for key in [
        "encoding", "currency", "headers", "findings", "cleaned", "mapping",
    ] {
        assert_eq!(done[key], preview[key], "{key}");
    }
}
