use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{invalid_fields, TestApp};

#[test]
fn openapi_yaml_is_current() {
    let committed = include_str!("../../../openapi.yaml");
    assert!(
        committed == dhana::openapi::yaml(),
        "openapi.yaml is stale: run `cargo run -p dhana -- openapi > openapi.yaml`"
    );
}

/// The operations that answer 429: those that count failed password checks, and the imports
/// that read a bank file (capped per user and per server, `imports::Gate`).
const THROTTLED: &[&str] = &[
    "post /api/v1/auth/register",
    "post /api/v1/auth/token",
    "post /api/v1/auth/session",
    "patch /api/v1/me",
    "delete /api/v1/me",
    "post /api/v1/imports",
    "post /api/v1/imports/{id}/preview",
    "post /api/v1/imports/{id}/commit",
];

/// Every status an operation can answer is in the document: what any signed-in request can be
/// refused for (401, 403), a path id that is not yours (404), a body (400, 413, 415, 422), query
/// parameters (422), a throttled password check or import (429). Lists every gap at once.
#[test]
fn every_operation_documents_its_errors() {
    let doc: Value = serde_json::to_value(dhana::openapi::document()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 8);
    let mut gaps = Vec::new();
    let mut throttled = Vec::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let operation = format!("{method} {path}");
            if !responses.keys().any(|s| s.starts_with('2')) {
                gaps.push(format!("{operation} has no success response"));
            }
            let parameters = op["parameters"].as_array().cloned().unwrap_or_default();
            let takes = |place: &str| parameters.iter().any(|p| p["in"] == place);
            let mut needs = Vec::new();
            if op.get("security").is_some() {
                needs.extend(["401", "403"]);
            }
            if takes("path") {
                needs.push("404");
            }
            if let Some(body) = op.get("requestBody") {
                needs.push("422");
                if body["content"].get("application/json").is_some() {
                    needs.extend(["400", "413", "415"]);
                } else {
                    needs.extend(["413", "415"]);
                }
            }
            if takes("query") {
                needs.push("422");
            }
            if THROTTLED.contains(&operation.as_str()) {
                needs.push("429");
            }
            if responses.contains_key("429") {
                throttled.push(operation.clone());
            }
            for status in needs {
                if !responses.contains_key(status) {
                    gaps.push(format!("{operation} lacks {status}"));
                }
            }
        }
    }
    assert!(
        gaps.is_empty(),
        "undocumented statuses:\n{}",
        gaps.join("\n")
    );
    throttled.sort();
    let mut expected: Vec<String> = THROTTLED.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(
        throttled, expected,
        "429 is documented where no throttle is"
    );
}

both_backends!(
    the_app_serves_the_document_and_swagger_ui,
    field_schemas_say_what_the_server_accepts,
);

async fn the_app_serves_the_document_and_swagger_ui(app: TestApp) {
    let served: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert_eq!(
        served,
        serde_json::to_value(dhana::openapi::document()).unwrap()
    );
    let docs = app.get("/docs/").await;
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().await.unwrap().contains("swagger"));
    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("href=\"/docs/\""));
}

/// utoipa files every `ToSchema` type under its name alone, and a second type of the same name
/// silently replaces the first in the document (a recurring series' `Status` once replaced the
/// import's). Read the sources for the names the document will use and find any twice.
#[test]
fn schema_names_are_unique() {
    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    rust_files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut seen: std::collections::HashMap<String, String> = Default::default();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for (i, line) in lines.iter().enumerate() {
            if !(line.starts_with("#[derive(") && line.contains("ToSchema")) {
                continue;
            }
            let mut name = None;
            for next in &lines[i + 1..] {
                if let Some(alias) = next.strip_prefix("#[schema(as = ") {
                    let path = alias.trim_end_matches(")]");
                    name = Some(path.rsplit("::").next().unwrap().to_owned());
                } else if let Some(item) = ["pub struct ", "pub enum ", "struct ", "enum "]
                    .iter()
                    .find_map(|k| next.strip_prefix(k))
                {
                    let ident: String = item
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    name.get_or_insert(ident);
                    break;
                }
            }
            let name = name.unwrap_or_else(|| panic!("no type after {line} in {file:?}"));
            let place = format!("{}:{}", file.display(), i + 1);
            if let Some(first) = seen.insert(name.clone(), place.clone()) {
                panic!("two schemas named {name}: {first} and {place}; give one #[schema(as = …)]");
            }
        }
    }
    assert!(seen.len() > 50, "found only {} schemas", seen.len());
}

/// The schema of a request body's field, following `$ref`s and a nullable `oneOf`.
fn field_schema(doc: &Value, component: &str, field: &str) -> Value {
    let resolve = |schema: &Value| -> Value {
        let mut schema = schema.clone();
        loop {
            if let Some(one_of) = schema["oneOf"].as_array() {
                schema = one_of.iter().find(|s| s["type"] != "null").unwrap().clone();
            } else if let Some(reference) = schema["$ref"].as_str() {
                let name = reference.rsplit('/').next().unwrap();
                schema = doc["components"]["schemas"][name].clone();
            } else {
                return schema;
            }
        }
    };
    let schema = resolve(&doc["components"]["schemas"][component]["properties"][field]);
    assert!(schema.is_object(), "{component}.{field} has no schema");
    schema
}

/// Whether a value is valid under a field's schema, for the keywords these fields use.
fn schema_accepts(schema: &Value, value: &Value) -> bool {
    match value {
        Value::String(text) => {
            let length = text.chars().count() as u64;
            schema["minLength"].as_u64().is_none_or(|min| length >= min)
                && schema["maxLength"].as_u64().is_none_or(|max| length <= max)
                && schema["pattern"]
                    .as_str()
                    .is_none_or(|p| regex::Regex::new(p).unwrap().is_match(text))
        }
        Value::Number(n) => {
            let n = n.as_i64().unwrap();
            schema["minimum"].as_i64().is_none_or(|min| n >= min)
                && schema["maximum"].as_i64().is_none_or(|max| n <= max)
        }
        _ => unreachable!(),
    }
}

/// The schemas clients are generated from state the server's own limits: for a few fields of
/// each rule, values just inside and just outside what the schema allows are sent, and the
/// server accepts exactly those the schema accepts (a refusal is a 422 naming the field).
async fn field_schemas_say_what_the_server_accepts(app: TestApp) {
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let token = app.user("limits@example.com").await;
    let account = app.account(&token, "Everyday", "EUR").await;
    let text = |n: usize| "ä".repeat(n);

    struct Case {
        path: &'static str,
        component: &'static str,
        field: &'static str,
        body: Box<dyn Fn(Value) -> Value>,
        values: Vec<Value>,
    }
    let name = field_schema(&doc, "CreateAccount", "name");
    assert_eq!(
        (name["minLength"].as_u64(), name["maxLength"].as_u64()),
        (Some(1), Some(100))
    );
    let amount = field_schema(&doc, "CreateTransaction", "amount");
    let max = amount["maximum"].as_i64().unwrap();
    assert_eq!(
        (amount["minimum"].as_i64(), max),
        (Some(-max), 1_000_000_000_000)
    );
    let cases = vec![
        Case {
            path: "/api/v1/accounts",
            component: "CreateAccount",
            field: "name",
            body: Box::new(|v| json!({"name": v, "kind": "checking", "currency": "EUR"})),
            values: vec![
                json!(text(100)),
                json!(text(101)),
                json!(""),
                json!(" \t\u{3000}"),
                json!(" x "),
                json!("a\u{0}b"),
                json!("a\u{85}b"),
                json!("two\nlines"),
            ],
        },
        Case {
            path: "/api/v1/categories",
            component: "CreateCategory",
            field: "name",
            body: Box::new(|v| json!({"name": v, "kind": "expense"})),
            values: vec![json!(text(60)), json!(text(61)), json!("\u{a0}")],
        },
        Case {
            path: "/api/v1/transactions",
            component: "CreateTransaction",
            field: "amount",
            body: Box::new(
                move |v| json!({"account_id": account, "date": "2026-03-01", "amount": v, "description": "x"}),
            ),
            values: vec![json!(max), json!(max + 1), json!(-max), json!(-max - 1)],
        },
        Case {
            path: "/api/v1/transactions",
            component: "CreateTransaction",
            field: "date",
            body: Box::new(
                move |v| json!({"account_id": account, "date": v, "amount": -1, "description": "x"}),
            ),
            values: vec![
                json!("1900-01-01"),
                json!("1899-12-31"),
                json!("2999-12-31"),
                json!("3000-01-01"),
            ],
        },
        Case {
            path: "/api/v1/transactions",
            component: "CreateTransaction",
            field: "description",
            body: Box::new(
                move |v| json!({"account_id": account, "date": "2026-03-01", "amount": -1, "description": v}),
            ),
            values: vec![json!(text(500)), json!(text(501)), json!("  ")],
        },
        Case {
            path: "/api/v1/transactions",
            component: "CreateTransaction",
            field: "notes",
            body: Box::new(
                move |v| json!({"account_id": account, "date": "2026-03-01", "amount": -1, "description": "x", "notes": v}),
            ),
            values: vec![json!(text(2000)), json!(text(2001)), json!("\u{7f}")],
        },
        Case {
            path: "/api/v1/budgets",
            component: "CreateBudget",
            field: "amount",
            body: Box::new(|v| json!({"amount": v})),
            values: vec![json!(0), json!(max + 1), json!(1)],
        },
        Case {
            path: "/api/v1/reports",
            component: "CreateReport",
            field: "year",
            body: Box::new(|v| json!({"kind": "csv", "year": v})),
            values: vec![json!(1899), json!(1900), json!(9999), json!(10000)],
        },
        Case {
            path: "/api/v1/auth/register",
            component: "RegisterRequest",
            field: "password",
            body: Box::new(|v| {
                let email = format!("p{}@example.com", v.as_str().unwrap().len());
                json!({"email": email, "password": v, "display_name": "P"})
            }),
            values: vec![
                json!(text(9)),
                json!(text(10)),
                json!(text(128)),
                json!(text(129)),
            ],
        },
    ];
    for case in cases {
        let schema = field_schema(&doc, case.component, case.field);
        for value in case.values {
            let res = app
                .post_as(&token, case.path, &(case.body)(value.clone()))
                .await;
            let status = res.status();
            let shown = value.to_string().chars().take(40).collect::<String>();
            if schema_accepts(&schema, &value) {
                assert!(
                    status.is_success(),
                    "{} {}={shown}: the schema allows it, the server answered {status}",
                    case.path,
                    case.field
                );
            } else {
                assert_eq!(
                    invalid_fields(res).await,
                    vec![case.field],
                    "{} {}={shown}: the schema refuses it",
                    case.path,
                    case.field
                );
            }
        }
    }
}
